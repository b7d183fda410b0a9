/**
 * Monthly notices and alerts through the real HTTP API, delivered to a local receiver: in-process
 * (embedded default) and through BullMQ on the real Redis.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { AppConfig } from '#config/config.js';
import { DeliveryRepository } from '#persistence/delivery.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { Receiver, waitFor } from './support/receiver.js';
import { sampleText } from './support/sample.js';
import { TEST_REDIS_URL } from './support/services.js';

const DEP = 'yantian-emergency';
const UNITS = ['office', 'safety', 'disaster', 'command', 'emergency'];
const closeDate = (m: number) => (m === 12 ? '2024-01-05' : `2023-${String(m + 1).padStart(2, '0')}-05`);

async function setup(t: TestApp, receiver: Receiver) {
  const ingest = await request(t.http)
    .post('/api/v1/events')
    .set('Content-Type', 'application/x-ndjson')
    .send(sampleText());
  expect(ingest.status).toBe(201);
  const subs = [
    { department: DEP, subject: '*', channel: 'webhook', url: `${receiver.url}/hook` },
    { department: DEP, subject: 'command', channel: 'wecom', url: `${receiver.url}/robot/wecom?key=k-command` },
    {
      department: DEP,
      subject: 'department',
      channel: 'dingtalk',
      url: `${receiver.url}/robot/dingtalk?access_token=t-department`,
    },
    { department: DEP, subject: 'emergency', channel: 'log' },
  ];
  for (const s of subs) expect((await request(t.http).post('/api/v1/subscriptions').send(s)).status).toBe(201);
}

/**
 * The local receiver on 127.0.0.1 is allowed by the operator settings (allow-list, http), and the
 * robot endpoints point at it; everything else is refused as in production.
 */
function receiverSettings(receiver: Receiver): Partial<AppConfig> {
  return {
    webhookAllowHttp: true,
    webhookAllow: ['127.0.0.1'],
    robotEndpoints: { wecom: `${receiver.url}/robot/wecom`, dingtalk: `${receiver.url}/robot/dingtalk` },
  };
}

async function closeYear(t: TestApp) {
  const results = [];
  for (let m = 1; m <= 12; m++) {
    const r = await request(t.http)
      .post(`/api/v1/departments/${DEP}/years/2023/months/${m}/close`)
      .send({ knownOn: closeDate(m) });
    expect(r.status).toBe(200);
    results.push(r.body);
  }
  return results;
}

function expectYearOfNotices(results: any[]) {
  for (const [i, r] of results.entries()) {
    expect(r.status).toBe('closed');
    expect(r.notices.map((n: { subject: string }) => n.subject).sort()).toEqual(['department', ...UNITS].sort());
    expect(r.notices.every((n: { revision: number }) => n.revision === 1)).toBe(true);
    expect(r.month).toBe(i + 1);
  }
  const raisedRed = results.flatMap((r) => r.alerts.raised).filter((a: any) => a.kind === 'level' && a.level === 'red');
  expect(raisedRed.map((a: any) => `${a.subject}:${a.month}`)).toEqual(['command:2', 'emergency:2', 'department:6']);
}

