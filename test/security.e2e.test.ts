/**
 * What a hostile web page or a stolen cookie could try, refused: a cross-site POST (text/plain,
 * form or bodiless), a foreign Host header (DNS rebinding), a session cookie reused after sign-out
 * or after its key was revoked, an open service on a network address; and the headers every
 * page carries (a Content-Security-Policy, no sniffing, no framing, same-site referrers).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { ensureBuilt } from './support/build.js';
import { logSnapshot } from './support/log-snapshot.js';
import { freePort } from './support/redis-server.js';
import { sampleEvents, sampleText } from './support/sample.js';

const EVIL = 'http://evil.example';

describe('cross-site writes and foreign hosts (embedded default, AUTH off)', () => {
  let t: TestApp;
  let own: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    await t.app.listen(0, '127.0.0.1');
    own = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const r = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(sampleText());
    expect(r.status).toBe(201);
    const close = await request(t.http).post('/api/v1/departments/yantian-emergency/years/2023/months/2/close');
    expect(close.status).toBe(200);
  });
  afterAll(async () => t.close());

  /** Sends `req`, expects `status` with the refusal naming `path`, and the log unchanged. */
  async function refused(req: request.Test, status: number, path: string) {
    const before = await logSnapshot(t.db.db);
    const res = await req;
    expect(res.status).toBe(status);
    expect(res.body.errors?.[0]?.path).toBe(path);
    expect(await logSnapshot(t.db.db)).toEqual(before);
    return res;
  }

  /** A new department's year: what a forged request would try to write. */
  const event = (id = 'csrf-1') =>
    JSON.stringify({ ...sampleEvents()[0], id, department: 'csrf-dept', year: 2024, occurredAt: '2024-01-02' });

  test('a text/plain POST from another site is refused, with or without its Origin', async () => {
    // What a page elsewhere can send without asking the browser's permission (no preflight).
    await refused(
      request(t.http).post('/api/v1/events').set('Origin', EVIL).set('Content-Type', 'text/plain').send(event()),
      403,
      'origin',
    );
    await refused(
      request(t.http).post('/api/v1/events').set('Content-Type', 'text/plain').send(event()),
      415,
      'content-type',
    );
    await refused(
      request(t.http)
        .post('/api/v1/events')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('id=1&type=UnitRegistered'),
      415,
      'content-type',
    );
  });

  test('a bodiless cross-site POST (close a month) is refused by its Origin or Sec-Fetch-Site', async () => {
    const close = '/api/v1/departments/yantian-emergency/years/2023/months/3/close';
    await refused(request(t.http).post(close).set('Origin', EVIL), 403, 'origin');
    await refused(request(t.http).post(close).set('Origin', 'null'), 403, 'origin');
    await refused(request(t.http).post(close).set('Sec-Fetch-Site', 'cross-site'), 403, 'origin');
    const months = (await request(t.http).get('/api/v1/departments/yantian-emergency/years/2023/months')).body.months;
    expect(months.map((m: { month: number }) => m.month)).toEqual([2]);
  });

  test("the same requests from the service's own pages go through", async () => {
    const ok = await request(t.http)
      .post('/api/v1/events')
      .set('Origin', own)
      .set('Sec-Fetch-Site', 'same-origin')
      .set('Content-Type', 'application/json')
      .send(event());
    expect(ok.status).toBe(201);
    const close = await request(t.http)
      .post('/api/v1/departments/yantian-emergency/years/2023/months/3/close')
      .set('Origin', own);
    expect(close.status).toBe(200);
  });

  test('a Host header naming another host is refused (DNS rebinding); health probes are not', async () => {
    await refused(
      request(t.http)
        .post('/api/v1/events')
        .set('Host', 'evil.example:3000')
        .set('Content-Type', 'application/json')
        .send(event('csrf-2')),
      400,
      'host',
    );
    const read = await request(t.http)
      .get('/api/v1/departments/yantian-emergency/years/2023/execution')
      .set('Host', 'rebound.example');
    expect(read.status).toBe(400);
    expect(read.body.message).toMatch(/Host header "rebound\.example" is not a name of this service/);
    for (const host of ['localhost:3000', '127.0.0.1', '[::1]:8080'])
      expect((await request(t.http).get('/api/v1/departments').set('Host', host)).status).toBe(200);
    expect((await request(t.http).get('/health/live').set('Host', '10.1.2.3:3000')).status).toBe(200);
  });

  test('pages, documents and answers carry the security headers', async () => {
    const base = '/api/v1/departments/yantian-emergency/years/2023';
    const pages = {
      dashboard: await request(t.http).get('/dashboard/yantian-emergency/2023'),
      notice: await request(t.http).get(`${base}/notices/department/2?format=html`),
      report: await request(t.http).get(`${base}/evaluation.html`),
      json: await request(t.http).get(`${base}/execution`),
      docs: await request(t.http).get('/api/docs'),
    };
    for (const [name, res] of Object.entries(pages)) {
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      expect({ name, nosniff: res.headers['x-content-type-options'] }).toEqual({ name, nosniff: 'nosniff' });
      expect({ name, frame: res.headers['x-frame-options'] }).toEqual({ name, frame: 'DENY' });
      expect({ name, referrer: res.headers['referrer-policy'] }).toEqual({ name, referrer: 'same-origin' });
      const csp = String(res.headers['content-security-policy']);
      expect({ name, framing: csp.includes("frame-ancestors 'none'") }).toEqual({ name, framing: true });
      expect({ name, defaultNone: csp.includes("default-src 'none'") }).toEqual({ name, defaultNone: true });
      // Scripts only from this service, never inline or evaluated.
      expect({ name, scripts: /script-src[^;]*('unsafe-inline'|'unsafe-eval'|https?:|\*)/.test(csp) }).toEqual({
        name,
        scripts: false,
      });
    }
    expect(String(pages.dashboard.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(String(pages.notice.headers['content-security-policy'])).not.toContain('script-src');
    expect(String(pages.report.headers['content-security-policy'])).not.toContain('script-src');
  });
});

