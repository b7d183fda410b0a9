/**
 * PostgreSQL restarted (pg_ctl restart -m fast) while clients ingest through the real API process,
 * on a private PostgreSQL 15 server (never the shared one). Every request either succeeds or gets
 * a 503 with `retryable: true` and a message; the API stays up and recovers; retried batches are
 * stored or reported as duplicates; and no batch is ever partly stored.
 */
import pg from 'pg';
import { ensureBuilt } from './support/build.js';
import { PrivatePostgres } from './support/private-postgres.js';
import { API, CLI, killAll, NodeProcess } from './support/processes.js';
import { waitFor } from './support/receiver.js';
import { freePort } from './support/redis-server.js';

const CLIENTS = 3;
const BATCH = 100;
const YEAR = 2023;

const department = (c: number) => `pgr-c${c}`;
const batchId = (c: number, b: number) => `pgr-c${c}-b${String(b).padStart(4, '0')}`;

function setupBatch(c: number) {
  const base = { department: department(c), year: YEAR, occurredAt: `${YEAR}-01-03` };
  return [
    { ...base, id: `${batchId(c, 0)}-e00`, type: 'YearOpened', data: { departmentName: `重启测试${c}` } },
    { ...base, id: `${batchId(c, 0)}-e01`, type: 'UnitRegistered', data: { unit: 'u1', name: '业务一科' } },
    {
      ...base,
      id: `${batchId(c, 0)}-e02`,
      type: 'BudgetAllocated',
      data: {
        line: 'l1',
        unit: 'u1',
        name: '项目',
        category: 'project',
        economic: 'other',
        source: 'fiscal',
        amount: '100000000.00',
      },
    },
  ];
}

function spendingBatch(c: number, b: number) {
  return Array.from({ length: BATCH }, (_, i) => ({
    id: `${batchId(c, b)}-e${String(i).padStart(2, '0')}`,
    type: 'SpendingRecorded',
    department: department(c),
    year: YEAR,
    occurredAt: `${YEAR}-06-30`,
    data: {
      line: 'l1',
      source: 'fiscal',
      month: `${YEAR}-${String((b % 12) + 1).padStart(2, '0')}`,
      amount: `${((b * BATCH + i) % 997) + 1}.${String(i % 100).padStart(2, '0')}`,
    },
  }));
}

interface Outcome {
  client: number;
  batch: number;
  attempt: number;
  status: number;
  body: any;
  at: number;
}