describe('month close on the embedded default (in-process jobs)', () => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp('pglite', { deliveryBackoffMs: 20, ...receiverSettings(receiver) });
    await setup(t, receiver);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  test('closing the sample year month by month: 72 notices, red alerts for command and emergency, each delivery once', async () => {
    // One delivery fails twice before it gets through.
    receiver.failures.set('notice:yantian-emergency:2023:command:6:s1', 2);
    const results = await closeYear(t);
    expectYearOfNotices(results);
    const list = await request(t.http).get(`/api/v1/departments/${DEP}/years/2023/notices`);
    expect(list.body.notices).toHaveLength(72);

    const repo = new DeliveryRepository(t.db.db);
    const expected = results.reduce((n, r) => n + r.deliveries, 0);
    await waitFor('all deliveries', async () => (await repo.outboxCounts()).delivered === expected);
    const ids = receiver.delivered().map((r) => r.deliveryId);
    expect(new Set(ids).size).toBe(ids.length);
    // webhook '*': 72 notices + every alert change; wecom command: 12 notices + command alerts;
    // dingtalk: 12 department notices + department alerts
    const alertChanges = results.flatMap((r) => [...r.alerts.raised, ...r.alerts.cleared]);
    const bySubject = (s: string) => alertChanges.filter((a: any) => a.subject === s).length;
    expect(receiver.delivered().filter((r) => r.path === '/hook')).toHaveLength(72 + alertChanges.length);
    expect(receiver.delivered().filter((r) => r.path === '/robot/wecom')).toHaveLength(12 + bySubject('command'));
    expect(receiver.delivered().filter((r) => r.path === '/robot/dingtalk')).toHaveLength(12 + bySubject('department'));
    const retried = receiver.received.filter((r) => r.deliveryId === 'notice:yantian-emergency:2023:command:6:s1');
    expect(retried.map((r) => r.status)).toEqual([500, 500, 200]);
    expect((await repo.getOutbox('notice:yantian-emergency:2023:command:6:s1'))?.attempts).toBe(3);

    const wecom = receiver.delivered().find((r) => r.deliveryId === 'notice:yantian-emergency:2023:command:6:s2')!;
    expect(wecom.body.msgtype).toBe('markdown');
    expect(wecom.body.markdown.content).toContain('应急指挥信息科');
    expect(wecom.body.markdown.content).toContain('16.75%');
  });

  test('closing a month again sends nothing; a re-issue needs a reason and makes revision 2', async () => {
    const before = receiver.delivered().length;
    const again = await request(t.http).post(`/api/v1/departments/${DEP}/years/2023/months/6/close`).send({});
    expect(again.body.status).toBe('already-closed');
    expect(again.body.deliveries).toBe(0);
    const noReason = await request(t.http)
      .post(`/api/v1/departments/${DEP}/years/2023/months/6/close`)
      .send({ reissue: true });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].path).toBe('reason');
    const re = await request(t.http)
      .post(`/api/v1/departments/${DEP}/years/2023/months/6/close`)
      .send({ reissue: true, reason: '更正5月数据后重新通报' });
    expect(re.body.status).toBe('reissued');
    expect(re.body.notices.every((n: { revision: number }) => n.revision === 2)).toBe(true);
    expect(re.body.alerts.evaluated).toBe(false);
    const repo = new DeliveryRepository(t.db.db);
    await waitFor('re-issued deliveries', async () => {
      const c = await repo.outboxCounts();
      return c.pending + c.enqueued === 0;
    });
    expect(re.body.deliveries).toBe(9); // 6 webhook ('*'), wecom (command), dingtalk (department), log (emergency)
    expect(receiver.delivered().length).toBe(before + 8);
    expect(
      receiver.delivered().filter((r) => r.deliveryId.startsWith('notice:yantian-emergency:2023:command:6:r2')),
    ).toHaveLength(2);
  });

  test('notices read back as JSON, Markdown and HTML; alerts list open and past', async () => {
    const md = await request(t.http).get(
      `/api/v1/departments/${DEP}/years/2023/notices/command/6?format=markdown&revision=1`,
    );
    expect(md.status).toBe(200);
    expect(md.text).toContain('# 深圳市盐田区应急管理局2023年6月支出情况通报（应急指挥信息科）');
    expect(md.text).toContain('预算执行率**16.75%**');
    const json = await request(t.http).get(`/api/v1/departments/${DEP}/years/2023/notices/command/6?revision=1`);
    expect(json.body.computedFrom).toMatchObject({ stream: 'yantian-emergency/2023', knownOn: '2023-07-05', month: 6 });
    expect(json.body.recipients.map((r: { channel: string }) => r.channel)).toEqual(['webhook', 'wecom']);
    const html = await request(t.http).get(`/api/v1/departments/${DEP}/years/2023/notices/department/6?format=html`);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('39.92%');
    const alerts = await request(t.http).get(`/api/v1/departments/${DEP}/years/2023/alerts`);
    expect(alerts.body.open.map((a: { id: string }) => a.id)).toContain(
      'alert:yantian-emergency:2023:emergency:level:red:2',
    );
    expect(
      alerts.body.past.find((a: { id: string }) => a.id === 'alert:yantian-emergency:2023:command:level:red:2').cleared,
    ).toMatchObject({ month: 9, reason: 'recovered' });
    expect((await request(t.http).get(`/api/v1/departments/${DEP}/years/2023/notices/nope/6`)).status).toBe(404);
    expect((await request(t.http).get(`/api/v1/departments/${DEP}/years/2023/alerts?status=bogus`)).status).toBe(400);
  });

  test('bad input: unknown month, unfinished month, bad subscriptions — nothing stored', async () => {
    const repo = new DeliveryRepository(t.db.db);
    const subsBefore = await repo.listSubscriptions(DEP);
    expect(
      (await request(t.http).post(`/api/v1/departments/${DEP}/years/2023/months/13/close`).send({})).body.errors[0]
        .path,
    ).toBe('month');
    const future = await request(t.http).post(`/api/v1/departments/${DEP}/years/2099/months/1/close`).send({});
    expect(future.status).toBe(400);
    expect(future.body.errors[0].reason).toMatch(/can be closed from the next day/);
    expect(
      (await request(t.http).post(`/api/v1/departments/unknown-dept/years/2023/months/1/close`).send({})).status,
    ).toBe(404);
    const noUrl = await request(t.http)
      .post('/api/v1/subscriptions')
      .send({ department: DEP, subject: 'office', channel: 'webhook' });
    expect(noUrl.body.errors[0]).toMatchObject({ path: 'url', reason: 'is required for channel webhook' });
    const badChannel = await request(t.http)
      .post('/api/v1/subscriptions')
      .send({ department: DEP, subject: 'office', channel: 'sms', url: 'http://x' });
    expect(badChannel.body.errors[0].path).toBe('channel');
    const ftp = await request(t.http)
      .post('/api/v1/subscriptions')
      .send({ department: DEP, subject: 'office', channel: 'webhook', url: 'ftp://x' });
    expect(ftp.body.errors[0].path).toBe('url');
    expect(await repo.listSubscriptions(DEP)).toEqual(subsBefore);
  });
});

