/**
 * Query parameters on every GET route the application maps (found from the application, not a
 * list): a repeated, unknown or malformed parameter is a 400 naming it, and fuzzed query strings
 * never get a 5xx. Dashboard pages answer their 400s as pages that name the parameter.
 */
import fc from 'fast-check';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/app.js';
import { nestRoutes, type Route } from './support/routes.js';
import { sampleText } from './support/sample.js';

const SCALE = Number(process.env.PROPERTY_SCALE ?? 1);

/** A real path for a route: the sample's department and year, a closed month, a unit with notices. */
function concrete(r: Route): string {
  return r.path
    .replace(':department', 'yantian-emergency')
    .replace(':year', '2023')
    .replace(':subject', 'command')
    .replace(':month', '6')
    .replace(':id', '1');
}

const queryNames = (r: Route) => r.params.filter((p) => p.in === 'query').map((p) => p.name);

/** A value each kind of parameter refuses (by name: dates, numbers, enums, flags). */
const MALFORMED: Record<string, string> = {
  asOf: '2023-02-30',
  knownOn: 'yesterday',
  recordedOn: '2023/01/01',
  source: 'cash',
  runRateMonths: '13',
  fromVersion: '0',
  limit: '1001',
  month: '13',
  revision: 'x',
  year: '1999',
  status: 'lost',
  format: 'pdf',
  department: 'Bad_Dept',
  dryRun: 'maybe',
  unit: 'x'.repeat(65),
};

describe('query parameters on every GET route', () => {
  let t: TestApp;
  let gets: Route[];
  beforeAll(async () => {
    t = await startTestApp('pglite');
    const ingest = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(sampleText());
    expect(ingest.status).toBe(201);
    const deadline = Date.now() + 30_000;
    while ((await request(t.http).get('/health/ready')).status !== 200 && Date.now() < deadline);
    expect((await request(t.http).post('/api/v1/departments/yantian-emergency/years/2023/months/6/close')).status).toBe(
      200,
    );
    gets = nestRoutes(t).filter((r) => r.method === 'get');
  });
  afterAll(async () => t.close());

  /** The refusal names the parameter: in `errors[0].path` (JSON), or in the page's message (HTML). */
  function expectNamed(res: request.Response, name: string, where: string) {
    expect({ where, status: res.status }).toEqual({ where, status: 400 });
    if ((res.headers['content-type'] ?? '').startsWith('application/json'))
      expect({ where, path: res.body.errors?.[0]?.path }).toEqual({ where, path: name });
    else expect({ where, named: res.text.includes(name) }).toEqual({ where, named: true });
  }

  test('the routes are all here, with their query parameters', () => {
    expect(gets.length).toBeGreaterThanOrEqual(20);
    const execution = gets.find((r) => r.path.endsWith('/years/:year/execution'));
    expect(execution && queryNames(execution).sort()).toEqual(['asOf', 'knownOn', 'runRateMonths', 'source']);
  });

  test('an unknown parameter is a 400 naming it, on every GET route', async () => {
    for (const r of gets) {
      const res = await request(t.http).get(`${concrete(r)}?zzz=1`);
      expectNamed(res, 'zzz', `${r.path}?zzz=1`);
    }
  });

  test('a repeated parameter is a 400 naming it, on every GET route and parameter', async () => {
    let checked = 0;
    for (const r of gets)
      for (const name of queryNames(r)) {
        const res = await request(t.http).get(`${concrete(r)}?${name}=a&${name}=b`);
        expectNamed(res, name, `${r.path}?${name}=a&${name}=b`);
        checked++;
      }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  test('a malformed value is a 400 naming the parameter', async () => {
    let checked = 0;
    for (const r of gets)
      for (const name of queryNames(r)) {
        const bad = MALFORMED[name];
        if (bad === undefined) continue;
        const res = await request(t.http).get(`${concrete(r)}?${name}=${encodeURIComponent(bad)}`);
        expectNamed(res, name, `${r.path}?${name}=${bad}`);
        checked++;
      }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  test('fuzzed query strings on every GET route never answer 5xx', async () => {
    const names = [...new Set(gets.flatMap(queryNames))];
    const key = fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'a[b]'));
    const value = fc.oneof(
      fc.string({ maxLength: 40, unit: 'grapheme' }),
      fc.constantFrom('', '2023-06-30', '2023-13-01', '-1', '1e3', '0', 'true', 'fiscal', 'all', '%00', 'NaN'),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...gets), fc.array(fc.tuple(key, value), { maxLength: 4 }), async (r, pairs) => {
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const res = await request(t.http).get(`${concrete(r)}${query ? `?${query}` : ''}`);
        expect({ url: `${concrete(r)}?${query}`, status: res.status < 500 }).toEqual({
          url: `${concrete(r)}?${query}`,
          status: true,
        });
      }),
      { numRuns: Math.max(50, Math.round(400 * SCALE)), seed: Number(process.env.PROPERTY_SEED ?? 20231231) },
    );
  });
});
