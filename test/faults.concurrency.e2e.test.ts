/**
 * Two writers with the same expectedVersion, through HTTP on PostgreSQL: in every round exactly
 * one batch is stored (201) and the other refused (409, nothing stored), and the stream advances
 * by one batch. Half the rounds send both requests to one API instance, half to two instances on
 * the same database (separate processes' write-model caches).
 */
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from './support/app.js';
import { logSnapshot } from './support/log-snapshot.js';

const DEPT = 'race-dept';
const YEAR = 2024;
const BATCH = 10;
const ROUNDS = 24;

const ev = (id: string, type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  type,
  department: DEPT,
  year: YEAR,
  occurredAt: `${YEAR}-03-01`,
  data,
  ...extra,
});

describe('two concurrent writers with the same expectedVersion', () => {
  let a: TestApp;
  let b: TestApp;
  const base: string[] = [];

  async function listen(t: TestApp): Promise<string> {
    await new Promise<void>((r) => t.app.getHttpServer().listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    a = await startTestApp('postgres');
    // A second API instance on the same database (its own IngestService and write-model cache).
    b = await startTestApp('pglite', { databaseUrl: a.config.databaseUrl });
    base.push(await listen(a), await listen(b));
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  }, 30_000);

  async function post(url: string, events: unknown[]) {
    const r = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    return { status: r.status, body: (await r.json()) as any };
  }

  async function version(): Promise<number> {
    const r = await fetch(`${base[0]}/api/v1/streams/${DEPT}/${YEAR}/events?limit=1`);
    return ((await r.json()) as { version: number }).version;
  }

  test('exactly one 201 and one 409 per round; the stream advances one batch per round', async () => {
    const setup = await post(base[0]!, [
      ev('race-setup-0', 'YearOpened', { departmentName: '并发测试局' }),
      ev('race-setup-1', 'UnitRegistered', { unit: 'u1', name: '业务一科' }),
      ev('race-setup-2', 'BudgetAllocated', {
        line: 'l1',
        unit: 'u1',
        name: '项目',
        category: 'project',
        economic: 'other',
        source: 'fiscal',
        amount: '1000000.00',
      }),
    ]);
    expect(setup.status).toBe(201);

    const winners: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const v = await version();
      const batch = (writer: string) =>
        Array.from({ length: BATCH }, (_, i) =>
          ev(
            `race-r${round}-${writer}-${i}`,
            'SpendingRecorded',
            { line: 'l1', source: 'fiscal', month: `${YEAR}-03`, amount: `${round + 1}.${String(i).padStart(2, '0')}` },
            i === 0 ? { expectedVersion: v } : {},
          ),
        );
      const [x, y] = await Promise.all([post(base[0]!, batch('x')), post(base[round % 2]!, batch('y'))]);
      const statuses = [x.status, y.status].sort();
      expect([round, statuses]).toEqual([round, [201, 409]]);
      const [won, lost] = x.status === 201 ? [x, y] : [y, x];
      const winner = x.status === 201 ? 'x' : 'y';
      winners.push(winner);
      expect(won.body.accepted).toBe(BATCH);
      expect(won.body.events.map((e: { version: number }) => e.version)).toEqual(
        Array.from({ length: BATCH }, (_, i) => v + 1 + i),
      );
      expect(lost.body.errors).toEqual([
        {
          index: 0,
          id: `race-r${round}-${winner === 'x' ? 'y' : 'x'}-0`,
          path: 'expectedVersion',
          reason: `stream ${DEPT}/${YEAR} is at version ${v + BATCH}, expected ${v}`,
        },
      ]);
      expect(await version()).toBe(v + BATCH);
    }

    // The log holds the winners' events only, in order, with no gap.
    const rows = await a.db.db
      .selectFrom('events')
      .select(['event_id', 'version'])
      .where('stream_id', '=', `${DEPT}/${YEAR}`)
      .orderBy('version')
      .execute();
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: 3 + ROUNDS * BATCH }, (_, i) => i + 1));
    const stored = rows.slice(3).map((r) => r.event_id);
    expect(stored).toEqual(
      winners.flatMap((w, round) => Array.from({ length: BATCH }, (_, i) => `race-r${round}-${w}-${i}`)),
    );
    const snap = await logSnapshot(a.db.db);
    expect(snap.count).toBe(3 + ROUNDS * BATCH);
    console.log(
      `concurrent writers: ${ROUNDS} rounds, ${ROUNDS} × 201 + ${ROUNDS} × 409; winners x/y = ${winners.filter((w) => w === 'x').length}/${winners.filter((w) => w === 'y').length}`,
    );
  }, 60_000);
});
