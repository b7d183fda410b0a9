/**
 * The outbox: notices issued while Redis is down are kept in Postgres and go out exactly once
 * when Redis is back.
 */
import request from 'supertest';
import type { AppConfig } from '#config/config.js';
import { DeliveryRepository } from '#persistence/delivery.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { Receiver, waitFor } from './support/receiver.js';
import { freePort, RedisProcess } from './support/redis-server.js';
import { sampleText } from './support/sample.js';

/** The receivers listen on 127.0.0.1 over http: allowed by the operator settings for these tests. */
const LOCAL: Partial<AppConfig> = { webhookAllowHttp: true, webhookAllow: ['127.0.0.1'] };

describe('outbox with Redis down during a month close', () => {
  let redis: RedisProcess;
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    receiver = await new Receiver().start();
    t = await startTestApp('postgres', { redisUrl: redis.url, role: 'worker', deliveryBackoffMs: 20, ...LOCAL });
    expect(
      (await request(t.http).post('/api/v1/events').set('Content-Type', 'application/x-ndjson').send(sampleText()))
        .status,
    ).toBe(201);
    expect(
      (
        await request(t.http)
          .post('/api/v1/subscriptions')
          .send({ department: 'yantian-emergency', subject: '*', channel: 'webhook', url: `${receiver.url}/hook` })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
    await receiver.stop();
  });

  test('nothing is lost while Redis is down and nothing is sent twice when it is back', async () => {
    await redis.stop();
    const r = await request(t.http)
      .post('/api/v1/departments/yantian-emergency/years/2023/months/6/close')
      .send({ knownOn: '2023-07-05' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('closed');
    const repo = new DeliveryRepository(t.db.db);
    await new Promise((res) => setTimeout(res, 1000));
    const whileDown = await repo.outboxCounts();
    expect(whileDown.pending).toBe(r.body.deliveries);
    expect(receiver.received).toHaveLength(0);

    await redis.start();
    await waitFor(
      'deliveries after Redis is back',
      async () => (await repo.outboxCounts()).delivered === r.body.deliveries,
      30_000,
    );
    const ids = receiver.delivered().map((x) => x.deliveryId);
    expect(ids).toHaveLength(r.body.deliveries);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('notice:yantian-emergency:2023:command:6:s1');
  });
});

describe('deliveries held by Redis when it restarts without its data', () => {
  let redis: RedisProcess;
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    receiver = await new Receiver().start();
    t = await startTestApp('postgres', {
      redisUrl: redis.url,
      role: 'worker',
      deliveryBackoffMs: 3000,
      reconcileEveryMs: 200,
      reconcileAfterMs: 100,
      ...LOCAL,
    });
    expect(
      (await request(t.http).post('/api/v1/events').set('Content-Type', 'application/x-ndjson').send(sampleText()))
        .status,
    ).toBe(201);
    expect(
      (
        await request(t.http)
          .post('/api/v1/subscriptions')
          .send({
            department: 'yantian-emergency',
            subject: 'department',
            channel: 'webhook',
            url: `${receiver.url}/hook`,
          })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
    await receiver.stop();
  });

  test('the relay finds the lost jobs and sends them again, once each', async () => {
    receiver.down = true; // first attempts fail: the jobs wait in Redis for their retry
    const r = await request(t.http)
      .post('/api/v1/departments/yantian-emergency/years/2023/months/3/close')
      .send({ knownOn: '2023-04-05' });
    expect(r.body.deliveries).toBeGreaterThan(0);
    const repo = new DeliveryRepository(t.db.db);
    await waitFor('the first failed attempts', async () => receiver.received.length >= r.body.deliveries);
    await redis.stop(); // Redis keeps nothing on disk: the delayed jobs are gone
    receiver.down = false;
    await redis.start();
    await waitFor(
      'deliveries after the lost jobs were found',
      async () => (await repo.outboxCounts()).delivered === r.body.deliveries,
      30_000,
    );
    const ids = receiver.delivered().map((x) => x.deliveryId);
    expect(ids).toHaveLength(r.body.deliveries);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