describe('PostgreSQL restarted during ingest', () => {
  let server: PrivatePostgres;
  let api: NodeProcess;
  let base = '';
  let key = '';

  beforeAll(async () => {
    ensureBuilt();
    server = await new PrivatePostgres().init();
    await server.start();
    // Access control is on with DATABASE_URL: a writer key for the test's departments, made by the CLI.
    const keys = new NodeProcess(
      'keys',
      CLI,
      [
        'keys',
        'create',
        '--role',
        'writer',
        '--name',
        'restart-test',
        ...Array.from({ length: CLIENTS }, (_, c) => ['--department', department(c)]).flat(),
      ],
      { DATABASE_URL: server.url },
    );
    key = (await keys.waitForOutput(/\b(pl_\S+)/, 30_000))[1]!;
    await keys.exited;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The ingest rate limit is raised: this test is about the database, not about throttling.
    api = new NodeProcess('api', API, [], {
      DATABASE_URL: server.url,
      PORT: String(port),
      LOG_LEVEL: 'silent',
      INGEST_RATE_PER_MINUTE: '1000000',
    });
    await waitFor(
      'the API to listen',
      async () => {
        if (!api.running) throw new Error(`the API exited:\n${api.tail()}`);
        return fetch(`${base}/health/live`).then(
          (r) => r.ok,
          () => false,
        );
      },
      30_000,
      100,
    );
  }, 90_000);

  afterAll(async () => {
    await killAll();
    await server?.dispose();
  }, 60_000);

  /** status 0: no HTTP answer at all (connection refused or reset: the API process is down). */
  async function post(events: unknown[]): Promise<{ status: number; body: any }> {
    let r: Response;
    try {
      r = await fetch(`${base}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(events),
        signal: AbortSignal.timeout(20_000),
      });
    } catch (e) {
      return {
        status: 0,
        body: `${(e as Error).message}: ${String((e as { cause?: unknown }).cause)}; API ${api.running ? 'running' : `exited (${api.exitCode ?? api.signal})`}\n${api.tail(2000)}`,
      };
    }
    const text = await r.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* kept as text */
    }
    return { status: r.status, body };
  }

  test('clients get 2xx or a retriable 503, the API recovers, and no batch is partly stored', async () => {
    for (let c = 0; c < CLIENTS; c++) expect((await post(setupBatch(c))).status).toBe(201);

    const outcomes: Outcome[] = [];
    const started = Date.now();
    let restartedAt = 0;
    let restartDone = 0;
    let stopAt = Number.POSITIVE_INFINITY;
    const hardStop = started + 60_000;

    async function client(c: number): Promise<void> {
      for (let b = 1; Date.now() < Math.min(stopAt, hardStop) && b < 2000; b++) {
        const r = await post(spendingBatch(c, b));
        outcomes.push({ client: c, batch: b, attempt: 1, status: r.status, body: r.body, at: Date.now() });
        // A refused batch is retried at the end; the client moves on after a short pause.
        if (r.status === 503) await new Promise((res) => setTimeout(res, 25));
      }
    }

    const restart = (async () => {
      // Let the clients get going, then restart the server under them.
      await waitFor(
        'some batches before the restart',
        async () => outcomes.filter((o) => o.status === 201).length >= 15 && Date.now() - started > 1500,
        30_000,
        10,
      );
      restartedAt = Date.now();
      await server.restart();
      restartDone = Date.now();
      // Keep writing for a while after the server is back: later batches must succeed.
      await waitFor(
        'successes after the restart',
        async () => {
          if (!api.running) throw new Error(`the API process died: ${api.exitCode ?? api.signal}\n${api.tail()}`);
          const after = outcomes.filter((o) => o.at > restartDone && (o.status === 201 || o.status === 200));
          return (
            new Set(after.map((o) => o.client)).size === CLIENTS &&
            after.length >= 3 * CLIENTS &&
            Date.now() - restartDone > 2000
          );
        },
        40_000,
        50,
      );
      stopAt = Date.now();
    })();
    await Promise.all([restart, ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);

    // Every answer: 2xx, or a 503 that says it may be retried and why.
    const unexpected = outcomes.filter((o) => ![200, 201, 503].includes(o.status));
    expect(unexpected.map((o) => ({ status: o.status, body: o.body }))).toEqual([]);
    const refused = outcomes.filter((o) => o.status === 503);
    for (const o of refused) {
      expect(o.body).toMatchObject({ statusCode: 503, retryable: true });
      expect(typeof o.body.message).toBe('string');
      expect(o.body.message.length).toBeGreaterThan(10);
    }
    expect(api.running).toBe(true);

    // Retry every refused batch (as a client should) until it is stored or reported as a duplicate.
    let retried = 0;
    let duplicatesOnRetry = 0;
    for (const o of refused) {
      for (let attempt = 2; ; attempt++) {
        const r = await post(spendingBatch(o.client, o.batch));
        retried++;
        if (r.status === 201) {
          expect(r.body.accepted).toBe(BATCH);
          break;
        }
        if (r.status === 200) {
          // The first attempt had committed before its answer was lost: all 100 are duplicates.
          expect(r.body).toMatchObject({ accepted: 0, duplicates: BATCH });
          duplicatesOnRetry++;
          break;
        }
        expect(r.status).toBe(503);
        if (attempt > 50) throw new Error(`batch ${batchId(o.client, o.batch)} still refused after 50 retries`);
        await new Promise((res) => setTimeout(res, 200));
      }
    }

    // The process stayed up and answers; readiness includes its projector having caught up.
    expect(api.running).toBe(true);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    let ready: { status: number; body: unknown } = { status: 0, body: null };
    await waitFor(
      'readiness after the restart',
      async () => {
        const r = await fetch(`${base}/health/ready`);
        ready = { status: r.status, body: await r.json() };
        return r.status === 200;
      },
      30_000,
      200,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last answer ${ready.status} ${JSON.stringify(ready.body)}`);
    });

    // All or nothing: every batch id has all of its 100 events in the log; none is partial.
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      const rows = (
        await c.query<{ batch: string; n: number }>(
          `select substring(event_id from '^(pgr-c[0-9]+-b[0-9]+)-e') as batch, count(*)::int as n from events where event_id like 'pgr-c%' group by 1 order by 1`,
        )
      ).rows;
      const partial = rows.filter((r) => r.n !== (r.batch.endsWith('-b0000') ? 3 : BATCH));
      expect(partial).toEqual([]);
      const attempted = new Set(outcomes.map((o) => batchId(o.client, o.batch)));
      expect(new Set(rows.map((r) => r.batch).filter((b) => !b.endsWith('-b0000')))).toEqual(attempted);
      // Stream versions match the stored events (no gap, no event counted twice).
      const versions = (
        await c.query<{ stream_id: string; version: number; n: number; max: number }>(
          `select s.stream_id, s.version, count(e.*)::int as n, max(e.version) as max from streams s join events e using (stream_id) group by 1, 2 order by 1`,
        )
      ).rows;
      for (const v of versions) {
        expect(v.n).toBe(v.version);
        expect(Number(v.max)).toBe(v.version);
      }
      // The API's projector came through the restart: it applies every event, each once.
      const total = (await c.query<{ n: number }>(`select count(*)::int as n from events`)).rows[0]!.n;
      await waitFor(
        'the projector to catch up',
        async () => {
          const cp = (
            await c.query<{ processed: string }>(
              `select processed from projection_checkpoints where name = 'execution'`,
            )
          ).rows[0];
          return Number(cp?.processed ?? 0) === total;
        },
        30_000,
        200,
      );
      const facts = (
        await c.query<{ n: number }>(
          `select coalesce(sum(json_array_length(x->2)), 0)::int as n from exec_segments, json_array_elements(sources) x`,
        )
      ).rows[0]!.n;
      expect(facts).toBe(total - 3 * CLIENTS);
      console.log(
        `postgres restart: ${outcomes.length} batch requests in ${((stopAt - started) / 1000).toFixed(1)} s by ${CLIENTS} clients; ` +
          `restart took ${((restartDone - restartedAt) / 1000).toFixed(1)} s; ${refused.length} answered 503 (retryable), ` +
          `${outcomes.length - refused.length} 2xx, 0 other; ${retried} retries, ${duplicatesOnRetry} retried batches were already stored (200 duplicates); ` +
          `${rows.length} batches in the log, none partial; messages: ${[...new Set(refused.map((o) => o.body.message))].join(' | ')}`,
      );
    } finally {
      await c.end();
    }
    expect(refused.length).toBeGreaterThan(0);
  }, 115_000);
});
