/**
 * Notice delivery under faults, with the real worker process on BullMQ (a private redis-server):
 *
 * - kill -9 of the worker while deliveries are in flight to a slow receiver, then a restart: every
 *   outbox row ends delivered, the deliveries table holds exactly one row per job id, the receiver
 *   saw every job id, and the only job ids it saw twice are ones that were in flight at the kill
 *   (sent, not yet recorded), re-sent with the same X-Paceline-Delivery / Idempotency-Key.
 * - Redis stopped during a month close and started again: the notices wait in the outbox and go
 *   out once, through the worker process.
 */
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { deliveryQueue } from '#application/jobs/jobs.js';
import { createServices, type Services } from '#application/services.js';
import { DeliveryRepository } from '#persistence/delivery.repository.js';
import { ensureBuilt } from './support/build.js';
import { testDatabase, type TestDatabase } from './support/databases.js';
import { killAll, NodeProcess, WORKER } from './support/processes.js';
import { waitFor } from './support/receiver.js';
import { freePort, RedisProcess } from './support/redis-server.js';
import { sampleEvents } from './support/sample.js';
import { SlowReceiver } from './support/slow-receiver.js';

const DEPT = 'yantian-emergency';
const TODAY = '2024-06-01';
const knownOn = (m: number) => (m === 12 ? '2024-01-05' : `2023-${String(m + 1).padStart(2, '0')}-05`);

async function setUp(subscriptions: number, url: string): Promise<{ db: TestDatabase; s: Services }> {
  const db = await testDatabase('postgres');
  const s = createServices(db.db);
  expect((await s.ingest.ingest(sampleEvents())).accepted).toBe(241);
  for (let i = 1; i <= subscriptions; i++)
    await s.delivery.addSubscription({ department: DEPT, subject: '*', channel: 'webhook', url: `${url}/hook/${i}` });
  return { db, s };
}

function workerEnv(db: TestDatabase, redis: RedisProcess, prefix: string) {
  return {
    DATABASE_URL: db.url!,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    MONTH_CLOSE_SCHEDULE: 'off',
    LOG_LEVEL: 'silent',
    DELIVERY_BACKOFF_MS: '200',
    // The receivers listen on 127.0.0.1 over http: allowed by the operator settings.
    WEBHOOK_ALLOW_HTTP: 'on',
    WEBHOOK_ALLOW: '127.0.0.1',
  };
}

/** Starts the worker process and waits until its BullMQ workers are registered in Redis. */
async function startWorker(name: string, env: Record<string, string>): Promise<NodeProcess> {
  const w = new NodeProcess(name, WORKER, [], env);
  const queue = new Queue(deliveryQueue('webhook'), {
    connection: { url: env.REDIS_URL, maxRetriesPerRequest: null },
    prefix: env.QUEUE_PREFIX,
  });
  try {
    await waitFor(
      `${name} consuming`,
      async () => {
        if (!w.running) throw new Error(`${name} exited:\n${w.tail()}`);
        return (await queue.getWorkersCount()) > 0;
      },
      30_000,
      100,
    );
  } finally {
    await queue.close();
  }
  return w;
}

async function deliveredJobIds(db: TestDatabase): Promise<Set<string>> {
  return new Set((await db.db.selectFrom('deliveries').select('job_id').execute()).map((r) => r.job_id));
}

beforeAll(() => {
  ensureBuilt();
}, 60_000);

afterAll(async () => {
  await killAll();
}, 20_000);

