/**
 * The dashboard end to end in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): the API on a real port with the sample year ingested as NDJSON and every month
 * closed (notices and alerts), then the department page and the department list opened in the
 * browser and the figures read from the DOM: the quarter-end rates, the red units as of
 * 2023-06-30 (through the date picker), "as known on" 2023-04-30, the scoring total and grade, the
 * ECharts charts, the list with its rate, and a department whose names carry markup shown as text.
 * Full-page screenshots are kept in test-artifacts/. A missing Chromium fails the suite.
 * Then, without the browser, the dashboard routes' access rules with AUTH on.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { waitFor } from './support/receiver.js';
import { sampleEvents, sampleText } from './support/sample.js';

// Globals of the page, for the functions that run inside the browser (the project's lib has no DOM types).
interface ChartSeries {
  id: string;
  name: string;
  data: (number | null)[];
}
declare const window: {
  echarts: { getInstanceByDom(el: unknown): { getOption(): { series: ChartSeries[] } } };
  __xss?: number;
};
declare const document: {
  getElementById(id: string): unknown;
  addEventListener(
    type: 'securitypolicyviolation',
    listener: (e: { violatedDirective: string; blockedURI: string }) => void,
  ): void;
};
declare function getComputedStyle(el: unknown): { color: string };

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const DEPARTMENT = '/dashboard/yantian-emergency/2023';

/** A second department whose names carry markup: the pages must show it as text. */
const HOSTILE_NAME = '<img src=x onerror="window.__xss=1">应急局"\'&';
const HOSTILE_UNIT = '<script>window.__xss=2</script>科室';
function hostileEvents(): string {
  const base = { department: 'xss-probe', year: 2024 };
  const events = [
    { ...base, id: randomUUID(), type: 'YearOpened', occurredAt: '2024-01-02', data: { departmentName: HOSTILE_NAME } },
    {
      ...base,
      id: randomUUID(),
      type: 'UnitRegistered',
      occurredAt: '2024-01-02',
      data: { unit: 'probe', name: HOSTILE_UNIT },
    },
    {
      ...base,
      id: randomUUID(),
      type: 'BudgetAllocated',
      occurredAt: '2024-01-03',
      data: {
        line: 'probe-line',
        unit: 'probe',
        name: '<b>线</b>',
        category: 'basic',
        economic: 'other',
        source: 'fiscal',
        amount: '1000.00',
      },
    },
    {
      ...base,
      id: randomUUID(),
      type: 'SpendingRecorded',
      occurredAt: '2024-02-05',
      data: { line: 'probe-line', source: 'fiscal', month: '2024-01', amount: '50.00' },
    },
  ];
  return events.map((e) => JSON.stringify(e)).join('\n');
}

async function post(url: string, body: string, type: string): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': type }, body });
}