describe('browser sessions (AUTH on)', () => {
  let t: TestApp;
  let keys: ApiKeysService;
  const key: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp('pglite', { auth: true });
    keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    key.finance = (await keys.create({ role: 'finance', name: '区财政局', departments: ['yantian-emergency'] })).key;
    key.revoked = (await keys.create({ role: 'finance', name: '将停用', departments: ['yantian-emergency'] })).key;
  });
  afterAll(async () => t.close());

  const signIn = async (k: string) => {
    const res = await request(t.http).post('/login').type('form').send({ key: k });
    expect(res.status).toBe(303);
    const cookie = String(res.headers['set-cookie']);
    return { header: cookie, pair: cookie.split(';')[0] as string };
  };
  const list = (cookie: string) => request(t.http).get('/api/v1/departments').set('Cookie', cookie);

  test('the cookie carries a session token, not the key; not Secure on the loopback default', async () => {
    const { header, pair } = await signIn(key.finance as string);
    expect(pair).toMatch(/^paceline_session=[A-Za-z0-9_-]{43}$/);
    expect(header).not.toContain(key.finance as string);
    expect(header).toMatch(/HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
    expect((await list(pair)).status).toBe(200);
    // The key itself in a cookie (what the dashboard used to keep) signs nobody in.
    expect((await list(`paceline_key=${key.finance}`)).status).toBe(401);
  });

  test('a cookie reused after sign-out is refused', async () => {
    const { pair } = await signIn(key.finance as string);
    expect((await list(pair)).status).toBe(200);
    const out = await request(t.http).post('/logout').set('Cookie', pair);
    expect(out.status).toBe(303);
    const again = await list(pair);
    expect(again.status).toBe(401);
    expect(again.body.message).toMatch(/session has ended/);
  });

  test('revoking the key ends its sessions', async () => {
    const { pair } = await signIn(key.revoked as string);
    expect((await list(pair)).status).toBe(200);
    const id = /^pl_([a-z0-9]{12})_/.exec(key.revoked as string)?.[1] as string;
    expect(await keys.revoke(id)).toBe(true);
    // This test's key service is another instance than the app's: the app's cache holds the key
    // for at most 5 s, then its sessions stop working.
    const app = t.app.get(ApiKeysService);
    await app.revoke(id);
    expect((await list(pair)).status).toBe(401);
  });

  test('with SESSION_COOKIE_SECURE on, the cookie is Secure', async () => {
    const secure = await startTestApp('pglite', { auth: true, sessionCookieSecure: true });
    try {
      const k = await new ApiKeysService(new ApiKeysRepository(secure.db.db)).create({
        role: 'admin',
        name: 'ops',
        departments: [],
      });
      const res = await request(secure.http).post('/login').type('form').send({ key: k.key });
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
    } finally {
      await secure.close();
    }
  });
});

describe('AUTH=off on a network address', () => {
  const start = (env: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const data = mkdtempSync(join(tmpdir(), 'paceline-open-'));
      const child = spawn(process.execPath, [ensureBuilt().replace('cli/main.js', 'api/main.js')], {
        env: { PATH: process.env.PATH ?? '', PACELINE_DATA_DIR: data, LOG_FORMAT: 'json', ...env },
      });
      let output = '';
      const take = (b: Buffer) => {
        output += b.toString();
        if (output.includes('Paceline ready')) child.kill('SIGTERM');
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('exit', (code) => {
        rmSync(data, { recursive: true, force: true });
        resolve({ code, output });
      });
    });

  test('refuses to start unless forced, and warns when forced', async () => {
    const port = String(await freePort());
    const refused = await start({ HOST: '0.0.0.0', PORT: port, AUTH: 'off' });
    expect(refused.code).toBe(1);
    expect(refused.output.trim()).toBe(
      'paceline: AUTH=off with HOST=0.0.0.0 would let anyone on the network write events: set AUTH=on, bind HOST=127.0.0.1, or set AUTH_OFF_ON_NETWORK=yes to run it open anyway',
    );
    const forced = await start({ HOST: '0.0.0.0', PORT: port, AUTH: 'off', AUTH_OFF_ON_NETWORK: 'yes' });
    expect(forced.output).toContain('Paceline ready');
    expect(forced.output).toMatch(/"level":40.*AUTH=off on 0\.0\.0\.0/);
  });
});
