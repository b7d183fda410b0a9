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
import { validateEvent } from '#domain/validation.js';
import { decide, evolve, initialStreamState } from '#domain/stream.js';
import type { EventInput } from '#domain/events.js';
import { startTestApp, type TestApp } from './support/app.js';
import {
  badEvent,
  conflictEvent,
  goodEvent,
  mixedBatch,
  modelOf,
  openCopy,
  rawBody,
  uniquify,
  type Ev,
  type Model,
  type RawCase,
} from './support/bad-input.js';
import type { Backend } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { sampleEvents } from './support/sample.js';

const LIMITS = { maxBodyBytes: 64 * 1024, maxBatch: 200 };
const SEED = Number(process.env.PROPERTY_SEED ?? 20240808);

/** numRuns per property: the full run on PGlite, a smaller one on PostgreSQL. */
const RUNS: Record<Backend, { single: number; conflict: number; mixed: number; raw: number }> = {
  pglite: { single: 1000, conflict: 300, mixed: 1000, raw: 1000 },
  postgres: { single: 150, conflict: 50, mixed: 150, raw: 150 },
};

/** PROPERTY_SCALE=0.1 for a quick run while developing. */
const SCALE = Number(process.env.PROPERTY_SCALE ?? 1);
for (const r of Object.values(RUNS))
  for (const k of Object.keys(r) as (keyof typeof r)[]) r[k] = Math.max(1, Math.round(r[k] * SCALE));

/** Bounded in time, shrinking included; running out of time before numRuns counts as a failure. */
const BOUNDS = { seed: SEED, interruptAfterTimeLimit: 80_000, markInterruptAsFailure: true };

const sample = sampleEvents();
const open = openCopy(sample);
const model: Model = modelOf(open, sample);

describe('the generators', () => {
  test('good events are valid in the open stream, alone and in sequence', () => {
    const fold = () => {
      const state = initialStreamState();
      for (const e of open) {
        const v = validateEvent(e);
        if (!v.ok) throw new Error(`open copy event ${e.id} invalid: ${JSON.stringify(v.errors)}`);
        expect(decide(state, v.event)).toEqual([]);
        evolve(state, v.event);
      }
      return state;
    };
    fold();
    fc.assert(
      fc.property(fc.array(goodEvent(model), { minLength: 1, maxLength: 15 }), (goods) => {
        const state = fold();
        for (const e of uniquify(goods.map((g) => g.event))) {
          const v = validateEvent(e);
          if (!v.ok) throw new Error(`${JSON.stringify(e)}: ${JSON.stringify(v.errors)}`);
          expect(decide(state, v.event as EventInput)).toEqual([]);
          evolve(state, v.event);
        }
      }),
      { numRuns: 100, seed: SEED },
    );
  }, 30_000);
});

