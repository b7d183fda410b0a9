/**
 * Webhooks and robots against an attacker, through the real HTTP API:
 *
 * - subscribing: webhook URLs to internal addresses (every spelling of loopback, link-local,
 *   private, unspecified, IPv4-mapped IPv6, decimal IPv4) are refused with a 400 naming `url`;
 *   http is refused unless allowed; WeCom and DingTalk take only their official robot URLs;
 * - sending: the address actually connected to is checked (rows stored without the subscribe
 *   check, and names that resolve inside, are refused at send time, the internal service never
 *   called, the delivery record saying why); redirects are not followed; a receiver's body is
 *   never stored;
 * - DingTalk 加签: a robot that checks the signature the way DingTalk does accepts the signed
 *   messages and refuses the others with errcode 310000, recorded as such;
 * - the robot secret is in no answer, log line, outbox row or BullMQ job; finance and unit readers
 *   see recipients masked.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '#api/src/app.js';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { deliveryQueue } from '#application/jobs/jobs.js';
import { loadConfig, type AppConfig } from '#config/config.js';
import { createLogger } from '#logging/logger.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { DeliveryRepository, type OutboxItem } from '#persistence/delivery.repository.js';
import { DATABASE } from '#persistence/persistence.module.js';
import { createPostgresDatabase, type Backend } from './support/databases.js';
import { Receiver, waitFor, type Answer, type Received } from './support/receiver.js';
import { sampleText } from './support/sample.js';
import { TEST_REDIS_URL } from './support/services.js';

const DEP = 'yantian-emergency';
const BASE = `/api/v1/departments/${DEP}/years/2023`;

/** Every log line of every app of this file (JSON, debug and up). */
const logLines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(chunk.toString('utf8'));
    done();
  },
});

interface App {
  app: NestExpressApplication;
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  db: DatabaseHandle;
  close(): Promise<void>;
}

/** The real application on a fresh database, its log lines kept in `logLines`. */
async function startApp(backend: Backend, overrides: Partial<AppConfig>): Promise<App> {
  const pgdb = backend === 'postgres' ? await createPostgresDatabase() : undefined;
  const config = {
    ...loadConfig({}),
    databaseUrl: pgdb?.url,
    dataDir: 'memory://',
    logLevel: 'debug',
    logFormat: 'json',
    auth: false,
    overviewWarmMs: 0,
    precomputeMs: 0,
    ...overrides,
  } as AppConfig;
  const app = await createApp(config, {
    logger: createLogger({ level: 'debug', format: 'json', destination: sink }),
  });
  try {
    await app.init();
  } catch (e) {
    await app.close().catch(() => undefined);
    await pgdb?.drop();
    throw e;
  }
  return {
    app,
    http: app.getHttpServer(),
    db: app.get<DatabaseHandle>(DATABASE),
    close: async () => {
      await app.close();
      await pgdb?.drop();
    },
  };
}

async function ingestSample(t: App, headers: Record<string, string> = {}) {
  const r = await request(t.http)
    .post('/api/v1/events')
    .set(headers)
    .set('Content-Type', 'application/x-ndjson')
    .send(sampleText());
  expect(r.status).toBe(201);
}

/** Robot secrets as DingTalk shows them (加签: "SEC" and 64 hex digits). */
const robotSecret = () => `SEC${randomBytes(32).toString('hex')}`;

/**
 * A DingTalk robot: checks `timestamp` and `sign` as DingTalk does (HmacSHA256 of
 * "{timestamp}\n{secret}" keyed by the secret, Base64, URL-encoded; within an hour) and answers
 * errcode 310000 when they are wrong or missing.
 */
function dingtalkRobot(secrets: Record<string, string>): (r: Omit<Received, 'status'>) => Answer {
  return (r) => {
    const secret = secrets[r.query.access_token ?? ''];
    if (!secret) return { status: 200, body: JSON.stringify({ errcode: 300001, errmsg: 'token is not exist' }) };
    const { timestamp, sign } = r.query;
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
    const fresh = Math.abs(Date.now() - Number(timestamp)) < 3_600_000;
    return sign === expected && fresh
      ? { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) }
      : {
          status: 200,
          body: JSON.stringify({ errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com]' }),
        };
  };
}

