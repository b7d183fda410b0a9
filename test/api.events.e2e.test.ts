/** End to end through HTTP: POST /api/v1/events (single, array, NDJSON) and stream paging. */
import request from 'supertest';
import { BACKENDS } from './support/databases.js';
import { startTestApp, type TestApp } from './support/app.js';
import { logSnapshot } from './support/log-snapshot.js';
import { sampleEvents, sampleText } from './support/sample.js';

describe.each(BACKENDS)('events API on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, { maxBodyBytes: 256 * 1024, maxBatch: 500 });
  });
  afterAll(async () => t.close());

  const refused = async (req: request.Test, status: number) => {
    const before = await logSnapshot(t.db.db);
    const res = await req;
    expect(res.status).toBe(status);
    expect(await logSnapshot(t.db.db)).toEqual(before);
    return res.body;
  };

  test('NDJSON upload of the sample stores 241 events; sending it again returns 241 duplicates', async () => {
    const first = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(sampleText());
    expect(first.status).toBe(201);
    expect(first.body.accepted).toBe(241);
    const again = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(sampleText());
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 241 });
    expect(again.body.events.map((e: { position: number }) => e.position)).toEqual(
      first.body.events.map((e: { position: number }) => e.position),
    );
  });

  test('a JSON array and a single event are accepted', async () => {
    const [opened] = sampleEvents();
    const base = { ...opened, department: 'api-dept', year: 2024 };
    const arr = await request(t.http)
      .post('/api/v1/events')
      .send([
        { ...base, id: 'api-1' },
        {
          id: 'api-2',
          type: 'UnitRegistered',
          department: 'api-dept',
          year: 2024,
          occurredAt: '2024-01-03T09:30:00+08:00',
          data: { unit: 'u', name: '科' },
        },
      ]);
    expect(arr.status).toBe(201);
    expect(arr.body.events.map((e: { version: number }) => e.version)).toEqual([1, 2]);
    const single = await request(t.http)
      .post('/api/v1/events')
      .send({
        id: 'api-3',
        type: 'UnitRegistered',
        department: 'api-dept',
        year: 2024,
        occurredAt: '2024-01-03',
        expectedVersion: 2,
        data: { unit: 'v', name: '科二' },
      });
    expect(single.status).toBe(201);
    expect(single.body.events[0]).toMatchObject({ id: 'api-3', stream: 'api-dept/2024', version: 3, duplicate: false });
  });

  test('a 400 names the event index, the field path and the reason', async () => {
    const lines = sampleText()
      .trim()
      .split('\n')
      .slice(0, 3)
      .map((l) => JSON.parse(l));
    const bad = [
      { ...lines[0], id: 'b-1', department: 'bad-dept' },
      { ...lines[1], id: 'b-2', department: 'bad-dept', data: { unit: 'x' } },
    ];
    const body = await refused(request(t.http).post('/api/v1/events').send(bad), 400);
    expect(body.errors).toEqual([{ index: 1, id: 'b-2', path: 'data.name', reason: 'is required' }]);
    expect(body.message).toMatch(/nothing stored/);
  });

  test('NDJSON with a broken line names the line', async () => {
    const body = await refused(
      request(t.http)
        .post('/api/v1/events')
        .set('Content-Type', 'application/x-ndjson')
        .send('{"id":"x"}\n{not json\n'),
      400,
    );
    expect(body.errors[0].reason).toMatch(/line 2 is not valid JSON/);
  });

  test('invalid UTF-8 is refused', async () => {
    const body = await refused(
      request(t.http)
        .post('/api/v1/events')
        .set('Content-Type', 'application/x-ndjson')
        .send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
      400,
    );
    expect(body.message).toMatch(/not valid UTF-8/);
  });

  test('a real U+FFFD character in a valid UTF-8 body is text, not an error', async () => {
    const e = {
      id: 'fffd-1',
      type: 'YearOpened',
      department: 'fffd-dept',
      year: 2024,
      occurredAt: '2024-01-02',
      data: { departmentName: '替换字符\uFFFD局' },
    };
    const r = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(JSON.stringify(e));
    expect(r.status).toBe(201);
    const page = await request(t.http).get('/api/v1/streams/fffd-dept/2024/events');
    expect(page.body.events[0].data.departmentName).toBe('替换字符\uFFFD局');
  });

  test('oversize bodies and batches are refused with 413', async () => {
    const big = JSON.stringify([{ pad: 'x'.repeat(300 * 1024) }]);
    await refused(request(t.http).post('/api/v1/events').set('Content-Type', 'application/json').send(big), 413);
    const many = Array.from({ length: 501 }, (_, i) => ({ id: `m-${i}` }));
    const body = await refused(request(t.http).post('/api/v1/events').send(many), 413);
    expect(body.message).toMatch(/at most 500 events/);
  });

  test('409 on an id reused with other content and on expectedVersion mismatch', async () => {
    const [opened] = sampleEvents();
    const body = await refused(
      request(t.http)
        .post('/api/v1/events')
        .send({ ...opened, occurredAt: '2023-01-04' }),
      409,
    );
    expect(body.errors[0]).toMatchObject({ index: 0, path: 'id' });
    const stale = await refused(
      request(t.http)
        .post('/api/v1/events')
        .send({
          id: 'stale',
          type: 'UnitRegistered',
          department: 'api-dept',
          year: 2024,
          occurredAt: '2024-01-03',
          expectedVersion: 1,
          data: { unit: 'w', name: '科三' },
        }),
      409,
    );
    expect(stale.errors[0]).toMatchObject({
      path: 'expectedVersion',
      reason: 'stream api-dept/2024 is at version 3, expected 1',
    });
  });

  test('GET pages through a stream', async () => {
    const page1 = await request(t.http).get('/api/v1/streams/yantian-emergency/2023/events?limit=100');
    expect(page1.status).toBe(200);
    expect(page1.body.version).toBe(241);
    expect(page1.body.events).toHaveLength(100);
    expect(page1.body.events[0]).toMatchObject({ type: 'YearOpened', version: 1, occurredOn: '2023-01-03' });
    expect(page1.body.nextFromVersion).toBe(101);
    const page3 = await request(t.http).get('/api/v1/streams/yantian-emergency/2023/events?fromVersion=201&limit=100');
    expect(page3.body.events).toHaveLength(41);
    expect(page3.body.events[40].type).toBe('YearClosed');
    expect(page3.body.nextFromVersion).toBeNull();
    const bad = await request(t.http).get('/api/v1/streams/yantian-emergency/1999/events');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('year');
  });
});
