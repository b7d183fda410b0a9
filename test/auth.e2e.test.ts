/** Access control through HTTP with API keys: every role, including its refusals. */
import request from 'supertest';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { logSnapshot } from './support/log-snapshot.js';
import { waitFor } from './support/receiver.js';
import { sampleEvents, sampleText } from './support/sample.js';

const A = 'yantian-emergency';
const base = (d = A) => `/api/v1/departments/${d}/years/2023`;

describe('access control', () => {
  let t: TestApp;
  const key: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${key[who]}` });

  beforeAll(async () => {
    t = await startTestApp('postgres', { auth: true, ingestPerMinute: 1000 });
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    key.admin = (await keys.create({ role: 'admin', name: 'ops', departments: [] })).key;
    key.writer = (await keys.create({ role: 'writer', name: '应急局财务', departments: [A] })).key;
    key.otherWriter = (await keys.create({ role: 'writer', name: '其他局', departments: ['other-dept'] })).key;
    key.finance = (await keys.create({ role: 'finance', name: '区财政局', departments: [A, 'other-dept'] })).key;
    key.stranger = (await keys.create({ role: 'finance', name: '外区', departments: ['elsewhere'] })).key;
    key.unit = (await keys.create({ role: 'unit', name: '应急指挥信息科', departments: [A], unit: 'command' })).key;
    const revoked = await keys.create({ role: 'admin', name: 'old', departments: [] });
    key.revoked = revoked.key;
    await keys.revoke(revoked.record.id);
    const r = await request(t.http)
      .post('/api/v1/events')
      .set(as('writer'))
      .set('Content-Type', 'application/x-ndjson')
      .send(sampleText());
    expect(r.status).toBe(201);
    await waitFor(
      'projection',
      async () =>
        (await request(t.http).get('/api/v1/projections').set(as('admin'))).body.projections?.[0]?.behind === 0,
    );
    expect(
      (await request(t.http).post(`${base()}/months/6/close`).set(as('writer')).send({ knownOn: '2023-07-05' })).status,
    ).toBe(200);
  });
  afterAll(async () => t.close());

  test('no key is 401, a bad or revoked key is 401; health stays public', async () => {
    const none = await request(t.http).get(`${base()}/execution`);
    expect(none.status).toBe(401);
    expect(none.body.message).toMatch(/API key is required/);
    expect((await request(t.http).get(`${base()}/execution`).set('Authorization', 'Bearer pl_nope')).status).toBe(401);
    expect((await request(t.http).get(`${base()}/execution`).set(as('revoked'))).status).toBe(401);
    const tampered = key.admin!.slice(0, -2) + (key.admin!.endsWith('AA') ? 'BB' : 'AA');
    expect((await request(t.http).get(`${base()}/execution`).set('X-Api-Key', tampered)).status).toBe(401);
    expect((await request(t.http).get('/health/live')).status).toBe(200);
    expect((await request(t.http).post('/api/v1/events').send(sampleEvents()[0])).status).toBe(401);
  });

  test('keys are stored hashed', async () => {
    const rows = await t.db.db.selectFrom('api_keys').select(['id', 'secret_hash']).execute();
    for (const k of Object.values(key)) {
      const secret = k.slice('pl_'.length + 12 + 1); // pl_{12-char id}_{secret}; the secret may contain '_'
      expect(secret).toHaveLength(43);
      expect(rows.some((r) => r.secret_hash.includes(secret))).toBe(false);
    }
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.secret_hash))).toBe(true);
  });

  test('admin sees everything', async () => {
    for (const path of [
      `${base()}/execution`,
      `${base()}/evaluation`,
      '/api/v1/deliveries',
      '/api/v1/projections',
      `/api/v1/streams/${A}/2023/events`,
    ]) {
      expect([path, (await request(t.http).get(path).set(as('admin'))).status]).toEqual([path, 200]);
    }
  });

  test('a department writer ingests and reads its departments only', async () => {
    const before = await logSnapshot(t.db.db);
    const foreign = { ...sampleEvents()[1], id: 'w-foreign', department: 'other-dept' };
    const mixed = await request(t.http)
      .post('/api/v1/events')
      .set(as('writer'))
      .send([{ ...sampleEvents()[1], id: 'w-ok', data: { unit: 'newunit', name: '新科' } }, foreign]);
    expect(mixed.status).toBe(403);
    expect(mixed.body.message).toMatch(/event 1: this key may not write department "other-dept"/);
    expect(await logSnapshot(t.db.db)).toEqual(before);
    expect((await request(t.http).get(`${base()}/execution`).set(as('writer'))).status).toBe(200);
    expect(
      (
        await request(t.http)
          .get(`${base('other-dept')}/execution`)
          .set(as('writer'))
      ).status,
    ).toBe(403);
    expect(
      (
        await request(t.http)
          .post(`${base('other-dept')}/months/1/close`)
          .set(as('writer'))
          .send({})
      ).status,
    ).toBe(403);
    expect((await request(t.http).get('/api/v1/deliveries').set(as('writer'))).status).toBe(403);
    expect(
      (await request(t.http).post('/api/v1/events').set(as('otherWriter')).send(foreign)).body.errors[0].reason,
    ).toMatch(/YearOpened must be its first event/);
    const sub = await request(t.http)
      .post('/api/v1/subscriptions')
      .set(as('writer'))
      .send({ department: 'other-dept', subject: '*', channel: 'log' });
    expect(sub.status).toBe(403);
  });

  test('a finance reader reads all of its departments and writes nothing', async () => {
    expect((await request(t.http).get(`${base()}/execution`).set(as('finance'))).status).toBe(200);
    expect((await request(t.http).get(`${base()}/evaluation`).set(as('finance'))).status).toBe(200);
    expect((await request(t.http).get(`${base()}/notices`).set(as('finance'))).body.notices).toHaveLength(6);
    expect((await request(t.http).post('/api/v1/events').set(as('finance')).send(sampleEvents()[0])).status).toBe(403);
    expect((await request(t.http).post(`${base()}/months/7/close`).set(as('finance')).send({})).status).toBe(403);
    expect((await request(t.http).get(`${base()}/execution`).set(as('stranger'))).status).toBe(403);
  });

  test('a unit reader sees only its own unit', async () => {
    const ex = await request(t.http).get(`${base()}/execution?asOf=2023-06-30`).set(as('unit'));
    expect(ex.status).toBe(200);
    expect(ex.body.total).toBeNull();
    expect(ex.body.units.map((u: { unit: string }) => u.unit)).toEqual(['command']);
    expect(ex.body.units[0]).toMatchObject({ rate: '16.75', level: 'red' });
    expect(ex.body.lines.map((l: { line: string }) => l.line)).toEqual(['invest']);
    const q = await request(t.http).get(`${base()}/execution/quarters`).set(as('unit'));
    expect(q.body.unit).toBe('command');
    expect(q.body.quarters[1].rate).toBe('16.75');
    const notices = await request(t.http).get(`${base()}/notices`).set(as('unit'));
    expect(notices.body.notices.map((n: { subject: string }) => n.subject)).toEqual(['command']);
    expect((await request(t.http).get(`${base()}/notices/command/6?format=markdown`).set(as('unit'))).status).toBe(200);
    expect((await request(t.http).get(`${base()}/notices/office/6`).set(as('unit'))).status).toBe(403);
    expect((await request(t.http).get(`${base()}/notices/department/6`).set(as('unit'))).status).toBe(403);
    expect((await request(t.http).get(`${base()}/notices?unit=office`).set(as('unit'))).status).toBe(403);
    const alerts = await request(t.http).get(`${base()}/alerts`).set(as('unit'));
    expect([...alerts.body.open, ...alerts.body.past].every((a: { subject: string }) => a.subject === 'command')).toBe(
      true,
    );
    expect(alerts.body.open.length).toBeGreaterThan(0);
    for (const path of [
      `${base()}/evaluation`,
      `${base()}/months`,
      `/api/v1/streams/${A}/2023/events`,
      '/api/v1/deliveries',
    ]) {
      expect([path, (await request(t.http).get(path).set(as('unit'))).status]).toEqual([path, 403]);
    }
    expect(
      (await request(t.http).get(`/api/v1/departments/other-dept/years/2023/execution`).set(as('unit'))).status,
    ).toBe(403);
  });
});

test('ingest is rate limited per key (429 with Retry-After)', async () => {
  const t = await startTestApp('pglite', { auth: true, ingestPerMinute: 2 });
  try {
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    const k = (await keys.create({ role: 'writer', name: 'w', departments: [A] })).key;
    const post = () => request(t.http).post('/api/v1/events').set('X-Api-Key', k).send(sampleEvents()[0]);
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(200);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.message).toMatch(/at most 2 per minute/);
    // Reads are not limited.
    expect((await request(t.http).get(`/api/v1/streams/${A}/2023/events`).set('X-Api-Key', k)).status).toBe(200);
  } finally {
    await t.close();
  }
});