describe.each<Backend>(['pglite', 'postgres'])('bad input on %s', (backend) => {
  let t: TestApp;
  let before: Awaited<ReturnType<typeof logSnapshot>>;
  const runs = RUNS[backend];
  const stats = { requests: 0, byStatus: new Map<number, number>() };

  beforeAll(async () => {
    t = await startTestApp(backend, { ...LIMITS, ingestPerMinute: 10_000_000, projector: false });
    // Seeded through the API, in batches that fit the test's small body limit.
    const all = [...sample, ...open];
    let accepted = 0;
    for (let i = 0; i < all.length; i += 40) {
      const seeded = await request(t.http)
        .post('/api/v1/events')
        .send(all.slice(i, i + 40));
      expect(seeded.status).toBe(201);
      accepted += seeded.body.accepted;
    }
    expect(accepted).toBe(sample.length + open.length);
    before = await logSnapshot(t.db.db);
  }, 60_000);

  afterAll(async () => {
    console.log(
      `bad input on ${backend}: ${stats.requests} requests, statuses ${JSON.stringify(Object.fromEntries(stats.byStatus))}, log unchanged (${before?.count} events)`,
    );
    await t?.close();
  }, 30_000);

  function post(c: { body: Buffer | string; contentType?: string; contentEncoding?: string }) {
    let req = request(t.http).post('/api/v1/events');
    if (c.contentType) req = req.set('Content-Type', c.contentType);
    if (c.contentEncoding) req = req.set('Content-Encoding', c.contentEncoding);
    // The bytes as they are: superagent would otherwise JSON-encode a Buffer sent as application/json.
    return req.serialize((b) => b as string).send(typeof c.body === 'string' ? Buffer.from(c.body) : c.body);
  }

  /** The answer is one of `allowed`, names its reason, and nothing was stored. */
  async function expectRefused(
    res: request.Response,
    allowed: readonly number[],
    why: string,
    batch?: { length: number; bad?: number[] },
  ) {
    stats.requests++;
    stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
    const context = `${why}: got ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`;
    if (!allowed.includes(res.status)) throw new Error(`expected ${allowed.join('/')}; ${context}`);
    if (typeof res.body?.message !== 'string' || res.body.message.trim().length === 0)
      throw new Error(`no message; ${context}`);
    if (res.status === 400 || res.status === 409) {
      const errors = res.body.errors;
      if (!Array.isArray(errors) || errors.length === 0) throw new Error(`no errors array; ${context}`);
      for (const e of errors) {
        if (!Number.isInteger(e.index) || e.index < 0 || (batch && e.index >= batch.length))
          throw new Error(`bad index in ${JSON.stringify(e)}; ${context}`);
        if (typeof e.path !== 'string') throw new Error(`no path in ${JSON.stringify(e)}; ${context}`);
        if (typeof e.reason !== 'string' || e.reason.trim().length === 0)
          throw new Error(`no reason in ${JSON.stringify(e)}; ${context}`);
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
      : {
          body: JSON.stringify(format === 'object' && events.length === 1 ? events[0] : events),
          contentType: 'application/json',
        };
  const tooBig = (body: string) => Buffer.byteLength(body) > LIMITS.maxBodyBytes;

  test('single malformed events: wrong types, bad amounts, unknown ids and fields, out-of-year months, broken rules', async () => {
    await fc.assert(
      fc.asyncProperty(badEvent(model), fc.constantFrom<Format>('object', 'array', 'ndjson'), async (bad, format) => {
        const c = encode(bad.events, format);
        await expectRefused(await post(c), tooBig(c.body) ? [413] : [bad.status], `${bad.why} (${format})`, {
          length: 1,
        });
      }),
      { numRuns: runs.single, ...BOUNDS },
    );
  }, 110_000);

  test('conflicts: an id reused with other content, a stale or future expectedVersion (409)', async () => {
    await fc.assert(
      fc.asyncProperty(
        conflictEvent(model),
        fc.constantFrom<Format>('object', 'array', 'ndjson'),
        async (bad, format) => {
          const c = encode(bad.events, format);
          await expectRefused(await post(c), [409], `${bad.why} (${format})`, { length: 1 });
        },
      ),
      { numRuns: runs.conflict, ...BOUNDS },
    );
  }, 60_000);

  test('batches of good events with bad ones mixed in: all refused, the errors name only the bad ones', async () => {
    await fc.assert(
      fc.asyncProperty(mixedBatch(model), fc.constantFrom<Format>('array', 'ndjson'), async (batch, format) => {
        const c = encode(batch.events, format);
        await expectRefused(
          await post(c),
          tooBig(c.body) ? [413] : [400],
          `${batch.whys.join('; ')} at ${batch.bad.join(',')} of ${batch.events.length} (${format})`,
          {
            length: batch.events.length,
            bad: batch.bad,
          },
        );
      }),
      { numRuns: runs.mixed, ...BOUNDS },
    );
  }, 110_000);

  test('raw bodies: invalid UTF-8, deep nesting, bad NDJSON, not JSON, wrong content types, empty and oversize bodies', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(model, LIMITS), async (c: RawCase) => {
        await expectRefused(await post(c), c.status, c.why);
      }),
      { numRuns: runs.raw, ...BOUNDS },
    );
  }, 110_000);

  test('the process is alive, and the same transport stores good events in each format', async () => {
    expect((await request(t.http).get('/health/live')).status).toBe(200);
    // A control for the harness: the requests above were refused for their content, not their transport.
    const good = uniquify(fc.sample(goodEvent(model), { numRuns: 6, seed: SEED }).map((g) => g.event)).map((e) => ({
      ...e,
      id: `control-${e.id}`,
    }));
    for (const [events, format] of [
      [good.slice(0, 1), 'object'],
      [good.slice(1, 3), 'array'],
      [good.slice(3), 'ndjson'],
    ] as const) {
      const r = await post(encode(events as Ev[], format));
      expect([format, r.status, r.body.accepted]).toEqual([format, 201, events.length]);
    }
    expect((await logSnapshot(t.db.db)).count).toBe(before.count + 6);
  }, 30_000);
});