describe('month close with BullMQ on Redis', () => {
  let t: TestApp;
  let receiver: Receiver;
  const prefix = `paceline-test-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp('postgres', {
      redisUrl: TEST_REDIS_URL,
      queuePrefix: prefix,
      role: 'worker',
      deliveryBackoffMs: 20,
      ...receiverSettings(receiver),
    });
    await setup(t, receiver);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  test('the year closes with the same notices and alerts; retries through BullMQ; exactly one delivery per job id', async () => {
    receiver.failures.set('notice:yantian-emergency:2023:emergency:3:s1', 2);
    const results = await closeYear(t);
    expectYearOfNotices(results);
    const repo = new DeliveryRepository(t.db.db);
    const expected = results.reduce((n, r) => n + r.deliveries, 0);
    await waitFor(
      'all deliveries through BullMQ',
      async () => (await repo.outboxCounts()).delivered === expected,
      30_000,
    );
    const ids = receiver.delivered().map((r) => r.deliveryId);
    expect(ids).toHaveLength(
      expected -
        results.flatMap((r) => r.notices).filter((n: any) => n.subject === 'emergency').length -
        results.flatMap((r) => [...r.alerts.raised, ...r.alerts.cleared]).filter((a: any) => a.subject === 'emergency')
          .length,
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      receiver.received
        .filter((r) => r.deliveryId === 'notice:yantian-emergency:2023:emergency:3:s1')
        .map((r) => r.status),
    ).toEqual([500, 500, 200]);

    // Handing the same outbox rows to BullMQ again is a no-op: same job ids, nothing re-sent.
    const before = receiver.received.length;
    expect(await repo.requeue(ids.slice(0, 5))).toBe(0); // delivered rows are not requeued
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.length).toBe(before);
  });

  test('a receiver that keeps failing ends as a failed delivery, visible and retryable once it is back', async () => {
    receiver.down = true;
    const r = await request(t.http)
      .post(`/api/v1/departments/${DEP}/years/2023/months/12/close`)
      .send({ reissue: true, reason: '年末重新通报' });
    expect(r.body.status).toBe('reissued');
    const repo = new DeliveryRepository(t.db.db);
    await waitFor(
      'failed deliveries',
      async () => (await repo.outboxCounts()).failed === r.body.deliveries - 1,
      30_000,
    );
    const failed = await request(t.http).get('/api/v1/deliveries?status=failed');
    expect(failed.body.deliveries[0]).toMatchObject({ status: 'failed', attempts: 5 });
    expect(failed.body.deliveries[0].lastError).toMatch(/^(webhook|wecom|dingtalk) answered 503$/);
    const failedIds = (await repo.listOutbox({ status: 'failed', limit: 1000 })).map((d) => d.jobId);
    expect(failedIds).toHaveLength(r.body.deliveries - 1);
    receiver.down = false;
    const retry = await request(t.http).post('/api/v1/deliveries/retry-failed');
    expect(retry.body.requeued).toBe(r.body.deliveries - 1);
    // BullMQ still holds the failed jobs under the same ids: the retry must send them all the same.
    await waitFor(
      'retried deliveries delivered',
      async () => {
        const rows = await Promise.all(failedIds.map((id) => repo.getOutbox(id)));
        return rows.every((row) => row?.status === 'delivered');
      },
      30_000,
    );
    const delivered = new Set(receiver.delivered().map((x) => x.deliveryId));
    for (const id of failedIds) expect([id, delivered.has(id)]).toEqual([id, true]);
    const ids = receiver.delivered().map((x) => x.deliveryId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