describe('dashboard in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  /** Console errors, page errors and CSP violations seen by any page. */
  const problems: string[] = [];

  const open = async (path: string): Promise<Page> => {
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror ${path}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text()))
        problems.push(`console ${path}: ${m.text()}`);
    });
    const res = await page.goto(base + path);
    expect(res?.status()).toBe(200);
    return page;
  };

  const chartReady = (page: Page, id: string) => page.waitForSelector(`#${id}[data-ready="true"]`, { timeout: 15_000 });
  const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

  beforeAll(async () => {
    // Fails (not skips) without the browser: .ci/run installs it.
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is required at ${CHROMIUM} for the dashboard test: apt-get install -y chromium fonts-noto-cjk`,
      );
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp('pglite', { projectorPollMs: 50 });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.http.address() as AddressInfo).port}`;

    const ingest = await post(`${base}/api/v1/events`, sampleText(), 'application/x-ndjson');
    expect(ingest.status).toBe(201);
    expect(((await ingest.json()) as { accepted: number }).accepted).toBe(241);
    expect((await post(`${base}/api/v1/events`, hostileEvents(), 'application/x-ndjson')).status).toBe(201);
    await waitFor('the projection to catch up', async () => {
      const p = (await (await fetch(`${base}/api/v1/projections`)).json()) as {
        projections: { behind: number; processed: number }[];
      };
      return p.projections[0]!.behind === 0 && p.projections[0]!.processed === 245;
    });
    // Close every month as the schedule would (day 5 of the next month), for notices and alerts.
    for (let m = 1; m <= 12; m++) {
      const knownOn = m === 12 ? '2024-01-05' : `2023-${String(m + 1).padStart(2, '0')}-05`;
      const r = await post(
        `${base}/api/v1/departments/yantian-emergency/years/2023/months/${m}/close`,
        JSON.stringify({ knownOn }),
        'application/json',
      );
      expect(r.status).toBe(200);
    }

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    context = await browser.newContext({
      viewport: { width: 1360, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    // Every CSP violation reaches the console (and so `problems`).
    await context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test('department page: quarter-end rates, scoring total and grade, charts, notices; same-origin scripts only', async () => {
    const page = await open(DEPARTMENT);
    const quarters = await page.locator('#quarters .quarter .q-rate').allInnerTexts();
    expect(quarters).toEqual(['20.85%', '39.92%', '73.61%', '94.51%']);
    expect(await text(page, '#total-rate')).toBe('94.51%');

    expect(await text(page, '#scoring [data-total]')).toBe('91.70');
    expect(await text(page, '#scoring [data-grade]')).toBe('优');
    expect(await page.locator('#scoring-table tr.subtotal').allInnerTexts()).toEqual([
      expect.stringMatching(/部门决策小计\s+20\s+18\.00/),
      expect.stringMatching(/部门管理小计\s+20\s+19\.00/),
      expect.stringMatching(/部门绩效小计\s+60\s+54\.70/),
    ]);

    // The department curve: an ECharts canvas with the fiscal, all-funds and schedule series.
    await chartReady(page, 'curve-chart');
    await chartReady(page, 'unit-chart');
    expect(await page.locator('#curve-chart canvas').count()).toBeGreaterThan(0);
    const series = await page.evaluate(() => {
      const opt = (id: string) => window.echarts.getInstanceByDom(document.getElementById(id)).getOption();
      return {
        curve: opt('curve-chart').series.map((s) => ({ id: s.id, name: s.name, data: s.data })),
        units: opt('unit-chart').series.map((s) => s.name),
      };
    });
    expect(series.curve.map((s) => s.id)).toEqual(['fiscal', 'all', 'schedule']);
    expect(series.curve.map((s) => s.name)).toEqual(['财政资金执行率', '全部资金执行率', '序时进度']);
    const fiscal = series.curve[0]!.data;
    expect([fiscal[2], fiscal[5], fiscal[8], fiscal[11]]).toEqual([20.85, 39.92, 73.61, 94.51]);
    expect(series.curve[2]!.data[5]).toBe(50);
    expect(series.units).toEqual([
      '办公室',
      '安全生产监督管理科',
      '防灾减灾救灾科',
      '应急指挥信息科',
      '应急管理科',
      '序时进度',
    ]);

    // Latest notices (December) link to the HTML notices.
    const links = await page.locator('#notices-list a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toContain('/api/v1/departments/yantian-emergency/years/2023/notices/department/12?format=html');
    expect(links).toContain('/api/v1/departments/yantian-emergency/years/2023/notices/command/12?format=html');
    const notice = await fetch(base + links[0]!);
    expect(notice.status).toBe(200);
    expect(await notice.text()).toContain('支出情况通报');

    // Content-Security-Policy: scripts from this origin only, no inline handlers anywhere.
    const res = await fetch(base + DEPARTMENT);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    const html = await res.text();
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);

    await page.screenshot({ path: `${ARTIFACTS}dashboard-yantian-2023.png`, fullPage: true });
    await page.close();
  });

  test('"as of" 2023-06-30 through the date picker: the red units, the red department, Q3/Q4 not reached', async () => {
    const page = await open(DEPARTMENT);
    await Promise.all([
      page.waitForURL(/asOf=2023-06-30/),
      page
        .locator('#asOf')
        .fill('2023-06-30')
        .then(() => page.locator('#filters button[type=submit]').click()),
    ]);
    expect(await page.locator('#asOf').inputValue()).toBe('2023-06-30');
    const red = page.locator('#units-table tbody tr[data-level="red"]');
    expect(
      await red.locator('td.name').evaluateAll((tds) => tds.map((td) => td.firstChild!.textContent!.trim())),
    ).toEqual(['应急指挥信息科', '应急管理科']);
    expect(await red.locator('td.level-cell .level').allInnerTexts()).toEqual(['红色预警', '红色预警']);
    // The colour a person sees: the badge is red.
    expect(
      await red
        .locator('td.level-cell .level')
        .first()
        .evaluate((el) => getComputedStyle(el).color),
    ).toBe('rgb(198, 40, 40)');
    expect(
      await page.locator('#units-table tbody tr[data-level="green"] td.level-cell .level').allInnerTexts(),
    ).toEqual(['正常', '正常', '正常']);
    expect(await page.locator('#units-table tbody tr[data-unit="command"] td.rate').innerText()).toBe('16.75%');
    expect(await page.locator('#units-table tbody tr[data-unit="emergency"] td.rate').innerText()).toBe('12.27%');
    expect(await page.locator('#units-table tfoot tr[data-unit="department"]').getAttribute('data-level')).toBe('red');
    expect(await page.locator('#quarters .quarter .q-rate').allInnerTexts()).toEqual(['20.85%', '39.92%', '—', '—']);
    // Alerts open at the end of June and June's notices.
    const alertRows = await page
      .locator('#alerts-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-alert')));
    expect(alertRows).toEqual(
      expect.arrayContaining([
        'alert:yantian-emergency:2023:command:level:red:2',
        'alert:yantian-emergency:2023:emergency:level:red:2',
      ]),
    );
    expect(await page.locator('#notices-list a[data-subject="department"]').getAttribute('href')).toBe(
      '/api/v1/departments/yantian-emergency/years/2023/notices/department/6?format=html',
    );
    // The chart stops at June.
    await chartReady(page, 'curve-chart');
    const fiscal = await page.evaluate(() => {
      return window.echarts.getInstanceByDom(document.getElementById('curve-chart')).getOption().series[0]!.data;
    });
    expect(fiscal.slice(5)).toEqual([39.92, null, null, null, null, null, null]);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-yantian-2023-asof-2023-06-30.png`, fullPage: true });
    await page.close();
  });

  test('"as known on" 2023-04-30: Q1 as it was known then (21.04%)', async () => {
    const page = await open(`${DEPARTMENT}?asOf=2023-03-31`);
    await Promise.all([
      page.waitForURL(/knownOn=2023-04-30/),
      page
        .locator('#knownOn')
        .fill('2023-04-30')
        .then(() => page.locator('#filters button[type=submit]').click()),
    ]);
    expect(await page.locator('#quarters .quarter[data-quarter="1"] .q-rate').innerText()).toBe('21.04%');
    expect(await text(page, '#total-rate')).toBe('21.04%');
    expect(await page.locator('#knownOn').inputValue()).toBe('2023-04-30');
    await chartReady(page, 'curve-chart');
    expect(await page.locator('#curve-chart').getAttribute('data-fiscal-url')).toContain('knownOn=2023-04-30');
    await page.close();
  });

  test('"as known on" 2023-09-30: the score is a range with no grade, what is open is listed', async () => {
    const page = await open(`${DEPARTMENT}?knownOn=2023-09-30`);
    // 预算执行率 3.01975 + 资金调整 1 so far; at most 100 − 6 + 4.51975; 4 missing + 18 not yet due.
    expect(await text(page, '#scoring [data-total]')).toBe('4.02—98.52（尚缺22项）');
    expect(await text(page, '#scoring [data-grade]')).toBe('未定（差—优）');
    expect(await text(page, '#score-kpi')).toBe('4.02—98.52（尚缺22项）');
    expect(await text(page, '#scoring-missing')).toContain('固定资产利用率（缺少：资产报告（AssetsReported））');
    expect(await text(page, '#scoring-not-due')).toMatch(/^尚未到期（18项）：/);
    expect(
      await page.locator('#scoring tr[data-criterion="performance.efficiency.execution"] td.num').last().innerText(),
    ).toBe('3.02—4.52');
    const list = await open('/?knownOn=2023-09-30');
    const row = list.locator('#departments tbody tr', { has: list.locator('a[data-department="yantian-emergency"]') });
    expect(await row.locator('td.score').innerText()).toBe('4.02—98.52（尚缺22项）');
    expect(await row.locator('td.grade').innerText()).toBe('未定（差—优）');
    await list.close();
    await page.close();
  });

  test('department list: the department with its rate and forecast score, filter, sort, link; names shown as text', async () => {
    const page = await open('/');
    const row = page.locator('#departments tbody tr', { has: page.locator('a[data-department="yantian-emergency"]') });
    expect(await row.locator('td.rate').innerText()).toBe('94.51%');
    expect(await row.locator('td.score').innerText()).toBe('91.70');
    expect(await row.locator('td.grade').innerText()).toBe('优');
    expect(await row.locator('.level').innerText()).toBe('黄色预警');

    // Markup in names is text: no element injected, no script run.
    const probe = page.locator('#departments tbody tr', { has: page.locator('a[data-department="xss-probe"]') });
    expect(await probe.locator('a').innerText()).toBe(HOSTILE_NAME);
    expect(await page.locator('#departments img').count()).toBe(0);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    expect(await page.locator('#departments tbody tr').count()).toBe(2);

    // Filter and sort in the page.
    await page.locator('#dept-filter').fill('盐田');
    expect(await page.locator('#departments tbody tr:not(.hidden)').count()).toBe(1);
    expect(await page.locator('#dept-count').innerText()).toBe('显示 1 / 2 个部门年度');
    await page.locator('#dept-filter').fill('');
    await page.locator('button[data-sort="rate"]').click(); // highest rate first
    const order = await page
      .locator('#departments tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-rate')));
    expect(order.map(Number)).toEqual([...order.map(Number)].sort((a, b) => b - a));
    expect(await page.locator('th:has(button[data-sort="rate"])').getAttribute('aria-sort')).toBe('descending');
    await page.screenshot({ path: `${ARTIFACTS}departments.png`, fullPage: true });

    await Promise.all([page.waitForURL(/\/dashboard\/yantian-emergency\/2023$/), row.locator('a').click()]);
    expect(await page.locator('h1').innerText()).toBe('深圳市盐田区应急管理局 2023年度预算执行监控');

    // The hostile department's own page shows its names as text too.
    const hostile = await open('/dashboard/xss-probe/2024');
    expect(await hostile.locator('h1').innerText()).toContain(HOSTILE_NAME);
    expect(await hostile.locator('#units-table tbody tr[data-unit="probe"] td.name').innerText()).toContain(
      HOSTILE_UNIT,
    );
    await chartReady(hostile, 'unit-chart');
    expect(await hostile.evaluate(() => window.__xss)).toBeUndefined();
    await hostile.close();
    await page.close();
  });

  test('data endpoints: the department list and the cumulative curve', async () => {
    const list = (await (await fetch(`${base}/api/v1/departments`)).json()) as { departments: Record<string, any>[] };
    const y = list.departments.find((d) => d.department === 'yantian-emergency')!;
    expect(y).toMatchObject({
      year: 2023,
      rate: '94.51',
      schedule: '100.00',
      lag: '5.49',
      level: 'yellow',
      evaluation: {
        total: '91.70',
        range: { min: '91.70', max: '91.70' },
        grade: '优',
        grades: ['优'],
        status: 'final',
      },
    });
    expect(y.links.dashboard).toBe('/dashboard/yantian-emergency/2023');
    const curve = (await (
      await fetch(`${base}/api/v1/departments/yantian-emergency/years/2023/execution/curve`)
    ).json()) as Record<string, any>;
    expect(curve.months).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect([2, 5, 8, 11].map((i) => curve.total.rate[i])).toEqual(['20.85', '39.92', '73.61', '94.51']);
    expect(curve.schedule.slice(0, 3)).toEqual(['8.33', '16.67', '25.00']);
    expect(curve.units.find((u: { unit: string }) => u.unit === 'command').rate[5]).toBe('16.75');
    const known = (await (
      await fetch(
        `${base}/api/v1/departments/yantian-emergency/years/2023/execution/curve?knownOn=2023-04-30&source=all`,
      )
    ).json()) as Record<string, any>;
    expect(known).toMatchObject({ source: 'all', knownOn: '2023-04-30' });
    const bad = await fetch(`${base}/api/v1/departments/yantian-emergency/years/2023/execution/curve?source=cash`);
    expect(bad.status).toBe(400);
    const page404 = await fetch(`${base}/dashboard/nobody/2023`);
    expect(page404.status).toBe(404);
    expect(page404.headers.get('content-type')).toMatch(/text\/html/);
    const echarts = await fetch(`${base}/static/echarts.min.js`);
    expect(echarts.status).toBe(200);
    expect(echarts.headers.get('content-type')).toMatch(/javascript/);
  });

  test('a spreadsheet uploaded from the department page: a dry run, and a clear refusal for a closed year', async () => {
    const { exportStreamXlsx } = await import('#application/import/sample-export.js');
    const { writeFileSync } = await import('node:fs');
    // The open probe year: its own export, uploaded as a dry run, is found already stored.
    const probeFile = `${ARTIFACTS}xss-probe-2024-export.xlsx`;
    writeFileSync(
      probeFile,
      await exportStreamXlsx(
        hostileEvents()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ),
    );
    const page = await open('/dashboard/xss-probe/2024');
    await page.setInputFiles('#import-file', probeFile);
    await page.click('#import-form button[type="submit"]');
    await page.waitForSelector('#import-result[data-state="previewed"]', { timeout: 15_000 });
    expect(await text(page, '#import-result .import-summary')).toMatch(
      /^预览（未写入）：新增事件 0，重复 [1-9]\d*，更正 0，跳过 \d+ 行，拒绝 0 行$/,
    );
    await page.screenshot({ path: `${ARTIFACTS}dashboard-import.png`, fullPage: false });
    await page.close();

    // The sample year is closed: the page shows why nothing can be imported (a 400 is expected here,
    // so this page is not watched for console errors).
    const closedFile = `${ARTIFACTS}yantian-2023-export.xlsx`;
    writeFileSync(closedFile, await exportStreamXlsx(sampleEvents() as never));
    const closed = await context.newPage();
    await closed.goto(base + DEPARTMENT);
    await closed.setInputFiles('#import-file', closedFile);
    await closed.click('#import-form button[type="submit"]');
    await closed.waitForSelector('#import-result[data-state="error"]', { timeout: 15_000 });
    expect(await closed.locator('#import-result').innerText()).toContain(
      '导入失败：yantian-emergency/2023 is closed (YearClosed)',
    );
    await closed.close();
  });

  test('no script errors and no CSP violations in any page', () => {
    expect(problems).toEqual([]);
  });
});

describe('dashboard routes with access control on', () => {
  let t: TestApp;
  const key: Record<string, string> = {};
  const get = (path: string, who?: string) =>
    request(t.http)
      .get(path)
      .set(who ? { Authorization: `Bearer ${key[who]}` } : {});

  beforeAll(async () => {
    t = await startTestApp('pglite', { auth: true, projectorPollMs: 50 });
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    key.admin = (await keys.create({ role: 'admin', name: 'ops', departments: [] })).key;
    key.finance = (await keys.create({ role: 'finance', name: '区财政局', departments: ['yantian-emergency'] })).key;
    key.stranger = (await keys.create({ role: 'finance', name: '外区', departments: ['elsewhere'] })).key;
    key.unit = (
      await keys.create({ role: 'unit', name: '应急指挥信息科', departments: ['yantian-emergency'], unit: 'command' })
    ).key;
    expect(
      (
        await request(t.http)
          .post('/api/v1/events')
          .set('Authorization', `Bearer ${key.admin}`)
          .set('Content-Type', 'application/x-ndjson')
          .send(sampleText())
      ).status,
    ).toBe(201);
    await waitFor(
      'the projection',
      async () => (await get('/api/v1/projections', 'admin')).body.projections?.[0]?.behind === 0,
    );
  }, 60_000);
  afterAll(async () => t?.close());

  test("the list shows the key's departments only; the curve is a department read; static files are public; pages follow the key's scope", async () => {
    expect((await get('/api/v1/departments')).status).toBe(401);
    expect(
      (await get('/api/v1/departments', 'finance')).body.departments.map((d: { department: string }) => d.department),
    ).toEqual(['yantian-emergency']);
    expect((await get('/api/v1/departments', 'stranger')).body.departments).toEqual([]);
    expect((await get('/api/v1/departments', 'unit')).status).toBe(403);
    const curve = '/api/v1/departments/yantian-emergency/years/2023/execution/curve';
    expect((await get(curve, 'finance')).status).toBe(200);
    expect((await get(curve, 'stranger')).status).toBe(403);
    expect((await get(curve, 'unit')).status).toBe(403);
    expect((await get('/static/dashboard.js')).status).toBe(200);
    expect((await get('/dashboard/yantian-emergency/2023')).status).toBe(401);
    expect((await get('/dashboard/yantian-emergency/2023', 'finance')).status).toBe(200);
    expect((await get('/dashboard/yantian-emergency/2023', 'stranger')).status).toBe(403);
    expect((await get('/dashboard/yantian-emergency/2023', 'unit')).status).toBe(403);
    expect((await get('/dashboard/yantian-emergency/2023', 'admin')).status).toBe(200);
  });

  test('a browser signs in with its key at /login (HttpOnly cookie) and sees only its departments', async () => {
    const page = await request(t.http).get('/').set('Accept', 'text/html');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login');
    const wrong = await request(t.http).post('/login').type('form').send({ key: 'pl_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('密钥无效');
    const ok = await request(t.http).post('/login').type('form').send({ key: key.finance });
    expect(ok.status).toBe(303);
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/paceline_session=.*HttpOnly; SameSite=Strict; Path=\//);
    expect(cookie).not.toContain(key.finance!);
    const list = await request(t.http).get('/').set('Cookie', cookie.split(';')[0]!);
    expect(list.status).toBe(200);
    expect(list.text).toContain('/dashboard/yantian-emergency/2023');
    const strangerLogin = await request(t.http).post('/login').type('form').send({ key: key.stranger });
    const strangerCookie = String(strangerLogin.headers['set-cookie']).split(';')[0]!;
    expect((await request(t.http).get('/').set('Cookie', strangerCookie)).text).not.toContain(
      '/dashboard/yantian-emergency/2023',
    );
    expect((await request(t.http).get('/dashboard/yantian-emergency/2023').set('Cookie', strangerCookie)).status).toBe(
      403,
    );
    const out = await request(t.http).post('/logout').set('Cookie', cookie.split(';')[0]!);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    // The session ended: the same cookie no longer signs in.
    expect((await request(t.http).get('/api/v1/departments').set('Cookie', cookie.split(';')[0]!)).status).toBe(401);
  });
});
