/**
 * Property-based bad input (fast-check) against the real HTTP application: thousands of malformed
 * events, batches and bodies. Every one must be refused with a 4xx whose body names the reason
 * (400/409: an `errors` array of {index, path, reason}), nothing may be stored (the log's
 * fingerprint is unchanged after every request), and the process must stay alive.
 *
 * The log is seeded first with the sample (a closed year) and an open copy of it, so the
 * cross-event rules (known lines, units, tasks, indicators, corrections, fund sources, YearClosed)
 * are exercised, not just field validation. A full run on embedded PGlite, a smaller one on
 * PostgreSQL.
 */
import fc from 'fast-check';
import request from 'supertest';
import { validateEvent } from '../libs/domain/validation.js';
import { decide, evolve, initialStreamState } from '../libs/domain/stream.js';
import type { EventInput } from '../libs/domain/events.js';
import { startTestApp, type TestApp } from './support/app.js';
import { badEvent, conflictEvent, goodEvent, mixedBatch, modelOf, openCopy, rawBody, type Ev, type Model, type RawCase } from './support/bad-input.js';
import type { Backend } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { sampleEvents } from './support/sample.js';

const LIMITS = { maxBodyBytes: 64 * 1024, maxBatch: 200 };
const SEED = Number(process.env.PROPERTY_SEED ?? 20240808);

/** numRuns per property: the full run on PGlite, a smaller one on PostgreSQL. */
const RUNS: Record<Backend, { single: number; conflict: number; mixed: number; raw: number }> = {
  pglite: { single: 1000, conflict: 200, mixed: 500, raw: 800 },
  postgres: { single: 150, conflict: 50, mixed: 100, raw: 150 },
};

const sample = sampleEvents();
const open = openCopy(sample);
const model: Model = modelOf(open, sample);

