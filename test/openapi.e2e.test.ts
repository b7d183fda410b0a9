/**
 * The OpenAPI document covers every route the running application maps: each route is found from
 * the application itself (the controllers Nest discovered, checked against the Express router's
 * own stack, so neither can miss one), never from a hand-kept list, and must be documented with a
 * summary, a success response with content, its parameters, its errors and its security. The
 * interactive page at /api/docs loads its script and styles from this server (no CDN).
 */
import request from 'supertest';
import { DOCS_JSON_PATH, DOCS_PATH } from '#api/src/http/openapi.js';
import { startTestApp, type TestApp } from './support/app.js';
import { nestRoutes, type Route } from './support/routes.js';

/** The routes known today; a new route raises the count (and must be documented to pass). */
const KNOWN_ROUTES = 33;

/** Routes that answer with a redirect only (no body on success): they document a 303 with Location instead. */
const REDIRECTS = new Set([
  'POST /login',
  'POST /logout',
  'POST /dashboard/:department/:year/explanations',
  'POST /dashboard/:department/:year/progress',
  'POST /dashboard/:department/:year/actions',
]);

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; required?: boolean; description?: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses: Record<
    string,
    { description?: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }
  >;
  'x-access'?: string;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string }> };
  info: { title: string; version: string; description: string };
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the Express router answers (the API docs' own routes aside). */
function expressRoutes(t: TestApp): string[] {
  const stack = (t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router.stack;
  return stack
    .flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods)
            .filter((m) => m !== '_all')
            .map((m) => `${m.toUpperCase()} ${layer.route?.path}`)
        : [],
    )
    .filter((r) => !r.split(' ')[1]?.startsWith(DOCS_PATH));
}

const is2xx = (status: string) => /^2\d\d$/.test(status);

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  let routes: Route[];

  beforeAll(async () => {
    t = await startTestApp('pglite');
    const res = await request(t.http).get(DOCS_JSON_PATH);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body as Document;
    routes = nestRoutes(t);
  });
  afterAll(async () => t.close());

  test('the routes found in the controllers are exactly those the HTTP server answers, and there are many', () => {
    const fromNest = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(fromNest).toEqual(expressRoutes(t).sort());
    expect(new Set(fromNest).size).toBe(fromNest.length);
    expect(routes.length).toBeGreaterThanOrEqual(KNOWN_ROUTES);
    expect(routes.length).toBeGreaterThan(30);
  });

  test('the document describes the API: title, version, description, the three ways to send a key', () => {
    expect(doc.info.title).toBe('Paceline API');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.info.description).toMatch(/X-Api-Key/);
    const schemes = doc.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Api-Key' });
    expect(schemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'paceline_key' });
  });

  test('every route is documented: summary, tag, success content, parameters, errors and security', () => {
    const problems: string[] = [];
    for (const r of routes) {
      const name = `${r.method.toUpperCase()} ${r.path} (${r.handler})`;
      const op = doc.paths[r.openApiPath]?.[r.method];
      if (!op) {
        problems.push(`${name}: not in the document`);
        continue;
      }
      const fail = (what: string) => problems.push(`${name}: ${what}`);
      if (!op.summary?.trim()) fail('no summary');
      if (!op.description?.trim()) fail('no description');
      if (!op.tags?.length) fail('no tag');
      if (!op['x-access']) fail('does not say who may call it (x-access)');
      const statuses = Object.keys(op.responses);
      if (REDIRECTS.has(`${r.method.toUpperCase()} ${r.path}`)) {
        if (!op.responses['303']?.headers?.Location) fail('a redirect without a documented 303 and Location');
      } else if (!statuses.some((s) => is2xx(s) && Object.keys(op.responses[s]?.content ?? {}).length > 0)) {
        fail('no 2xx response with content');
      }
      const security = (op.security ?? []).flatMap((s) => Object.keys(s)).sort();
      if (r.isPublic) {
        if (security.length) fail('a public route with a security requirement');
      } else {
        if (!statuses.includes('401') || !statuses.includes('403')) fail('no 401/403');
        if (security.join() !== 'apiKey,bearer,cookie') fail(`security ${security.join() || 'none'}`);
      }
      if (r.takesInput && !statuses.includes('400')) fail('takes input but documents no 400');
      for (const p of r.params) {
        const documented = op.parameters?.find((d) => d.in === p.in && d.name === p.name);
        if (!documented) fail(`${p.in} parameter ${p.name} not documented`);
        else if (!documented.description) fail(`${p.in} parameter ${p.name} has no description`);
        else if (p.in === 'path' && documented.required !== true) fail(`path parameter ${p.name} not required`);
      }
      for (const [status, response] of Object.entries(op.responses))
        if (!response.description?.trim()) fail(`response ${status} has no description`);
    }
    expect(problems).toEqual([]);
  });

  test('the document has no operation the application does not answer', () => {
    const known = new Set(routes.map((r) => `${r.method} ${r.openApiPath}`));
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(documented.filter((d) => !known.has(d))).toEqual([]);
  });

  test('errors share one body shape; request bodies carry their media types', () => {
    const ingest = doc.paths['/api/v1/events']?.post;
    expect(Object.keys(ingest?.requestBody?.content ?? {}).sort()).toEqual([
      'application/json',
      'application/x-ndjson',
    ]);
    expect(ingest?.responses['429']?.headers?.['Retry-After']).toBeDefined();
    expect(ingest?.responses['400']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/DetailedError' } },
    });
    const imports = doc.paths['/api/v1/departments/{department}/years/{year}/imports']?.post;
    expect(Object.keys(imports?.requestBody?.content ?? {}).sort()).toEqual([
      'application/octet-stream',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'text/csv',
    ]);
    const xlsx = doc.paths['/api/v1/departments/{department}/years/{year}/evaluation.xlsx']?.get;
    expect(Object.keys(xlsx?.responses['200']?.content ?? {})).toEqual([
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ]);
  });

  test('the interactive page answers and loads its script and styles from this server', async () => {
    const page = await request(t.http).get(DOCS_PATH);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const assets = [...page.text.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)=["']([^"']+)["']/g)].map(
      (m) => m[1] as string,
    );
    expect(assets.some((a) => a.endsWith('swagger-ui-bundle.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('swagger-ui.css'))).toBe(true);
    for (const asset of assets) {
      const url = new URL(asset, `http://localhost${DOCS_PATH}`);
      expect(url.host).toBe('localhost'); // no CDN
      const res = await request(t.http).get(url.pathname);
      expect([asset, res.status]).toEqual([asset, 200]);
      expect(res.headers['content-type']).toMatch(/javascript|css|image\/png/);
    }
    const init = await request(t.http).get(`${DOCS_PATH}/swagger-ui-init.js`);
    expect(init.text).toContain('"validatorUrl": null');
  });
});