const subscribe = (t: App, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  request(t.http).post('/api/v1/subscriptions').set(headers).send(body);

/** Every spelling of an internal address an attacker tried, for a service listening on `port`. */
const internalUrls = (scheme: string, port: number) => [
  `${scheme}://127.0.0.1:${port}/`,
  `${scheme}://localhost:${port}/`,
  `${scheme}://[::1]:${port}/`,
  `${scheme}://[::ffff:7f00:1]:${port}/`,
  `${scheme}://[::ffff:127.0.0.1]:${port}/`,
  `${scheme}://0.0.0.0:${port}/`,
  `${scheme}://2130706433:${port}/`,
  `${scheme}://0x7f.1:${port}/`,
  `${scheme}://0177.0.0.1:${port}/`,
  `${scheme}://169.254.169.254/latest/meta-data/`,
  `${scheme}://10.0.0.5/`,
  `${scheme}://172.16.3.4/`,
  `${scheme}://192.168.1.1/`,
  `${scheme}://100.64.0.1/`,
  `${scheme}://[fe80::1]/`,
  `${scheme}://[fd12:3456::1]/`,
  `${scheme}://224.0.0.1/`,
  `${scheme}://255.255.255.255/`,
];

describe('subscribing with the default settings (https only, no allow-list)', () => {
  let t: App;
  beforeAll(async () => {
    t = await startApp('pglite', {});
  });
  afterAll(async () => t.close());

  test('webhook URLs to internal addresses are refused with a 400 naming url; nothing is stored', async () => {
    const names = ['https://LOCALHOST.:5432/', 'https://hooks.localhost/', 'https://[::]/', 'https://[::7f00:1]/'];
    for (const url of [...internalUrls('https', 5432), ...internalUrls('http', 5432), ...names]) {
      const r = await subscribe(t, { department: DEP, subject: '*', channel: 'webhook', url });
      expect([url, r.status]).toEqual([url, 400]);
      expect([url, r.body.errors[0].path]).toEqual([url, 'url']);
    }
    const refused = await subscribe(t, {
      department: DEP,
      subject: '*',
      channel: 'webhook',
      url: 'https://[::ffff:7f00:1]:5432/',
    });
    expect(refused.body.errors[0].reason).toMatch(/loopback/);
    expect(await new DeliveryRepository(t.db.db).listSubscriptions()).toEqual([]);
  });

  test('http is refused by default; an https webhook to a public name is accepted', async () => {
    const http = await subscribe(t, {
      department: DEP,
      subject: '*',
      channel: 'webhook',
      url: 'http://hooks.example.com/paceline',
    });
    expect(http.status).toBe(400);
    expect(http.body.errors[0]).toMatchObject({ path: 'url' });
    expect(http.body.errors[0].reason).toMatch(/https/);
    const ok = await subscribe(t, {
      department: DEP,
      subject: '*',
      channel: 'webhook',
      url: 'https://hooks.example.com/paceline',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ channel: 'webhook', url: 'https://hooks.example.com/paceline', hasSecret: false });
    await request(t.http).delete(`/api/v1/subscriptions/${ok.body.id}`);
  });

  test('WeCom and DingTalk take only their official robot URLs', async () => {
    const wecom = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
    const dingtalk = 'https://oapi.dingtalk.com/robot/send?access_token=a1b2c3d4e5f6';
    const refused: Array<[string, string]> = [
      ['wecom', 'https://evil.example.com/cgi-bin/webhook/send?key=abc'],
      ['wecom', 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc'],
      ['wecom', 'https://qyapi.weixin.qq.com.evil.example.com/cgi-bin/webhook/send?key=abc'],
      ['wecom', 'https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=abc'],
      ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/other?key=abc'],
      ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'],
      ['wecom', 'https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc'],
      ['wecom', 'https://127.0.0.1/cgi-bin/webhook/send?key=abc'],
      ['wecom', dingtalk],
      ['dingtalk', 'https://evil.example.com/robot/send?access_token=abc'],
      ['dingtalk', 'http://oapi.dingtalk.com/robot/send?access_token=abc'],
      ['dingtalk', 'https://oapi.dingtalk.com/robot/other?access_token=abc'],
      ['dingtalk', 'https://oapi.dingtalk.com/robot/send'],
      ['dingtalk', 'https://[::ffff:7f00:1]/robot/send?access_token=abc'],
      ['dingtalk', wecom],
    ];
    for (const [channel, url] of refused) {
      const r = await subscribe(t, { department: DEP, subject: 'command', channel, url });
      expect([channel, url, r.status, r.body.errors?.[0]?.path]).toEqual([channel, url, 400, 'url']);
    }
    for (const [channel, url] of [
      ['wecom', wecom],
      ['dingtalk', dingtalk],
    ]) {
      const r = await subscribe(t, { department: DEP, subject: 'command', channel, url });
      expect([channel, r.status]).toEqual([channel, 201]);
      await request(t.http).delete(`/api/v1/subscriptions/${r.body.id}`);
    }
  });

  test('a DingTalk secret: only on DingTalk, must look like one, is stored encrypted and never shown', async () => {
    const secret = robotSecret();
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=feedface';
    const onWecom = await subscribe(t, {
      department: DEP,
      subject: 'department',
      channel: 'wecom',
      url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc',
      secret,
    });
    expect(onWecom.status).toBe(400);
    expect(onWecom.body.errors[0].path).toBe('secret');
    const notSec = await subscribe(t, {
      department: DEP,
      subject: 'department',
      channel: 'dingtalk',
      url,
      secret: 'hunter2-not-a-dingtalk-secret',
    });
    expect(notSec.status).toBe(400);
    expect(notSec.body.errors[0].path).toBe('secret');
    expect(JSON.stringify(notSec.body)).not.toContain('hunter2');

    const made = await subscribe(t, { department: DEP, subject: 'department', channel: 'dingtalk', url, secret });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ channel: 'dingtalk', url, hasSecret: true });
    const listed = await request(t.http).get(`/api/v1/subscriptions?department=${DEP}`);
    expect(listed.body.subscriptions.find((s: { id: number }) => s.id === made.body.id)).toMatchObject({
      hasSecret: true,
    });
    const removed = await request(t.http).delete(`/api/v1/subscriptions/${made.body.id}`);
    for (const answer of [made, listed, removed]) expect(JSON.stringify(answer.body)).not.toContain(secret);
    // At rest: encrypted, not the secret nor any piece of it.
    const rows = await t.db.db.selectFrom('subscriptions').selectAll().execute();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(3, 23));
    expect(logLines.join('')).not.toContain(secret);
  });
});

