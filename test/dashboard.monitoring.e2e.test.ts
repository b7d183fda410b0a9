/**
 * The dashboard's performance-monitoring views and forms (docs/dashboard.md) through HTTP, on both
 * backends, with API keys on, over the demo department of test/fixtures/monitoring-demo.ts
 * (示范市农业农村局 2025; figures worked out in docs/monitoring.md, "Worked example"):
 * - the department list's monitoring columns, with the roll-up's counts;
 * - the department page's 绩效运行监控 section and a project's page, as of 2025-07-31: figures,
 *   Chinese words, no English codes in the visible text;
 * - the three forms: each files its event (in the log with the data sent, an id made by the server
 *   and occurredAt today in Asia/Shanghai) and redirects back with a confirmation; bad input is the
 *   page again with the Chinese error naming the field, and nothing stored; a unit key, a
 *   read-only key, a cross-site Origin and a closed year are refused;
 * then, in headless Chromium, the project page's chart (no console errors) and a form posted by
 * the browser itself.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { shanghaiDate } from '#application/common/clock.js';
import type { EventInput } from '#domain/events.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import {
  behindEvents,
  calmEvents,
  DEMO,
  monitoringDemoEvents,
  priorYearEvents,
  YEAR,
} from './fixtures/monitoring-demo.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';

const PAGE = `/dashboard/${DEMO}/${YEAR}`;
const SEED = `${PAGE}/projects/p-seed`;
const IRRIGATION = `${PAGE}/projects/p-irrigation`;
/** The origin a browser on this service sends (a loopback name: allowed by default). */
const SAME_ORIGIN = 'http://127.0.0.1';