describe('the generators', () => {
  test('good events are valid in the open stream, alone and in sequence', () => {
    const base = initialStreamState();
    for (const e of open) {
      const v = validateEvent(e);
      if (!v.ok) throw new Error(`open copy event ${e.id} invalid: ${JSON.stringify(v.errors)}`);
      expect(decide(base, v.event)).toEqual([]);
      evolve(base, v.event);
    }
    fc.assert(
      fc.property(fc.array(goodEvent(model), { minLength: 1, maxLength: 15 }), (goods) => {
        const state = structuredClone(base);
        for (const g of goods) {
          const v = validateEvent(g.event);
          if (!v.ok) throw new Error(`${g.kind} ${JSON.stringify(g.event)}: ${JSON.stringify(v.errors)}`);
          expect(decide(state, v.event as EventInput)).toEqual([]);
          evolve(state, v.event);
        }
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});

describe.each<Backend>(['pglite', 'postgres'])('bad input on %s', (backend) => {
  let t: TestApp;
  let before: Awaited<ReturnType<typeof logSnapshot>>;
  const runs = RUNS[backend];
  const stats = { requests: 0, byStatus: new Map<number, number>() };

  beforeAll(async () => {
    t = await startTestApp(backend, { ...LIMITS, ingestPerMinute: 10_000_000, projector: false });
    const seeded = await request(t.http).post('/api/v1/events').send([...sample, ...open]);
    expect(seeded.status).toBe(201);
    expect(seeded.body.accepted).toBe(sample.length + open.length);
    before = await logSnapshot(t.db.db);
  }, 60_000);

  afterAll(async () => {
    console.log(`bad input on ${backend}: ${stats.requests} requests, statuses ${JSON.stringify(Object.fromEntries(stats.byStatus))}, log unchanged (${before.count} events)`);
    await t?.close();
  }, 30_000);

  function post(c: { body: Buffer | string; contentType?: string; contentEncoding?: string }) {
    let req = request(t.http).post('/api/v1/events');
    if (c.contentType) req = req.set('Content-Type', c.contentType);
    if (c.contentEncoding) req = req.set('Content-Encoding', c.contentEncoding);
    return req.send(typeof c.body === 'string' ? Buffer.from(c.body) : c.body);
  }

  /** The answer is one of `allowed`, names its reason, and nothing was stored. */
  async function expectRefused(res: request.Response, allowed: readonly number[], why: string, batch?: { length: number; bad?: number[] }) {
    stats.requests++;
    stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
    const context = `${why}: got ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`;
    if (!allowed.includes(res.status)) throw new Error(`expected ${allowed.join('/')}; ${context}`);
    if (typeof res.body?.message !== 'string' || res.body.message.trim().length === 0) throw new Error(`no message; ${context}`);
    if (res.status === 400 || res.status === 409) {
      const errors = res.body.errors;
      if (!Array.isArray(errors) || errors.length === 0) throw new Error(`no errors array; ${context}`);
      for (const e of errors) {
        if (!Number.isInteger(e.index) || e.index < 0 || (batch && e.index >= batch.length)) throw new Error(`bad index in ${JSON.stringify(e)}; ${context}`);
        if (typeof e.path !== 'string') throw new Error(`no path in ${JSON.stringify(e)}; ${context}`);
        if (typeof e.reason !== 'string' || e.reason.trim().length === 0) throw new Error(`no reason in ${JSON.stringify(e)}; ${context}`);
        if (batch?.bad && !batch.bad.includes(e.index)) throw new Error(`error on good event ${e.index}; ${context}`);
      }
    }
    const after = await logSnapshot(t.db.db);
    if (after.fingerprint !== before.fingerprint || after.count !== before.count || after.streams !== before.streams) {
      throw new Error(`the log changed (${before.count} → ${after.count} events); ${context}`);
    }
  }

  type Format = 'object' | 'array' | 'ndjson';
  const encode = (events: Ev[], format: Format) =>
    format === 'ndjson'
      ? { body: events.map((e) => JSON.stringify(e)).join('\n'), contentType: 'application/x-ndjson' }
      : { body: JSON.stringify(format === 'object' && events.length === 1 ? events[0] : events), contentType: 'application/json' };
  const tooBig = (body: string) => Buffer.byteLength(body) > LIMITS.maxBodyBytes;

  test('single malformed events: wrong types, bad amounts, unknown ids and fields, out-of-year months, broken rules', async () => {
    await fc.assert(
      fc.asyncProperty(badEvent(model), fc.constantFrom<Format>('object', 'array', 'ndjson'), async (bad, format) => {
        const c = encode(bad.events, format);
        await expectRefused(await post(c), tooBig(c.body) ? [413] : [bad.status], `${bad.why} (${format})`, { length: 1 });
      }),
      { numRuns: runs.single, seed: SEED },
    );
  }, 110_000);

  test('conflicts: an id reused with other content, a stale or future expectedVersion (409)', async () => {
    await fc.assert(
      fc.asyncProperty(conflictEvent(model), fc.constantFrom<Format>('object', 'array', 'ndjson'), async (bad, format) => {
        const c = encode(bad.events, format);
        await expectRefused(await post(c), [409], `${bad.why} (${format})`, { length: 1 });
      }),
      { numRuns: runs.conflict, seed: SEED },
    );
  }, 60_000);

  test('batches of good events with bad ones mixed in: all refused, the errors name only the bad ones', async () => {
    await fc.assert(
      fc.asyncProperty(mixedBatch(model), fc.constantFrom<Format>('array', 'ndjson'), async (batch, format) => {
        const c = encode(batch.events, format);
        await expectRefused(await post(c), tooBig(c.body) ? [413] : [400], `${batch.whys.join('; ')} at ${batch.bad.join(',')} of ${batch.events.length} (${format})`, {
          length: batch.events.length,
          bad: batch.bad,
        });
      }),
      { numRuns: runs.mixed, seed: SEED },
    );
  }, 110_000);

  test('raw bodies: invalid UTF-8, deep nesting, bad NDJSON, not JSON, wrong content types, empty and oversize bodies', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(model, LIMITS), async (c: RawCase) => {
        await expectRefused(await post(c), c.status, c.why);
      }),
      { numRuns: runs.raw, seed: SEED },
    );
  }, 110_000);

  test('the process is alive and still accepts a good batch afterwards', async () => {
    expect((await request(t.http).get('/health/live')).status).toBe(200);
    const good = fc.sample(goodEvent(model), { numRuns: 5, seed: SEED }).map((g) => g.event);
    const r = await request(t.http).post('/api/v1/events').send(good);
    expect(r.status).toBe(201);
    expect(r.body.accepted).toBe(5);
    expect((await logSnapshot(t.db.db)).count).toBe(before.count + 5);
  }, 30_000);
});
