/** Liveness, readiness (Postgres, Redis, projector lag), request ids, graceful shutdown. */
import request from 'supertest';
import { startTestApp } from './support/app.js';
import { freePort, RedisProcess } from './support/redis-server.js';
import { sampleText } from './support/sample.js';

test('live and ready on the embedded default; the request id is echoed or generated', async () => {
  const t = await startTestApp('pglite');
  try {
    expect((await request(t.http).get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await request(t.http).get('/health/ready').set('X-Request-Id', 'abc-123');
    expect(ready.status).toBe(200);
    expect(ready.headers['x-request-id']).toBe('abc-123');
    expect(ready.body.info).toMatchObject({
      database: { status: 'up', kind: 'pglite' },
      projector: { status: 'up', behind: 0 },
    });
    expect(ready.body.info.redis).toBeUndefined();
    // /health, the URL a newcomer guesses, answers as readiness does.
    const health = await request(t.http).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up', kind: 'pglite' } } });
    const generated = await request(t.http).get('/health/live');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  } finally {
    await t.close();
  }
});

test('readiness reports Redis down (503) and up again; the projector lag is checked', async () => {
  const redis = new RedisProcess(await freePort());
  await redis.start();
  const t = await startTestApp('postgres', { redisUrl: redis.url, readyMaxLag: 100, projector: false });
  try {
    const up = await request(t.http).get('/health/ready');
    expect(up.status).toBe(200);
    expect(up.body.info).toMatchObject({
      database: { status: 'up', kind: 'postgres' },
      redis: { status: 'up', ping: 'PONG' },
    });
    await redis.stop();
    const down = await request(t.http).get('/health/ready');
    expect(down.status).toBe(503);
    expect((await request(t.http).get('/health')).status).toBe(503);
    expect(down.body.error.redis.status).toBe('down');
    await redis.start();
    // With the projector off in this process, 241 new events put it behind the allowed lag.
    await request(t.http).post('/api/v1/events').set('Content-Type', 'application/x-ndjson').send(sampleText());
    let lagging = await request(t.http).get('/health/ready');
    for (let i = 0; i < 50 && lagging.body.error?.redis; i++) lagging = await request(t.http).get('/health/ready');
    expect(lagging.status).toBe(503);
    expect(lagging.body.error.projector).toMatchObject({ status: 'down', behind: 241, maxLag: 100 });
  } finally {
    await t.close();
    await redis.stop();
  }
});

test('shutting down lets an in-flight batch finish and commit', async () => {
  const t = await startTestApp('postgres');
  await new Promise<void>((r) => t.app.getHttpServer().listen(0, '127.0.0.1', () => r()));
  const port = (t.app.getHttpServer().address() as { port: number }).port;
  const pending = fetch(`http://127.0.0.1:${port}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: sampleText(),
  });
  await new Promise((r) => setTimeout(r, 20));
  const { Client } = (await import('pg')).default;
  const closing = t.app.close();
  const res = await pending;
  expect(res.status).toBe(201);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(241);
  await closing;
  // The database is still there (dropped by close() below): the batch was committed whole.
  const c = new Client({ connectionString: t.config.databaseUrl as string });
  await c.connect();
  const n = await c.query('select count(*)::int as n from events');
  await c.end();
  expect(n.rows[0].n).toBe(241);
  await t.close().catch(() => {});
});