/** Codes of the monitoring answer that must never reach a page's visible text. */
const CODES =
  /\b(certain|possible|impossible|funding|policy|staffing|equipment|other|in_progress|done|abandoned|explained|unexplained|overdue|spending_ahead|work_ahead|department|unit|line|task|indicator|null|undefined|NaN|true|false)\b|\[object/;

/** &#NN; and the named entities the pages use, as text. */
function decode(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** The visible text of an HTML fragment: tags and the head removed, entities decoded, spaces collapsed. */
function textOf(html: string): string {
  return decode(
    html
      .replace(/<head>[\s\S]*?<\/head>/, '')
      .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first element `<tag …attr…>…</tag>` (not nested in its own kind), or '' when there is none. */
function element(html: string, tag: string, attr: string): string {
  const open = new RegExp(`<${tag}\\b[^>]*${attr.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^>]*>`);
  const m = open.exec(html);
  if (!m) return '';
  const end = html.indexOf(`</${tag}>`, m.index);
  return html.slice(m.index, end + tag.length + 3);
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe.each(BACKENDS)('dashboard monitoring on %s', (backend) => {
  let t: TestApp;
  const key: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${key[who]}` });
  const get = (path: string, who = 'admin') => request(t.http).get(path).set(as(who)).set('Accept', 'text/html');
  const post = (path: string, form: Record<string, string>, who = 'writer', origin = SAME_ORIGIN) =>
    request(t.http).post(path).set(as(who)).set('Origin', origin).type('form').send(form);
  const version = async (department = DEMO, year = YEAR) =>
    (await request(t.http).get(`/api/v1/streams/${department}/${year}/events?limit=1`).set(as('admin'))).body
      .version as number;
  const eventsFrom = async (fromVersion: number, department = DEMO, year = YEAR) =>
    (
      await request(t.http)
        .get(`/api/v1/streams/${department}/${year}/events?fromVersion=${fromVersion}`)
        .set(as('admin'))
    ).body.events as (EventInput & { occurredAt: string })[];

  beforeAll(async () => {
    t = await startTestApp(backend, { auth: true, projectorPollMs: 50, ingestPerMinute: 1000 });
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    const create = async (role: 'admin' | 'writer' | 'finance' | 'unit', departments: string[], unit?: string) =>
      (await keys.create({ role, name: role, departments, ...(unit ? { unit } : {}) })).key;
    key.admin = await create('admin', []);
    key.writer = await create('writer', [DEMO, 'a-calm', 'b-behind']);
    key.finance = await create('finance', [DEMO, 'a-calm', 'b-behind']);
    key.field = await create('unit', [DEMO], 'field');
    const closeCalm2024 = {
      id: 'a-calm-2024-close',
      type: 'YearClosed',
      department: 'a-calm',
      year: 2024,
      occurredAt: '2025-01-10',
    } as unknown as EventInput;
    const streams: EventInput[][] = [
      monitoringDemoEvents(),
      calmEvents(),
      behindEvents(),
      [...priorYearEvents(), closeCalm2024],
    ];
    for (const events of streams) {
      const r = await request(t.http).post('/api/v1/events').set(as('admin')).send(events);
      expect(r.status).toBe(201);
    }
    for (let i = 0; i < 400; i++) {
      const p = await request(t.http).get('/api/v1/projections').set(as('admin'));
      if (p.body.projections?.[0]?.behind === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
  }, 120_000);
  afterAll(async () => t?.close());

  test('the department list: red/yellow projects, unexplained and overdue deviations, targets at risk, divergences', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    const head = element(res.text, 'thead', '');
    for (const [key, label] of [
      ['projects', '红/黄项目'],
      ['unexplained', '未说明偏差'],
      ['overdue', '逾期'],
      ['atrisk', '目标风险'],
      ['divergences', '背离'],
    ])
      expect(head).toMatch(new RegExp(`data-sort="${key}" data-type="num">${label}<`));
    // Each row against the roll-up of the same department-year (each year's default date: the
    // year's end for 2025, since the clock is past it).
    const rollup = (await request(t.http).get('/api/v1/monitoring').set(as('admin'))).body.departments as {
      department: string;
      year: number;
      summary: Record<string, number>;
    }[];
    expect(rollup.length).toBe(4);
    for (const r of rollup) {
      const row = rowOf(res.text, r.department, r.year);
      const s = r.summary;
      expect(row).toContain(`data-projects="${s.redProjects! * 100000 + s.yellowProjects!}"`);
      expect(row).toContain(`data-unexplained="${s.unexplained}" data-overdue="${s.overdue}"`);
      expect(row).toContain(`data-atrisk="${s.targetsAtRisk}" data-divergences="${s.divergences}"`);
    }
    // The demo as of 2025-12-31: both projects red (60.20 and 34.00 against 100); nine subjects
    // open for months without an explanation (p-seed's explanation of 07-15 covers its alert, open
    // since 04-30); the satisfaction target impossible; both projects diverge.
    const demo = rowOf(res.text, DEMO, YEAR);
    expect(cells(demo, 'projects')).toBe('2 0');
    expect([
      cells(demo, 'unexplained'),
      cells(demo, 'overdue'),
      cells(demo, 'atrisk'),
      cells(demo, 'divergences'),
    ]).toEqual(['0', '9', '1', '2']);
    // The calm department stopped in July: the department, its unit and its line are red and overdue; no projects.
    const calm = rowOf(res.text, 'a-calm', YEAR);
    expect([cells(calm, 'projects'), cells(calm, 'overdue'), cells(calm, 'atrisk')]).toEqual(['0 0', '3', '0']);
    // As known on 2025-07-31 the progress reports (recorded 08-05) are not known: nothing at risk.
    const known = await get('/?knownOn=2025-07-31');
    expect(cells(rowOf(known.text, DEMO, YEAR), 'atrisk')).toBe('0');
    expect(known.text).toContain('/api/v1/monitoring?knownOn=2025-07-31');
  });

  test('the department page as of 2025-07-31: the 绩效运行监控 section with projects, explanations and measures', async () => {
    const res = await get(`${PAGE}?asOf=2025-07-31`);
    expect(res.status).toBe(200);
    const section = element(res.text, 'section', 'id="monitoring"');
    expect(textOf(element(section, 'h2', ''))).toBe('绩效运行监控（截至2025年7月31日，财政资金）');
    const chip = (k: string) => textOf(element(section, 'div', `data-summary="${k}"`));
    expect(
      [
        'redProjects',
        'yellowProjects',
        'unexplained',
        'overdue',
        'targetsAtRisk',
        'divergences',
        'overdueMeasures',
      ].map(chip),
    ).toEqual([
      '1 红色预警项目',
      '0 黄色预警项目',
      '1 未说明偏差',
      '2 逾期未说明',
      '1 目标风险',
      '2 背离项目',
      '0 逾期措施',
    ]);
    // Projects: rate against schedule, level, divergence; each links to its page with the page's dates.
    const irrigation = element(section, 'tr', 'data-task="p-irrigation"');
    expect(textOf(irrigation)).toBe(
      '高标准农田建设项目 p-irrigation 规划建设科 1,000,000.00 602,000.00 60.20% 58.33% -1.87 正常 支出快于目标 15.20 目标完成度 45.00% — 无需说明',
    );
    expect(irrigation).toContain(`href="${IRRIGATION}?asOf=2025-07-31"`);
    const seed = element(section, 'tr', 'data-task="p-seed"');
    expect(textOf(seed)).toBe(
      '良种推广补贴项目 p-seed 产业发展科 500,000.00 170,000.00 34.00% 58.33% 24.33 红色预警 目标快于支出 -53.22 目标完成度 87.22% 1项 已说明',
    );
    // Subjects at yellow or red: unexplained and overdue ones marked.
    const status = (subject: string) =>
      /data-status="(\w+)"/.exec(element(section, 'tr', `data-subject="${subject}"`))?.[1];
    expect(['department:', 'unit:field', 'task:p-seed', 'line:l-seed'].map(status)).toEqual([
      'unexplained',
      'overdue',
      'explained',
      'overdue',
    ]);
    expect(element(section, 'tr', 'data-subject="unit:field"')).toMatch(/class="explanation status-overdue"/);
    expect(textOf(element(section, 'tr', 'data-subject="unit:field"'))).toBe(
      '科室 产业发展科 红色预警 2025-06-30 23 逾期未说明 —',
    );
    // The measure of e-seed: done on 07-28.
    expect(textOf(element(section, 'tr', 'data-event="e-seed"'))).toBe(
      '项目 良种推广补贴项目 协调财政尽快拨付配套资金并分批发放补贴 2025-08-31 已完成 2025-07-28 配套资金已到位，补贴已发放',
    );
    expect(textOf(section)).not.toMatch(CODES);
    // The writer gets the forms; the project page link keeps knownOn too.
    expect(section).toContain('id="explanation-form"');
    expect(section).toContain('id="action-form"');
    const knownPage = await get(`${PAGE}?asOf=2025-07-31&knownOn=2025-07-31`);
    expect(knownPage.text).toContain(`href="${SEED}?asOf=2025-07-31&#38;knownOn=2025-07-31"`);
  });

  test('a project page: figures, the curve against the checkpoints, targets with progress, the timeline; in Chinese', async () => {
    const res = await get(`${SEED}?asOf=2025-07-31`);
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(res.text).not.toMatch(/\son[a-z]+\s*=/i);
    const h = res.text;
    expect(textOf(element(h, 'h1', ''))).toBe('良种推广补贴项目 · 绩效运行监控');
    const kpi = (id: string) => textOf(element(h, 'div', `id="${id}"`));
    expect([kpi('project-rate'), kpi('project-schedule'), kpi('project-level')]).toEqual([
      '34.00%',
      '58.33%',
      '红色预警',
    ]);
    expect([kpi('project-year-end'), kpi('project-carry-over'), kpi('project-divergence')]).toEqual([
      '226,666.67',
      '273,333.33',
      '-53.22',
    ]);
    // The curve: 34,000 a month January–May, nothing since; the checkpoints of the default schedule.
    const chart = element(h, 'div', 'id="project-chart"');
    const curve = JSON.parse(decode(/data-curve="([^"]*)"/.exec(chart)?.[1] ?? '{}')) as Record<string, unknown>;
    expect(curve.rate).toEqual([
      '6.80',
      '13.60',
      '20.40',
      '27.20',
      '34.00',
      '34.00',
      '34.00',
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(curve.checkpoints).toEqual([
      { month: 3, date: '2025-03-31', percent: '25.00' },
      { month: 6, date: '2025-06-30', percent: '50.00' },
      { month: 9, date: '2025-09-30', percent: '75.00' },
      { month: 12, date: '2025-12-31', percent: '100.00' },
    ]);
    expect((curve.schedule as string[]).slice(0, 7)).toEqual([
      '8.33',
      '16.67',
      '25.00',
      '33.33',
      '41.67',
      '50.00',
      '58.33',
    ]);
    expect(textOf(element(h, 'tr', 'data-month="5"'))).toBe('5月 500,000.00 170,000.00 34.00% 41.67%');
    expect(count(element(h, 'table', 'id="project-months"'), '<tr data-month=')).toBe(7);
    // Targets: progress bars with the completion ratio; the impossible one at risk, its cause in Chinese.
    const area = element(h, 'tr', 'data-indicator="i-seed-area"');
    expect(area).toContain('<progress class="completion" max="100" value="80.00"');
    expect(textOf(area)).toBe(
      '产出指标 数量指标 良种推广面积 ≥20000亩 16000亩 截至2025-07-31 21000亩 确定能 80.00% 80.00% — —',
    );
    const sat = element(h, 'tr', 'data-indicator="i-seed-sat"');
    expect(sat).toContain('class="at-risk"');
    expect(textOf(sat)).toBe(
      '满意度指标 服务对象满意度指标 农户满意度 ≥90% 85% 截至2025-07-31 86% 完全不可能 有完不成风险 94.44% 94.44% 其他 部分农户对补贴发放进度不满意 开展补贴政策宣讲并公开发放进度',
    );
    // The explanation status of the project and its line.
    const ex = element(h, 'table', 'id="project-explanations-table"');
    expect(textOf(element(ex, 'tr', 'data-subject="task:p-seed"'))).toMatch(
      /^项目 良种推广补贴项目 红色预警 2025-04-30 62 已说明 2025-07-15 经费保障/,
    );
    expect(element(ex, 'tr', 'data-subject="line:l-seed"')).toContain('data-status="overdue"');
    // The timeline, oldest first: the explanation, its two follow-ups, the progress report's measure.
    const timeline = element(h, 'ol', 'id="timeline"');
    expect([...timeline.matchAll(/data-event="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'e-seed',
      'c-seed-1',
      'c-seed-2',
      'pr-seed-sat',
    ]);
    expect(textOf(element(timeline, 'li', 'data-event="e-seed"'))).toBe(
      '2025-07-15 偏差说明 · 项目 良种推广补贴项目 经费保障 登记于 2025-07-16 原因：省级配套资金未到位，补贴资金暂缓拨付 纠偏措施：协调财政尽快拨付配套资金并分批发放补贴（完成时限 2025-08-31） 已完成',
    );
    expect(textOf(element(timeline, 'li', 'data-event="c-seed-1"'))).toMatch(
      /^2025-07-20 整改进展 · 进行中 已向财政局报送拨付申请/,
    );
    expect(textOf(element(timeline, 'li', 'data-event="pr-seed-sat"'))).toBe(
      '2025-07-31 进度填报 · 农户满意度：实际完成 85% · 完成目标可能性 完全不可能 登记于 2025-08-05 偏差原因： 其他 部分农户对补贴发放进度不满意 完善措施：开展补贴政策宣讲并公开发放进度 未反馈',
    );
    expect(textOf(h)).not.toMatch(CODES);

    // A qualitative target is shown as text; as known on 07-31 the progress reports are not known yet.
    const irrigation = await get(`${IRRIGATION}?asOf=2025-07-31`);
    expect(textOf(element(irrigation.text, 'tr', 'data-indicator="i-irr-quality"'))).toContain('定性指标：初步提升');
    expect(textOf(irrigation.text)).not.toMatch(CODES);
    const known = await get(`${SEED}?asOf=2025-07-31&knownOn=2025-07-31`);
    expect(textOf(element(known.text, 'tr', 'data-indicator="i-seed-area"'))).toContain('9000亩 截至2025-06-30');
    expect(element(known.text, 'ol', 'id="timeline"')).not.toContain('pr-seed-sat');
    // Bad parameters and unknown projects are pages too.
    expect((await get(`${PAGE}/projects/p-none`)).status).toBe(404);
    expect((await get(`${PAGE}/projects/k-report`)).status).toBe(404); // key work, not a project
    expect((await get(`${SEED}?asOf=2025-02-30`)).status).toBe(400);
  });

  test('偏差说明: filed through ingest, in the log with the data sent, then the page says so once', async () => {
    const before = await version();
    const res = await post(`${PAGE}/explanations`, {
      subject: 'unit:field',
      asOf: '2025-07-31',
      cause: 'staffing',
      reason: '科室人员调整，项目推进滞后',
      measure: '调配人员专人负责补贴发放',
      due: '2025-09-30',
      back: '',
      pageAsOf: '2025-07-31',
      pageKnownOn: '',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${PAGE}?asOf=2025-07-31&filed=explanation#monitoring`);
    const [event, ...more] = await eventsFrom(before + 1);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: 'DeviationExplained',
      department: DEMO,
      year: YEAR,
      occurredAt: shanghaiDate(new Date()),
      data: {
        subject: { kind: 'unit', id: 'field' },
        asOf: '2025-07-31',
        cause: 'staffing',
        reason: '科室人员调整，项目推进滞后',
        measure: '调配人员专人负责补贴发放',
        due: '2025-09-30',
      },
    });
    expect(event?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // Back on the page: the confirmation once, the unit explained now (its alert opened 06-30).
    const page = await get(res.headers.location!.replace(/#.*/, ''));
    expect(count(textOf(page.text), '偏差说明已提交。')).toBe(1);
    expect(element(page.text, 'tr', 'data-subject="unit:field"')).toContain('data-status="explained"');
    expect(textOf(element(page.text, 'div', 'data-summary="overdue"'))).toBe('1 逾期未说明');
  });

  test('进度填报 and 整改进展 from a project page: each event lands in the log and the page shows it', async () => {
    const before = await version();
    const progress = await post(`${PAGE}/progress`, {
      indicator: 'i-irr-area',
      asOf: '2025-08-31',
      actual: '3000亩',
      expectedYearEnd: '5000亩',
      likelihood: 'certain',
      cause: '',
      reason: '',
      measure: '',
      back: 'p-irrigation',
    });
    expect(progress.status).toBe(303);
    expect(progress.headers.location).toBe(`${IRRIGATION}?filed=progress#filed-message`);
    const action = await post(`${PAGE}/actions`, {
      explanation: 'pr-seed-sat',
      on: '2025-08-10',
      status: 'in_progress',
      note: '已在三个乡镇组织政策宣讲',
      back: 'p-seed',
      pageAsOf: '2025-08-31',
    });
    expect(action.status).toBe(303);
    expect(action.headers.location).toBe(`${SEED}?asOf=2025-08-31&filed=action#filed-message`);
    const events = await eventsFrom(before + 1);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      [
        'IndicatorProgressReported',
        {
          indicator: 'i-irr-area',
          asOf: '2025-08-31',
          actual: '3000亩',
          expectedYearEnd: '5000亩',
          likelihood: 'certain',
        },
      ],
      [
        'CorrectiveActionReported',
        { explanation: 'pr-seed-sat', on: '2025-08-10', status: 'in_progress', note: '已在三个乡镇组织政策宣讲' },
      ],
    ]);
    expect(events.every((e) => e.occurredAt === shanghaiDate(new Date()))).toBe(true);
    const irrigation = await get(`${IRRIGATION}?filed=progress`);
    expect(textOf(element(irrigation.text, 'p', 'id="filed-message"'))).toBe('进度填报已提交。');
    expect(element(irrigation.text, 'tr', 'data-indicator="i-irr-area"')).toContain('value="60.00"');
    const seed = await get(`${SEED}?asOf=2025-08-31&filed=action`);
    expect(count(textOf(seed.text), '整改进展已提交。')).toBe(1);
    const entry = element(seed.text, 'li', 'data-measure="pr-seed-sat"');
    expect(textOf(entry)).toMatch(/^2025-08-10 整改进展 · 进行中 已在三个乡镇组织政策宣讲/);
    expect(textOf(element(seed.text, 'li', 'data-event="pr-seed-sat"'))).toMatch(/进行中$/);
  });

  test('bad input: the page again (400) with each Chinese error once, naming its field; nothing stored', async () => {
    const before = await version();
    const res = await post(`${PAGE}/explanations`, {
      subject: 'task:p-seed',
      asOf: '2025-07-31',
      cause: 'funding',
      reason: '   ',
      measure: '加快拨付',
      due: '2025-07-01',
      back: 'p-seed',
      pageAsOf: '2025-07-31',
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const errors = element(res.text, 'ul', 'id="explanation-errors"');
    expect([...errors.matchAll(/<li data-field="(\w+)">([^<]*)<\/li>/g)].map((m) => [m[1], decode(m[2]!)])).toEqual([
      ['reason', '「原因说明」不能为空。'],
      ['due', '「完成时限」不能早于「说明截至日期」（2025-07-31）。'],
    ]);
    const text = textOf(res.text);
    expect(count(text, '「原因说明」不能为空。')).toBe(1);
    // The project page again, with what was typed kept and the fields marked.
    expect(textOf(element(res.text, 'h1', ''))).toBe('良种推广补贴项目 · 绩效运行监控');
    expect(element(res.text, 'textarea', 'id="explanation-measure"')).toContain('加快拨付</textarea>');
    expect(element(res.text, 'textarea', 'id="explanation-reason"')).toContain('aria-invalid="true"');
    expect(text).not.toMatch(CODES);

    const progress = await post(`${PAGE}/progress`, {
      indicator: 'i-seed-area',
      asOf: '2024-12-31',
      actual: '17000亩',
      likelihood: 'possible',
      back: 'p-seed',
    });
    expect(progress.status).toBe(400);
    expect(
      [...element(progress.text, 'ul', 'id="progress-errors"').matchAll(/<li data-field="(\w+)">([^<]*)<\/li>/g)].map(
        (m) => decode(m[2]!),
      ),
    ).toEqual([
      '「填报截至日期」须在2025年内。',
      '「完成目标可能性」为“有可能”时须选择「偏差原因」。',
      '「完成目标可能性」为“有可能”时须填写「偏差原因说明」。',
      '「完成目标可能性」为“有可能”时须填写「完善措施」。',
    ]);
    const unknown = await post(`${PAGE}/explanations`, { subject: 'unit:nobody', back: '' });
    expect(unknown.status).toBe(400);
    expect(textOf(element(unknown.text, 'ul', 'id="explanation-errors"'))).toContain(
      '「说明对象」无效，请从列表中选择。',
    );
    expect(textOf(element(unknown.text, 'h1', ''))).toBe('示范市农业农村局 2025年度预算执行监控');
    const action = await post(`${PAGE}/actions`, { explanation: 'e-nothing', on: '2025-13-01', status: 'finished' });
    expect(action.status).toBe(400);
    expect(textOf(element(action.text, 'ul', 'id="action-errors"'))).toBe(
      '「整改措施」无效，请从列表中选择。 「进展日期」须为有效日期（年-月-日），例如 2025-07-31。 「整改状态」无效，请从列表中选择。 「进展说明」不能为空。',
    );
    expect(await version()).toBe(before);
  });

  test('who may file: a unit key for its own unit only, read-only keys never; a cross-site Origin is refused; a closed year has no forms', async () => {
    const before = await version();
    const form = {
      subject: 'unit:plan',
      asOf: '2025-07-31',
      cause: 'funding',
      reason: '资金未到位',
      measure: '协调拨付',
    };
    // A unit key (产业发展科, `field`) files for its own unit only: another unit is refused, nothing stored.
    expect((await post(`${PAGE}/explanations`, form, 'field')).status).toBe(403);
    // Through the API the same rules: other types are a 403, a report about another unit a 400 naming the field.
    const unitEvent = (type: string, data: Record<string, unknown>) => ({
      id: `unit-${type}`,
      type,
      department: DEMO,
      year: YEAR,
      occurredAt: `${YEAR}-08-01`,
      data,
    });
    const notMonitoring = await request(t.http)
      .post('/api/v1/events')
      .set(as('field'))
      .send(unitEvent('UnitRegistered', { unit: 'x', name: 'x' }));
    expect(notMonitoring.status).toBe(403);
    const otherUnit = await request(t.http)
      .post('/api/v1/events')
      .set(as('field'))
      .send(
        unitEvent('DeviationExplained', {
          subject: { kind: 'unit', id: 'plan' },
          asOf: `${YEAR}-07-31`,
          cause: 'funding',
          reason: '资金未到位',
          measure: '协调拨付',
        }),
      );
    expect(otherUnit.status).toBe(400);
    expect(otherUnit.body.errors).toEqual([
      {
        index: 0,
        id: 'unit-DeviationExplained',
        path: 'data.subject',
        reason: 'is about unit "plan": a unit key files only for its own unit "field"',
      },
    ]);
    // Its own project's page has the forms; another unit's project is not there.
    const own = await get(SEED, 'field');
    expect(own.status).toBe(200);
    expect(own.text).toContain('id="explanation-form"');
    expect((await get(IRRIGATION, 'field')).status).toBe(404);
    // A read-only finance key: pages without forms, posts refused.
    const finance = await get(PAGE, 'finance');
    expect(finance.status).toBe(200);
    expect(finance.text).not.toContain('id="explanation-form"');
    expect((await post(`${PAGE}/actions`, { explanation: 'e-seed' }, 'finance')).status).toBe(403);
    // A page of another site posting with the writer's credentials.
    const forged = await post(`${PAGE}/explanations`, form, 'writer', 'https://evil.example');
    expect(forged.status).toBe(403);
    expect(forged.body.errors[0].path).toBe('origin');
    // Not a form: refused before it is read.
    const json = await request(t.http)
      .post(`${PAGE}/explanations`)
      .set(as('writer'))
      .set('Origin', SAME_ORIGIN)
      .send(form);
    expect(json.status).toBe(415);
    expect(await version()).toBe(before);

    // A browser session signed in at /login files the same way (cookie, same origin).
    const login = await request(t.http).post('/login').type('form').send({ key: key.writer });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const viaCookie = await request(t.http)
      .post(`${PAGE}/explanations`)
      .set('Cookie', cookie)
      .set('Origin', SAME_ORIGIN)
      .type('form')
      .send({ ...form, back: '' });
    expect(viaCookie.status).toBe(303);
    expect(await version()).toBe(before + 1);
    // The unit key files its own unit's explanation.
    const ownUnit = await post(`${PAGE}/explanations`, { ...form, subject: 'unit:field', back: '' }, 'field');
    expect(ownUnit.status).toBe(303);
    expect(await version()).toBe(before + 2);

    // The closed year: no forms, and a post is refused with the reason; nothing stored.
    const closed = await get('/dashboard/a-calm/2024', 'writer');
    expect(closed.status).toBe(200);
    expect(textOf(element(closed.text, 'p', 'id="forms-unavailable"'))).toBe(
      '该年度已结账，不能再填报偏差说明、进度和整改进展。',
    );
    const closedVersion = await version('a-calm', 2024);
    const late = await post('/dashboard/a-calm/2024/explanations', {
      subject: 'department',
      asOf: '2024-12-31',
      cause: 'other',
      reason: '年末',
      measure: '无',
    });
    expect(late.status).toBe(400);
    expect(textOf(late.text)).toContain('该年度已结账');
    expect(await version('a-calm', 2024)).toBe(closedVersion);
    expect((await post('/dashboard/nobody/2025/explanations', form, 'admin')).status).toBe(404);
  });
});

/** The row of a department-year in the list. */
function rowOf(html: string, department: string, year: number): string {
  const rows = html.match(/<tr data-name="[^"]*"[\s\S]*?<\/tr>/g) ?? [];
  return rows.find((r) => r.includes(`data-department="${department}"`) && r.includes(`data-year="${year}"`)) ?? '';
}

/** The text of a list row's cell by its data-field. */
function cells(row: string, field: string): string {
  return textOf(element(row, 'td', `data-field="${field}"`));
}

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

// Globals of the page, for the functions that run inside the browser (the project's lib has no DOM types).
declare const window: {
  echarts: {
    getInstanceByDom(el: unknown): { getOption(): { series: { id: string; data: (number | null)[] }[] } };
  };
};
declare const document: {
  getElementById(id: string): unknown;
  addEventListener(
    type: 'securitypolicyviolation',
    listener: (e: { violatedDirective: string; blockedURI: string }) => void,
  ): void;
};

describe('the project page in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  const problems: string[] = [];

  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
    page.on('pageerror', (e) => problems.push(`pageerror ${path}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text()))
        problems.push(`console ${path}: ${m.text()}`);
    });
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
      ),
    );
    const res = await page.goto(base + path);
    expect(res?.status()).toBe(200);
    return page;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is required at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk`);
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp('pglite', { projectorPollMs: 50 });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.http.address() as AddressInfo).port}`;
    const r = await fetch(`${base}/api/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(monitoringDemoEvents()),
    });
    expect(r.status).toBe(201);
    for (let i = 0; i < 400; i++) {
      const p = (await (await fetch(`${base}/api/v1/projections`)).json()) as { projections: { behind: number }[] };
      if (p.projections[0]?.behind === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      headless: true,
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test('the chart is drawn against the checkpoints, a form posted by the browser files and comes back, no console errors', async () => {
    // From the department page's monitoring section to the project's page, keeping the date.
    const list = await open('/');
    await list.screenshot({ path: `${ARTIFACTS}departments-monitoring.png`, fullPage: true });
    await list.close();
    const department = await open(`${PAGE}?asOf=2025-07-31`);
    await department.locator('#monitoring').screenshot({ path: `${ARTIFACTS}dashboard-monitoring-section.png` });
    await Promise.all([
      department.waitForURL(/\/projects\/p-seed\?asOf=2025-07-31$/),
      department.locator('#projects-table a[data-task="p-seed"]').click(),
    ]);
    await department.close();

    const page = await open(`${SEED}?asOf=2025-07-31`);
    await page.waitForSelector('#project-chart[data-ready="true"]', { timeout: 15_000 });
    expect(await page.locator('#project-chart canvas').count()).toBeGreaterThan(0);
    const series = await page.evaluate(() =>
      window.echarts
        .getInstanceByDom(document.getElementById('project-chart'))
        .getOption()
        .series.map((s) => ({ id: s.id, data: s.data })),
    );
    expect(series.map((s) => s.id)).toEqual(['project', 'schedule', 'checkpoints']);
    expect(series[0]!.data.slice(0, 8)).toEqual([6.8, 13.6, 20.4, 27.2, 34, 34, 34, null]);
    expect(series[2]!.data).toEqual([null, null, 25, null, null, 50, null, null, 75, null, null, 100]);
    expect(await page.locator('#targets-table progress').count()).toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-project-p-seed.png`, fullPage: true });

    // The 整改进展 form, filled and sent by the browser (its own Origin header): back with the confirmation.
    await page.selectOption('#action-explanation', 'pr-seed-sat');
    await page.fill('#action-on', '2025-08-12');
    await page.selectOption('#action-status', 'done');
    await page.fill('#action-note', '宣讲完成，满意度回升');
    await Promise.all([page.waitForURL(/filed=action/), page.click('#action-form button[type="submit"]')]);
    expect(await page.locator('#filed-message').innerText()).toBe('整改进展已提交。');
    await page.waitForSelector('#project-chart[data-ready="true"]', { timeout: 15_000 });
    await page.close();
    expect(problems).toEqual([]);
  });
});