describe('kill -9 of the worker during notice delivery', () => {
  let redis: RedisProcess;
  let receiver: SlowReceiver;
  let db: TestDatabase;
  let s: Services;

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    receiver = await new SlowReceiver(150).start();
    ({ db, s } = await setUp(3, receiver.url));
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await receiver?.stop();
    await redis?.stop();
    await db?.dispose();
  }, 30_000);

  test('every job id is delivered and recorded once; only jobs in flight at the kill reach the receiver twice', async () => {
    const env = workerEnv(db, redis, `pl-kill-${process.pid}`);
    const w1 = await startWorker('worker 1', env);
    let queued = 0;
    for (let m = 1; m <= 12; m++)
      queued += (await s.monthClose.close(DEPT, 2023, m, { knownOn: knownOn(m), closedBy: 'test', today: TODAY }))
        .deliveries;
    const outboxRows = Number(
      (await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(db.db)).rows[0]!.n,
    );
    expect(outboxRows).toBe(queued);
    expect(queued).toBeGreaterThan(200);

    // Kill once deliveries are well under way and some requests are waiting for their answer.
    await waitFor(
      'deliveries in flight',
      async () => {
        if (!w1.running) throw new Error(`worker exited:\n${w1.tail()}`);
        return receiver.arrivals.length >= 40 && receiver.pending().length > 0;
      },
      60_000,
      5,
    );
    await w1.kill9();
    const killedAt = Date.now();
    const arrivedBeforeKill = new Set(receiver.arrivals.map((a) => a.deliveryId));
    const recordedAtKill = await deliveredJobIds(db);
    // In flight at the kill: sent to the receiver, no delivery recorded.
    const inFlight = new Set([...arrivedBeforeKill].filter((id) => !recordedAtKill.has(id)));
    const countsAtKill = await new DeliveryRepository(db.db).outboxCounts();
    expect(countsAtKill.delivered).toBeLessThan(queued);

    const w2 = await startWorker('worker 2', env);
    const repo = new DeliveryRepository(db.db);
    // The jobs the dead worker held stay "active" in BullMQ until its stalled-job check (every 30 s,
    // locks of 30 s) has seen them twice: they go out 30–90 s after the restart, the rest at once.
    await waitFor(
      'every outbox row delivered after the restart',
      async () => {
        if (!w2.running) throw new Error(`worker exited:\n${w2.tail()}`);
        return (await repo.outboxCounts()).delivered === queued;
      },
      100_000,
      200,
    );
    const recovered = (Date.now() - killedAt) / 1000;
    const othersDoneAfter =
      (Math.max(...receiver.arrivals.filter((a) => !inFlight.has(a.deliveryId)).map((a) => a.arrivedAt)) - killedAt) /
      1000;
    await w2.stop();

    const counts = await repo.outboxCounts();
    expect(counts).toEqual({ pending: 0, enqueued: 0, delivered: queued, failed: 0 });
    // The deliveries table: exactly one row per job id, one for every outbox row.
    const rows = await db.db.selectFrom('deliveries').select(['job_id']).execute();
    expect(rows.length).toBe(queued);
    const outboxIds = (await db.db.selectFrom('outbox').select('job_id').execute()).map((r) => r.job_id);
    expect(new Set(rows.map((r) => r.job_id))).toEqual(new Set(outboxIds));

    // The receiver saw every job id; the headers carry the job id.
    const byId = new Map<string, typeof receiver.arrivals>();
    for (const a of receiver.arrivals)
      (byId.get(a.deliveryId) ?? byId.set(a.deliveryId, []).get(a.deliveryId)!).push(a);
    expect(new Set(byId.keys())).toEqual(new Set(outboxIds));
    for (const a of receiver.arrivals) expect(a.idempotencyKey).toBe(a.deliveryId);
    const seenTwice = [...byId.entries()].filter(([, as]) => as.length > 1);
    for (const [id, as] of seenTwice) {
      // A resend happens only for a job that was in flight (sent, not recorded) when the worker died.
      expect(inFlight.has(id)).toBe(true);
      expect(new Set(as.map((a) => a.deliveryId))).toEqual(new Set([id]));
      expect(new Set(as.map((a) => a.idempotencyKey))).toEqual(new Set([id]));
      // … and exactly one of its arrivals came after the kill.
      expect(as.filter((a) => a.arrivedAt > killedAt).length).toBeLessThanOrEqual(1);
    }
    // No job already recorded before the kill was ever sent again.
    for (const id of recordedAtKill) expect(byId.get(id)!.length).toBe(1);
    console.log(
      `delivery fault: ${queued} deliveries (${othersDoneAfter.toFixed(1)} s after the kill every job but the dead worker's was delivered); killed with ${countsAtKill.delivered} delivered, ${receiver.arrivals.filter((a) => a.arrivedAt <= killedAt).length} requests received, ` +
        `${inFlight.size} in flight (sent, not recorded); all delivered ${recovered.toFixed(1)} s after the kill; ` +
        `${receiver.arrivals.length} requests in all; ${seenTwice.length} job ids seen twice at the receiver (all in flight at the kill, same X-Paceline-Delivery)`,
    );
  }, 118_000);
});

describe('Redis stopped during a month close, then started again (worker process)', () => {
  let redis: RedisProcess;
  let receiver: SlowReceiver;
  let db: TestDatabase;
  let s: Services;

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    receiver = await new SlowReceiver(5).start();
    ({ db, s } = await setUp(1, receiver.url));
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await receiver?.stop();
    await redis?.stop();
    await db?.dispose();
  }, 30_000);

  test('the notices wait in the outbox and go out once when Redis is back', async () => {
    const w = await startWorker('worker', workerEnv(db, redis, `pl-down-${process.pid}`));
    await redis.stop();
    const r = await s.monthClose.close(DEPT, 2023, 6, { knownOn: '2023-07-05', closedBy: 'test', today: TODAY });
    expect(r.status).toBe('closed');
    expect(r.deliveries).toBeGreaterThan(0);
    const repo = new DeliveryRepository(db.db);
    // The worker's relay polls every 2 s: give it two rounds against the stopped Redis.
    await new Promise((res) => setTimeout(res, 4500));
    expect(w.running).toBe(true);
    expect(await repo.outboxCounts()).toMatchObject({ pending: r.deliveries, enqueued: 0, delivered: 0 });
    expect(receiver.arrivals).toHaveLength(0);

    await redis.start();
    await waitFor(
      'deliveries after Redis is back',
      async () => (await repo.outboxCounts()).delivered === r.deliveries,
      60_000,
      200,
    );
    // Let any stray second send show up before counting.
    await new Promise((res) => setTimeout(res, 1000));
    await w.stop();
    const ids = receiver.arrivals.map((a) => a.deliveryId);
    expect(ids).toHaveLength(r.deliveries);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(`notice:${DEPT}:2023:command:6:s1`);
    expect((await deliveredJobIds(db)).size).toBe(r.deliveries);
  }, 100_000);
});