describe('sending: the address connected to is checked (http allowed, allow-list 127.0.0.2)', () => {
  let t: App;
  /** An internal service on every local address (127.0.0.1, ::1, …): must never be called. */
  let victim: Receiver;
  let good: Receiver;
  let redirecting: Receiver;
  let redirectTarget: Receiver;
  let leaky: Receiver;
  let robot: Receiver;
  const secrets = { good: robotSecret(), expectedByBad: robotSecret(), wrong: robotSecret() };
  const subs: Record<string, number> = {};
  /** Subscriptions stored without the subscribe-time check (before it existed, or written directly). */
  const attacks: { id: number; url: string }[] = [];
  let deliveries: OutboxItem[] = [];

  const rowsOf = (sub: number) => deliveries.filter((d) => d.subscriptionId === sub);

  beforeAll(async () => {
    victim = await new Receiver({ host: '::' }).start();
    good = await new Receiver({ host: '127.0.0.2' }).start();
    redirectTarget = await new Receiver({ host: '127.0.0.2' }).start();
    redirecting = await new Receiver({
      host: '127.0.0.2',
      respond: () => ({ status: 307, headers: { location: `${redirectTarget.url}/landed` }, body: 'moved' }),
    }).start();
    leaky = await new Receiver({
      host: '127.0.0.2',
      respond: () => ({
        status: 500,
        body: JSON.stringify({ error: `connection to db failed: password=hunter2 ${'internal detail '.repeat(30)}` }),
      }),
    }).start();
    robot = await new Receiver({
      host: '127.0.0.2',
      respond: (r) =>
        r.path === '/robot/send'
          ? dingtalkRobot({ 'tok-good': secrets.good, 'tok-bad': secrets.expectedByBad })(r)
          : undefined,
    }).start();
    t = await startApp('pglite', {
      webhookAllowHttp: true,
      webhookAllow: ['127.0.0.2'],
      robotEndpoints: { wecom: `${robot.url}/robot/wecom`, dingtalk: `${robot.url}/robot/send` },
      deliveryAttempts: 1,
      deliveryBackoffMs: 10,
    } as Partial<AppConfig>);
    await ingestSample(t);

    const made = async (name: string, body: Record<string, unknown>) => {
      const r = await subscribe(t, { department: DEP, subject: 'department', ...body });
      expect([name, r.status]).toEqual([name, 201]);
      subs[name] = r.body.id;
    };
    await made('good', { channel: 'webhook', url: `${good.url}/hook?token=tok-webhook-123` });
    await made('redirect', { channel: 'webhook', url: `${redirecting.url}/redirect` });
    await made('leaky', { channel: 'webhook', url: `${leaky.url}/leak` });
    await made('wecom', { channel: 'wecom', url: `${robot.url}/robot/wecom?key=0123456789abcdef3f2a` });
    await made('signed', {
      channel: 'dingtalk',
      url: `${robot.url}/robot/send?access_token=tok-good`,
      secret: secrets.good,
    });
    await made('wrongSecret', {
      channel: 'dingtalk',
      url: `${robot.url}/robot/send?access_token=tok-bad`,
      secret: secrets.wrong,
    });
    await made('unsigned', { channel: 'dingtalk', url: `${robot.url}/robot/send?access_token=tok-good` });

    const repo = new DeliveryRepository(t.db.db);
    for (const url of internalUrls('http', victim.port)) {
      const s = await repo.addSubscription({ department: DEP, subject: 'department', channel: 'webhook', url });
      attacks.push({ id: s.id, url });
    }
    // A robot channel whose URL is not the robot's (stored before the host check existed).
    const robotToVictim = await repo.addSubscription({
      department: DEP,
      subject: 'department',
      channel: 'wecom',
      url: `http://127.0.0.1:${victim.port}/cgi-bin/webhook/send?key=x`,
    });
    subs.robotToVictim = robotToVictim.id;

    const close = await request(t.http).post(`${BASE}/months/6/close`).send({ knownOn: '2023-07-05' });
    expect(close.status).toBe(200);
    await waitFor('every delivery finished', async () => {
      const c = await repo.outboxCounts();
      return c.pending + c.enqueued === 0 && c.delivered + c.failed === close.body.deliveries;
    });
    deliveries = await repo.listOutbox({ limit: 1000 });
  });
  afterAll(async () => {
    await t.close();
    for (const r of [victim, good, redirecting, redirectTarget, leaky, robot]) await r.stop();
  });

  test('the same internal URLs are refused at subscribe time even with http allowed', async () => {
    for (const url of internalUrls('http', victim.port)) {
      const r = await subscribe(t, { department: DEP, subject: '*', channel: 'webhook', url });
      expect([url, r.status, r.body.errors?.[0]?.path]).toEqual([url, 400, 'url']);
    }
  });

  test('an allowed receiver gets its deliveries', async () => {
    const perSubscription = rowsOf(subs.good!).length;
    expect(perSubscription).toBeGreaterThanOrEqual(2); // the department notice and its alert changes
    expect(rowsOf(subs.good!).every((d) => d.status === 'delivered')).toBe(true);
    expect(good.delivered().map((r) => r.path)).toEqual(Array(perSubscription).fill('/hook'));
    expect(rowsOf(subs.wecom!).every((d) => d.status === 'delivered')).toBe(true);
  });

  test('rows naming internal addresses are refused when sending: never called, the record says why', async () => {
    expect(victim.received).toEqual([]);
    const classes: Record<string, string> = {};
    const perSubscription = rowsOf(subs.good!).length;
    for (const a of attacks) {
      const rows = rowsOf(a.id);
      expect([a.url, rows.length]).toEqual([a.url, perSubscription]);
      for (const row of rows) {
        expect([a.url, row.status]).toEqual([a.url, 'failed']);
        const m = /^refused address (\S+) \(([a-z-]+)\)$/.exec(row.lastError ?? '');
        expect([a.url, row.lastError, !!m]).toEqual([a.url, row.lastError, true]);
        classes[a.url] = m?.[2] ?? '';
      }
    }
    const port = victim.port;
    expect(classes).toMatchObject({
      [`http://127.0.0.1:${port}/`]: 'loopback',
      [`http://localhost:${port}/`]: 'loopback',
      [`http://[::1]:${port}/`]: 'loopback',
      [`http://[::ffff:7f00:1]:${port}/`]: 'loopback',
      [`http://[::ffff:127.0.0.1]:${port}/`]: 'loopback',
      [`http://0.0.0.0:${port}/`]: 'unspecified',
      [`http://2130706433:${port}/`]: 'loopback',
      [`http://0x7f.1:${port}/`]: 'loopback',
      'http://169.254.169.254/latest/meta-data/': 'link-local',
      'http://10.0.0.5/': 'private',
      'http://100.64.0.1/': 'cgnat',
      'http://[fe80::1]/': 'link-local',
      'http://[fd12:3456::1]/': 'unique-local',
      'http://224.0.0.1/': 'multicast',
      'http://255.255.255.255/': 'broadcast',
    });
    expect(rowsOf(attacks[0]!.id)[0]!.lastError).toBe('refused address 127.0.0.1 (loopback)');
    // A robot channel pointed elsewhere than the robot is refused too.
    for (const row of rowsOf(subs.robotToVictim!)) {
      expect(row.status).toBe('failed');
      expect(row.lastError).toMatch(/^wecom URL refused: must be the WeCom robot's URL /);
    }
  });

  test('a redirect is a failure with its status, never followed', async () => {
    expect(redirecting.received).toHaveLength(rowsOf(subs.redirect!).length);
    expect(redirectTarget.received).toEqual([]);
    for (const row of rowsOf(subs.redirect!)) {
      expect(row.status).toBe('failed');
      expect(row.lastError).toBe('webhook answered 307');
    }
  });

  test("the receiver's body is never stored or logged, only its status", async () => {
    for (const row of rowsOf(subs.leaky!)) {
      expect(row.status).toBe('failed');
      expect(row.lastError).toBe('webhook answered 500');
    }
    const admin = await request(t.http).get('/api/v1/deliveries?status=failed');
    expect(JSON.stringify(admin.body)).not.toContain('hunter2');
    expect(JSON.stringify(await t.db.db.selectFrom('outbox').selectAll().execute())).not.toContain('hunter2');
    expect(logLines.join('')).not.toContain('hunter2');
  });

  test('DingTalk: signed with the subscription secret; a refused signature is recorded with errcode 310000', async () => {
    const signed = robot.received.filter((r) => r.query.access_token === 'tok-good' && r.status === 200);
    const perSubscription = rowsOf(subs.good!).length;
    expect(rowsOf(subs.signed!).map((d) => d.status)).toEqual(Array(perSubscription).fill('delivered'));
    for (const row of [...rowsOf(subs.wrongSecret!), ...rowsOf(subs.unsigned!)]) {
      expect(row.status).toBe('failed');
      expect(row.lastError).toBe('dingtalk errcode 310000');
    }
    // What the robot received: the markdown message, with timestamp and sign on the URL.
    const accepted = signed.filter((r) => r.query.sign !== undefined);
    expect(accepted).toHaveLength(perSubscription);
    for (const r of accepted) {
      expect(r.body.msgtype).toBe('markdown');
      expect(r.query.timestamp).toMatch(/^\d{13}$/);
    }
    const unsigned = robot.received.filter((r) => r.query.access_token === 'tok-good' && r.query.sign === undefined);
    expect(unsigned).toHaveLength(perSubscription);
    expect(unsigned.every((r) => r.status === 200)).toBe(true); // DingTalk answers 200 with the errcode
  });

  test('the secrets are in no answer, log line or outbox row; recipients are shown masked', async () => {
    const everything = [
      JSON.stringify((await request(t.http).get('/api/v1/subscriptions')).body),
      JSON.stringify((await request(t.http).get('/api/v1/deliveries')).body),
      JSON.stringify((await request(t.http).get(`${BASE}/notices`)).body),
      JSON.stringify((await request(t.http).get(`${BASE}/notices/department/6`)).body),
      JSON.stringify(await t.db.db.selectFrom('outbox').selectAll().execute()),
      JSON.stringify(await t.db.db.selectFrom('notices').select('recipients').execute()),
      logLines.join(''),
    ].join('\n');
    for (const s of Object.values(secrets)) expect(everything).not.toContain(s);
    const notice = (await request(t.http).get(`${BASE}/notices/department/6`)).body;
    const bySub = new Map(notice.recipients.map((r: { subscription: number }) => [r.subscription, r]));
    expect(bySub.get(subs.good)).toEqual({
      subscription: subs.good,
      channel: 'webhook',
      target: `http://127.0.0.2:${good.port}`,
    });
    expect(bySub.get(subs.wecom)).toEqual({
      subscription: subs.wecom,
      channel: 'wecom',
      target: `127.0.0.2:${robot.port} … key=••••3f2a`,
    });
    expect(JSON.stringify(notice.recipients)).not.toMatch(/tok-webhook-123|0123456789abcdef|tok-good|tok-bad/);
  });
});

describe('with Redis and API keys: readers see recipients masked; the secret is not in job data', () => {
  let t: App;
  let good: Receiver;
  let robot: Receiver;
  const secret = robotSecret();
  const prefix = `paceline-test-${randomBytes(4).toString('hex')}`;
  const key: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${key[who]}` });
  let wecomSub = 0;
  let webhookSub = 0;

  beforeAll(async () => {
    good = await new Receiver({ host: '127.0.0.2' }).start();
    robot = await new Receiver({
      host: '127.0.0.2',
      respond: (r) => (r.path === '/robot/send' ? dingtalkRobot({ 'tok-ding': secret })(r) : undefined),
    }).start();
    t = await startApp('postgres', {
      auth: true,
      redisUrl: TEST_REDIS_URL,
      queuePrefix: prefix,
      role: 'worker',
      secretsKey: randomBytes(32),
      webhookAllowHttp: true,
      webhookAllow: ['127.0.0.2'],
      robotEndpoints: { wecom: `${robot.url}/robot/wecom`, dingtalk: `${robot.url}/robot/send` },
      deliveryBackoffMs: 20,
    } as Partial<AppConfig>);
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    key.admin = (await keys.create({ role: 'admin', name: 'ops', departments: [] })).key;
    key.writer = (await keys.create({ role: 'writer', name: '应急局财务', departments: [DEP] })).key;
    key.finance = (await keys.create({ role: 'finance', name: '区财政局', departments: [DEP] })).key;
    key.unit = (await keys.create({ role: 'unit', name: '应急指挥信息科', departments: [DEP], unit: 'command' })).key;
    await ingestSample(t, as('writer'));
    const ding = await subscribe(
      t,
      {
        department: DEP,
        subject: 'department',
        channel: 'dingtalk',
        url: `${robot.url}/robot/send?access_token=tok-ding`,
        secret,
      },
      as('writer'),
    );
    expect(ding.status).toBe(201);
    expect(ding.body.hasSecret).toBe(true);
    const wecom = await subscribe(
      t,
      {
        department: DEP,
        subject: 'command',
        channel: 'wecom',
        url: `${robot.url}/robot/wecom?key=c0ffee00-1111-2222-3333-444455553f2a`,
      },
      as('writer'),
    );
    expect(wecom.status).toBe(201);
    wecomSub = wecom.body.id;
    const hook = await subscribe(
      t,
      { department: DEP, subject: '*', channel: 'webhook', url: `${good.url}/hook?token=tok-webhook-456` },
      as('writer'),
    );
    expect(hook.status).toBe(201);
    webhookSub = hook.body.id;
    await waitFor(
      'projection',
      async () =>
        (await request(t.http).get('/api/v1/projections').set(as('admin'))).body.projections?.[0]?.behind === 0,
    );
    const close = await request(t.http)
      .post(`${BASE}/months/6/close`)
      .set(as('writer'))
      .send({ knownOn: '2023-07-05' });
    expect(close.status).toBe(200);
    const repo = new DeliveryRepository(t.db.db);
    await waitFor(
      'deliveries through BullMQ',
      async () => (await repo.outboxCounts()).delivered === close.body.deliveries,
      30_000,
    );
  });
  afterAll(async () => {
    await t.close();
    for (const c of ['webhook', 'wecom', 'dingtalk', 'log'] as const) {
      const q = new Queue(deliveryQueue(c), { connection: { url: TEST_REDIS_URL }, prefix });
      await q.obliterate({ force: true });
      await q.close();
    }
    await good.stop();
    await robot.stop();
  });

  test('the DingTalk robot accepted the signed messages sent by the worker', async () => {
    const ding = robot.received.filter((r) => r.path === '/robot/send');
    expect(ding.length).toBeGreaterThan(0);
    expect(ding.every((r) => r.status === 200 && r.query.sign !== undefined)).toBe(true);
  });

  test('finance and unit readers see channel and masked target, no URL and no key', async () => {
    const finance = await request(t.http).get(`${BASE}/notices`).set(as('finance'));
    expect(finance.status).toBe(200);
    const unitList = await request(t.http).get(`${BASE}/notices`).set(as('unit'));
    const unitOne = await request(t.http).get(`${BASE}/notices/command/6`).set(as('unit'));
    expect(unitOne.status).toBe(200);
    for (const answer of [finance, unitList, unitOne]) {
      const text = JSON.stringify(answer.body);
      expect(text).not.toMatch(/c0ffee00|tok-webhook-456|tok-ding|"url"/);
      expect(text).not.toContain(secret);
    }
    expect(unitOne.body.recipients).toEqual([
      { subscription: wecomSub, channel: 'wecom', target: `127.0.0.2:${robot.port} … key=••••3f2a` },
      { subscription: webhookSub, channel: 'webhook', target: `http://127.0.0.2:${good.port}` },
    ]);
    // What is stored is masked already.
    const stored = JSON.stringify(await t.db.db.selectFrom('notices').select('recipients').execute());
    expect(stored).not.toMatch(/c0ffee00|tok-webhook-456|tok-ding/);
  });

  test('recipients stored with their URL (before masking) are masked when read', async () => {
    await t.db.db
      .updateTable('notices')
      .set({
        recipients: JSON.stringify([
          {
            subscription: 99,
            channel: 'wecom',
            url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=legacy-0000-9f3a',
          },
          { subscription: 98, channel: 'webhook', url: 'https://hooks.example.com/in?token=legacy-token' },
          { subscription: 97, channel: 'log', url: null },
        ]),
      })
      .where('notice_id', '=', `notice:${DEP}:2023:command:6`)
      .execute();
    for (const who of ['unit', 'finance', 'admin']) {
      const r = await request(t.http).get(`${BASE}/notices/command/6`).set(as(who));
      expect(r.body.recipients).toEqual([
        { subscription: 99, channel: 'wecom', target: 'qyapi.weixin.qq.com … key=••••9f3a' },
        { subscription: 98, channel: 'webhook', target: 'https://hooks.example.com' },
        { subscription: 97, channel: 'log', target: null },
      ]);
    }
  });

  test('the secret is in no answer, log line, outbox row or job data', async () => {
    const jobs: unknown[] = [];
    for (const c of ['webhook', 'wecom', 'dingtalk', 'log'] as const) {
      const q = new Queue(deliveryQueue(c), { connection: { url: TEST_REDIS_URL }, prefix });
      for (const job of await q.getJobs(['completed', 'failed', 'waiting', 'delayed', 'active']))
        jobs.push({ data: job.data, opts: job.opts, name: job.name });
      await q.close();
    }
    expect(jobs.length).toBeGreaterThan(0);
    const everything = [
      JSON.stringify(jobs),
      JSON.stringify((await request(t.http).get('/api/v1/subscriptions').set(as('writer'))).body),
      JSON.stringify((await request(t.http).get('/api/v1/subscriptions').set(as('admin'))).body),
      JSON.stringify((await request(t.http).get('/api/v1/deliveries').set(as('admin'))).body),
      JSON.stringify((await request(t.http).get(`${BASE}/notices/department/6`).set(as('admin'))).body),
      JSON.stringify(await t.db.db.selectFrom('outbox').selectAll().execute()),
      JSON.stringify(await t.db.db.selectFrom('subscriptions').selectAll().execute()),
      logLines.join(''),
    ].join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(3, 23));
  });
});
