/**
 * The year-end self-evaluation end to end through HTTP on both backends: the sample ingested as
 * NDJSON, the JSON evaluation with FRAMEWORK.md's expected figures, the forecast before year end,
 * the xlsx opened with exceljs, the HTML report (escaped), and the PDF (or 503 without Chromium).
 */
import { existsSync } from 'node:fs';
import ExcelJS from 'exceljs';
import request from 'supertest';
import {
  almostEmptyYear,
  asDepartment,
  sampleWithMidYearReports,
  sampleWithout,
} from '#domain/testing/evaluation.fixture.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { independentFigures } from './support/independent.js';
import { sampleEvents, sampleText } from './support/sample.js';

const URL = '/api/v1/departments/yantian-emergency/years/2023/evaluation';

/** Collects a binary response body as a Buffer. */
function binary(res: request.Response, done: (err: Error | null, body: unknown) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** The bytes as an ArrayBuffer (what exceljs' load() is typed to take). */
const arrayBuffer = (b: Buffer): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** Every numeric leaf's key in a JSON value. */
function numericKeys(value: unknown, key = '', out = new Set<string>()): Set<string> {
  if (typeof value === 'number') out.add(key);
  else if (Array.isArray(value)) value.forEach((v) => numericKeys(v, key, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) numericKeys(v, k, out);
  return out;
}

type Criterion = {
  id: string;
  score: string;
  exact: string;
  kind: string;
  how: { formula: string; inputs: Record<string, string> };
  evidence: string | null;
  sources: string[];
  items?: Criterion[];
};
const find = (criteria: Criterion[], id: string): Criterion => {
  const all = criteria.flatMap((c) => [c, ...(c.items ?? [])]);
  const c = all.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id}`);
  return c;
};

describe.each(BACKENDS)('evaluation API on %s', (backend) => {
  let t: TestApp;
  let body: Record<string, any>;

  beforeAll(async () => {
    t = await startTestApp(backend);
    const res = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(sampleText());
    expect(res.status).toBe(201);
    expect(res.body.accepted).toBe(241);
    const got = await request(t.http).get(URL);
    expect(got.status).toBe(200);
    body = got.body;
  });
  afterAll(async () => t.close());

  test('the sample year: 91.70 优, subtotals 18 / 19 / 54.70, final', () => {
    expect(body).toMatchObject({
      department: 'yantian-emergency',
      year: 2023,
      departmentName: '深圳市盐田区应急管理局',
      status: 'final',
      dueAsOf: null,
      note: null,
      grade: '优',
      grades: ['优'],
      missing: [],
      notDue: [],
    });
    expect(body.range).toEqual({ min: body.total, max: body.total });
    expect(body.total.score).toBe('91.70');
    expect(body.total.exact).toMatch(/^91\.7034/);
    expect(body.asOf).toBe('2024-01-31');
    expect(body.eventsConsidered).toBe(241);
    expect(body.level1.map((g: { id: string; score: string }) => [g.id, g.score])).toEqual([
      ['decision', '18.00'],
      ['management', '19.00'],
      ['performance', '54.70'],
    ]);
    expect(body.criteria).toHaveLength(21);
    expect(body.framework.id).toBe('shenzhen-department-overall');
  });

  test('scores are decimal strings; the only JSON numbers are counts and the year', () => {
    expect([...numericKeys(body)].sort()).toEqual(['applicable', 'defined', 'eventsConsidered', 'met', 'year']);
    for (const c of body.criteria as Criterion[]) {
      expect(c.score).toMatch(/^\d+\.\d{2}$/);
      expect(c.exact).toMatch(/^\d+(\.\d+)?$/);
    }
  });

  test('every criterion says how it was computed and where it came from', () => {
    const criteria = body.criteria as Criterion[];
    const execution = find(criteria, 'performance.efficiency.execution');
    expect(execution.score).toBe('4.70');
    expect(execution.how.inputs).toMatchObject({
      q1Rate: '20.85',
      q2Rate: '39.92',
      q3Rate: '73.61',
      q4Rate: '94.51',
      averagePart: '1.1445',
    });
    expect(execution.how.formula).toContain('一季度 20.85% / 序时进度 25% = 0.834');
    expect(execution.sources).toContain(sampleEvents()[0]!.id);
    expect(find(criteria, 'performance.economy.public_funds')).toMatchObject({
      score: '4.00',
      how: { inputs: { threePublicRate: '100.00', routinePublicRate: '99.99' } },
    });
    expect(find(criteria, 'management.staff.contract')).toMatchObject({
      score: '0.00',
      how: { inputs: { rate: '75.53' } },
    });
    const compliance = find(criteria, 'management.funds.compliance');
    expect(compliance.kind).toBe('composite');
    expect(compliance.items!.map((i) => [i.id, i.score])).toEqual([
      ['management.funds.compliance.spending', '1.00'],
      ['management.funds.compliance.adjustment', '1.00'],
      ['management.funds.compliance.accounting', '1.00'],
    ]);
    expect(find(criteria, 'management.funds.compliance.adjustment').how.formula).toContain('4,095,000.00');
    const clarity = find(criteria, 'decision.goals.clarity');
    const assessment = sampleEvents().find(
      (e) => e.type === 'AssessmentRecorded' && e.data.criterion === 'decision.goals.clarity',
    )!;
    expect(clarity).toMatchObject({
      kind: 'judged',
      score: '5.00',
      evidence: assessment.data.evidence,
      sources: [assessment.id],
    });
    for (const c of criteria) expect(c.how.formula.length).toBeGreaterThan(0);
  });

  test('indicators 12 applicable, 11 met; effect suggestion 22.92', () => {
    expect(body.indicators).toMatchObject({ defined: 15, applicable: 12, met: 11 });
    expect(body.indicators.items.find((i: { indicator: string }) => i.indicator === 'cost-exec')).toMatchObject({
      target: '≥95%',
      actual: '94.5%',
      status: 'not_met',
    });
    expect(body.effectSuggestion).toMatchObject({ criterion: 'performance.effect', score: '22.92' });
    expect(body.effectSuggestion.formula).toContain('25 × 达成指标 11 / 适用指标 12');
  });

  test('reconciliation with the submitted 95.7: exactly two score findings and the total', () => {
    const rec = body.reconciliation;
    expect(rec.findings.map((f: Record<string, string>) => [f.criterion, f.kind, f.submitted, f.computed])).toEqual([
      ['decision.goals.completeness', 'exceeds_weight', '5', '3.00'],
      ['performance.fairness.satisfaction', 'differs', '6', '4.00'],
    ]);
    expect(rec.findings[0].reason).toContain('超过该指标分值 3 分');
    expect(rec.findings[1].reason).toContain('90%');
    expect(rec.totalFindings.map((f: Record<string, string>) => [f.kind, f.submitted, f.expected])).toEqual([
      ['total_vs_computed', '95.7', '91.70'],
    ]);
    expect(rec).toMatchObject({ submittedTotal: '95.7', computedTotal: '91.70', computedGrade: '优' });
  });

  test('budget tasks for the year as corrected match an independent computation from the JSONL', () => {
    const safety = body.budget.tasks.find((x: { name: string }) => x.name === '安全生产工作');
    const all = independentFigures({ unit: 'safety', date: '2023-12-31', month: 12, source: 'all' });
    const fiscal = independentFigures({ unit: 'safety', date: '2023-12-31', month: 12, source: 'fiscal' });
    expect(safety).toMatchObject({
      budget: { total: all.budget, fiscal: fiscal.budget },
      spent: { total: all.spent, fiscal: fiscal.spent },
    });
    const total = independentFigures({ unit: null, date: '2023-12-31', month: 12, source: 'all' });
    expect(body.budget.total.budget.total).toBe(total.budget);
    expect(body.budget.total.spent.total).toBe(total.spent);
    expect(body.budget.tasks.map((x: { name: string }) => x.name)).toEqual([
      '单位日常运转',
      '保障单位人员支出',
      '安全生产工作',
      '自然灾害防治工作',
      '政府投资项目支出',
      '应急管理工作',
    ]);
  });

  test('before year end the evaluation is a running forecast of the figures so far, its total a range', async () => {
    const res = await request(t.http).get(URL).query({ knownOn: '2023-09-30' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'forecast',
      knownOn: '2023-09-30',
      dueAsOf: '2023-09-30',
      reconciliation: null,
    });
    expect(res.body.asOf <= '2023-09-30').toBe(true);
    expect(res.body.eventsConsidered).toBe(
      sampleEvents().filter((e) => e.occurredAt.slice(0, 10) <= '2023-09-30').length,
    );
    // 预算执行率 so far 0.834 + 0.7984 + 59.10 / 75 = 0.788 + (20.85 + 39.92 + 59.10) / 200 = 0.59935 → 3.01975,
    // 资金调整 1; at most: 四季度 1.5 more, everything else at its weight (100 − 6 + 4.51975).
    expect(res.body.total).toEqual({ score: '4.02', exact: '4.01975' });
    expect(res.body.range).toEqual({
      min: { score: '4.02', exact: '4.01975' },
      max: { score: '98.52', exact: '98.51975' },
    });
    expect(res.body).toMatchObject({ grade: null, grades: ['差', '中', '良', '优'] });
    expect(res.body.note).toBe(
      '预测：2023 年度尚未结束（截至 2023-09-30 已知的日志中无 YearClosed），按截至 2023-09-30 的数据计算；' +
        '18 项尚未到期、4 项缺少数据或评定，目前按0分计、最高按满分计：目前得分 4.02 分，最高可达 98.52 分，' +
        '评分等级尚未确定（差—优）；得分将随后续事件变化。',
    );
    const criteria = res.body.criteria as (Criterion & Record<string, any>)[];
    const execution = find(criteria, 'performance.efficiency.execution') as Criterion & Record<string, any>;
    expect(execution).toMatchObject({
      score: '3.02',
      max: { score: '4.52', exact: '4.51975' },
      notDue: true,
      missing: false,
      pending: '尚未到期：四季度尚未到季末',
      how: { inputs: { q2Rate: '39.92', q3Rate: '59.10', quartersReached: '3', averagePart: '0.5994' } },
    });
    expect(find(criteria, 'performance.economy.public_funds')).toMatchObject({
      score: '0.00',
      max: { score: '6.00' },
      notDue: true,
      pending: '尚未到期：按全年数据计算，2023-12-31 后计分',
    });
    expect(find(criteria, 'decision.budget.rationality')).toMatchObject({
      score: '0.00',
      missing: false,
      notDue: true,
      pending: '尚未到期：年度结束后评定（AssessmentRecorded）',
    });
    expect(res.body.missing.map((m: Record<string, string>) => [m.name, m.reason])).toEqual([
      ['政府采购执行情况', '缺少：政府采购执行情况（ProcurementReported）'],
      ['固定资产利用率', '缺少：资产报告（AssetsReported）'],
      ['财政供养人员控制率', '缺少：人员情况报告（HeadcountReported）'],
      ['编外人员控制率', '缺少：人员情况报告（HeadcountReported）'],
    ]);
    expect(res.body.notDue).toHaveLength(18);
    expect(
      res.body.notDue.find((n: Record<string, string>) => n.criterion === 'performance.efficiency.execution'),
    ).toEqual({
      criterion: 'performance.efficiency.execution',
      name: '预算执行率',
      weight: '6',
      score: '3.02',
      max: '4.52',
      reason: '尚未到期：四季度尚未到季末',
    });
    // As known on 06-30: two quarters (June's spending is recorded on 07-05): 0.834 + 32.02 / 50 = 0.6404 +
    // (20.85 + 32.02) / 200 = 0.26435 → 1.73875; + 资金调整 1; at most 100 − 6 + 1.73875 + 2 × 1.5.
    const june = await request(t.http).get(URL).query({ knownOn: '2023-06-30' });
    expect(june.body.range).toEqual({
      min: { score: '2.74', exact: '2.73875' },
      max: { score: '98.74', exact: '98.73875' },
    });
    expect(find(june.body.criteria, 'performance.efficiency.execution').how.inputs).toMatchObject({
      q2Rate: '32.02',
      quartersReached: '2',
    });
    const closedOn = await request(t.http).get(URL).query({ knownOn: '2024-01-31' });
    expect(closedOn.body).toMatchObject({ status: 'final', total: { score: '91.70' }, grade: '优' });
  });

  test('staffing and procurement reported mid-year count in the forecast', async () => {
    const events = asDepartment(sampleWithMidYearReports(), 'midyear-sample');
    expect((await request(t.http).post('/api/v1/events').send(events)).status).toBe(201);
    const res = await request(t.http)
      .get('/api/v1/departments/midyear-sample/years/2023/evaluation')
      .query({ knownOn: '2023-09-30' });
    const criteria = res.body.criteria as Criterion[];
    expect(find(criteria, 'management.staff.funded')).toMatchObject({ score: '1.00', notDue: false, missing: false });
    expect(find(criteria, 'management.staff.contract')).toMatchObject({ score: '0.00', max: { score: '0.00' } });
    expect(find(criteria, 'management.funds.procurement')).toMatchObject({ score: '1.50', max: { score: '1.50' } });
    // 4.01975 + 1 + 0 + 1.5; at most 98.51975 − 1 − 0.5.
    expect(res.body.range).toEqual({
      min: { score: '6.52', exact: '6.51975' },
      max: { score: '97.02', exact: '97.01975' },
    });
    // The year end is the sample's: the year-end reports come later in the stream.
    const year = await request(t.http).get('/api/v1/departments/midyear-sample/years/2023/evaluation');
    expect(year.body).toMatchObject({ status: 'final', total: { score: '91.70' }, grade: '优' });
  });

  test('a closed year missing a report and an assessment is incomplete: 85.70—93.70, 良—优, no grade', async () => {
    const events = asDepartment(
      sampleWithout({ types: ['AssetsReported'], assessments: ['decision.goals.clarity'] }),
      'incomplete-sample',
    );
    expect((await request(t.http).post('/api/v1/events').send(events)).status).toBe(201);
    const url = '/api/v1/departments/incomplete-sample/years/2023/evaluation';
    const res = await request(t.http).get(url);
    expect(res.status).toBe(200);
    // 91.7034166… without 固定资产利用率 (1) and 绩效指标明确性 (assessed 5): 85.7034166…; both at their
    // weight (1 + 7): 93.7034166….
    expect(res.body).toMatchObject({
      status: 'incomplete',
      dueAsOf: null,
      total: { score: '85.70' },
      range: {
        min: { score: '85.70', exact: '85.70341666666666666666666666666666666667' },
        max: { score: '93.70', exact: '93.70341666666666666666666666666666666667' },
      },
      grade: null,
      grades: ['良', '优'],
      notDue: [],
    });
    expect(res.body.missing).toEqual([
      {
        criterion: 'decision.goals.clarity',
        name: '绩效指标明确性',
        weight: '7',
        score: '0.00',
        max: '7.00',
        reason: '尚未评定（AssessmentRecorded）',
      },
      {
        criterion: 'management.assets.utilization',
        name: '固定资产利用率',
        weight: '1',
        score: '0.00',
        max: '1.00',
        reason: '缺少：资产报告（AssetsReported）',
      },
    ]);
    expect(res.body.note).toMatch(
      /^结果不完整：2023 年度已结账，但 2 项指标缺少数据或评定（绩效指标明确性、固定资产利用率）/,
    );
    expect(res.body.reconciliation).toMatchObject({ computedGrade: null, computedGrades: ['良', '优'] });

    // The HTML report: no 最终结果, the missing list and the range.
    const html = (await request(t.http).get(`${url}.html`)).text;
    expect(html).toContain('<span class="status incomplete">结果不完整</span>');
    expect(html).not.toContain('最终结果');
    expect(html).toContain(
      '目前得分 <span class="total">85.70</span> 分，最高可达 <span class="total">93.70</span> 分',
    );
    expect(html).toContain('可能为 <span class="total">良—优</span>');
    expect(html).toContain('缺少数据或评定（2项）');
    expect(html).toContain('<td>缺少：资产报告（AssetsReported）</td>');
    expect(html).toContain('<td>尚未评定（AssessmentRecorded）</td>');
    expect(html).toContain('<b>未定（良—优）</b>');

    // The workbook likewise.
    const xlsx = await request(t.http).get(`${url}.xlsx`).buffer(true).parse(binary);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(arrayBuffer(xlsx.body as Buffer));
    const score = wb.getWorksheet('评分表')!;
    const rowOf = (text: string) => {
      for (let r = 1; r <= score.rowCount; r++) if (score.getCell(r, 1).value === text) return r;
      throw new Error(`no row "${text}"`);
    };
    expect(String(score.getCell('A2').value)).toContain('状态：结果不完整');
    expect(score.getCell(rowOf('综合评分（目前得分）'), 8).value).toBe(85.7);
    expect(score.getCell(rowOf('最高可达'), 8).value).toBe(93.7);
    expect(score.getCell(rowOf('评分等级'), 8).value).toBe('未定（良—优）');
    expect(score.getCell(rowOf('缺少数据或评定（2项）') + 2, 7).value).toBe(
      '缺少：资产报告（AssetsReported）（目前 0.00，最高 1.00）',
    );

    // The missing assessment is accepted after YearClosed: still incomplete (AssetsReported is not),
    // 90.70—91.70, and the grade 优 is now decided.
    const clarity = sampleEvents().find(
      (e) => e.type === 'AssessmentRecorded' && e.data.criterion === 'decision.goals.clarity',
    )!;
    const late = asDepartment([clarity as never], 'incomplete-sample');
    expect((await request(t.http).post('/api/v1/events').send(late)).status).toBe(201);
    const after = await request(t.http).get(url);
    expect(after.body).toMatchObject({
      status: 'incomplete',
      range: { min: { score: '90.70' }, max: { score: '91.70' } },
      grade: '优',
      grades: ['优'],
    });
    expect(after.body.missing.map((m: Record<string, string>) => m.criterion)).toEqual([
      'management.assets.utilization',
    ]);
  });

  test('a closed year with almost nothing in it is incomplete: 5.61—98.61, no grade', async () => {
    const res0 = await request(t.http).post('/api/v1/events').send(almostEmptyYear());
    expect(res0.status).toBe(201);
    const res = await request(t.http).get('/api/v1/departments/almost-empty/years/2024/evaluation');
    // 预算执行率 0.8 + 0.8 + 70/75 + 0.95 + 1.125 = 4.608333…, 资金调整 1; the other 21 criteria and
    // sub-items missing, at most their weight: 100 − 6 + 4.608333….
    expect(res.body).toMatchObject({
      status: 'incomplete',
      total: { score: '5.61' },
      range: { min: { score: '5.61' }, max: { score: '98.61' } },
      grade: null,
      grades: ['差', '中', '良', '优'],
    });
    expect(res.body.missing).toHaveLength(21);
    const html = (await request(t.http).get('/api/v1/departments/almost-empty/years/2024/evaluation.html')).text;
    expect(html).toContain('结果不完整');
    expect(html).not.toContain('最终结果');
  });

  test('the forecast report shows 预测 as of the date asked, the range and what is not yet due', async () => {
    const html = (await request(t.http).get(`${URL}.html`).query({ knownOn: '2023-09-30' })).text;
    expect(html).toContain('<span class="status forecast">预测（截至 2023-09-30）</span>');
    expect(html).not.toContain('最终结果');
    expect(html).toContain('（得分范围 4.02—98.52）');
    expect(html).toContain('尚未到期（18项）');
    expect(html).toContain('<td>尚未到期：按全年数据计算，2023-12-31 后计分</td>');
  });

  test('a framework chosen by id; unknown ones, bad dates and unknown departments are refused', async () => {
    const byId = await request(t.http).get(URL).query({ framework: 'shenzhen-department-overall' });
    expect(byId.status).toBe(200);
    expect(byId.body.total.score).toBe('91.70');
    const badFramework = await request(t.http).get(URL).query({ framework: 'atlantis-2023' });
    expect(badFramework.status).toBe(400);
    expect(badFramework.body.errors[0]).toMatchObject({ path: 'framework' });
    expect(badFramework.body.message).toContain('shenzhen-department-overall');
    for (const knownOn of ['2023-02-30', 'yesterday']) {
      const bad = await request(t.http).get(URL).query({ knownOn });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ path: 'knownOn' });
    }
    const unknown = await request(t.http).get('/api/v1/departments/nobody-here/years/2023/evaluation');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('nobody-here');
    expect((await request(t.http).get(`${URL}.xlsx`).query({ knownOn: '2022-12-31' })).status).toBe(404);
    expect((await request(t.http).get('/api/v1/departments/Bad_Dept/years/2023/evaluation.html')).status).toBe(400);
  });

  test('the xlsx: 自评表, 评分表 and 核对 laid out like the report', async () => {
    const res = await request(t.http).get(`${URL}.xlsx`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="yantian-emergency-2023-self-evaluation.xlsx"; filename*=UTF-8''${encodeURIComponent('yantian-emergency-2023-自评.xlsx')}`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(arrayBuffer(res.body as Buffer));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['自评表', '评分表', '核对']);

    const self = wb.getWorksheet('自评表')!;
    expect(self.getCell('A1').value).toBe('部门（单位）整体支出绩效目标完成情况自评表');
    expect(self.getCell('B2').value).toBe('深圳市盐田区应急管理局');
    expect(self.getCell('F2').value).toBe(2023);
    const rowOf = (ws: ExcelJS.Worksheet, col: number, text: string) => {
      for (let r = 1; r <= ws.rowCount; r++) if (ws.getCell(r, col).value === text) return r;
      throw new Error(`no row with "${text}" in column ${col} of ${ws.name}`);
    };
    const safety = rowOf(self, 2, '安全生产工作');
    const all = independentFigures({ unit: 'safety', date: '2023-12-31', month: 12, source: 'all' });
    const fiscal = independentFigures({ unit: 'safety', date: '2023-12-31', month: 12, source: 'fiscal' });
    expect([5, 6, 7, 8].map((c) => self.getCell(safety, c).value)).toEqual(
      [all.budget, fiscal.budget, all.spent, fiscal.spent].map(Number),
    );
    expect(self.getCell(safety, 5).numFmt).toBe('#,##0.00');
    const sum = rowOf(self, 2, '金额合计');
    expect(self.getCell(sum, 5).value).toBe(
      Number(independentFigures({ unit: null, date: '2023-12-31', month: 12, source: 'all' }).budget),
    );
    const costExec = rowOf(self, 4, '预算执行率');
    expect([self.getCell(costExec, 5).value, self.getCell(costExec, 7).value, self.getCell(costExec, 8).value]).toEqual(
      ['≥95%', '94.5%', '未达成'],
    );
    expect(self.views[0]).toMatchObject({ state: 'frozen', ySplit: 4 });

    const score = wb.getWorksheet('评分表')!;
    expect(score.getCell('A1').value).toBe('部门整体支出绩效评分表');
    const exec = rowOf(score, 5, '预算执行率');
    expect(score.getCell(exec, 6).value).toBe(6);
    expect(score.getCell(exec, 8).value).toBe(4.7);
    expect(score.getCell(exec, 8).numFmt).toBe('0.00');
    expect(String(score.getCell(exec, 7).value)).toContain('0.834');
    expect(score.getCell(rowOf(score, 1, '综合评分'), 8).value).toBe(91.7);
    expect(score.getCell(rowOf(score, 1, '评分等级'), 8).value).toBe('优');
    const first = rowOf(score, 5, '预算编制合理性');
    expect([score.getCell(first, 1).value, score.getCell(first, 2).value, score.getCell(first, 3).value]).toEqual([
      '部门决策',
      20,
      '预算编制',
    ]);
    const lastDecision = rowOf(score, 5, '绩效指标明确性');
    expect(lastDecision).toBe(first + 3);
    expect(score.getCell(lastDecision, 1).isMerged).toBe(true);
    expect(score.getCell(lastDecision, 1).master.address).toBe(`A${first}`);
    expect(score.getCell(lastDecision, 2).master.address).toBe(`B${first}`);
    expect(score.getCell(rowOf(score, 5, '公用经费控制率'), 8).value).toBe(4);
    expect(score.getCell(first, 1).font?.bold).toBeFalsy();
    expect(score.getCell(5, 1).font?.bold).toBe(true);

    const check = wb.getWorksheet('核对')!;
    const completeness = rowOf(check, 1, 'decision.goals.completeness');
    expect([check.getCell(completeness, 4).value, check.getCell(completeness, 5).value]).toEqual([5, 3]);
    const satisfaction = rowOf(check, 1, 'performance.fairness.satisfaction');
    expect([check.getCell(satisfaction, 4).value, check.getCell(satisfaction, 5).value]).toEqual([6, 4]);
    expect(String(check.getCell(satisfaction, 7).value)).toContain('应得 4 分');
  });

  test('the HTML report: printable, Chinese, with the figures', async () => {
    const res = await request(t.http).get(`${URL}.html`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.text;
    expect(html).toContain('部门整体支出绩效自评报告');
    expect(html).toContain('91.70');
    expect(html).toContain('>优<');
    expect(html).toContain('@page { size: A4');
    expect(html).toContain('差异说明');
    expect(html).toContain('22.92');
    expect(html).toContain('预算执行率');
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  test('PDF when Chromium is installed, else a 503 that says why', async () => {
    const res = await request(t.http).get(`${URL}.pdf`).buffer(true).parse(binary);
    if (existsSync('/usr/bin/chromium')) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect((res.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } else {
      expect(res.status).toBe(503);
      expect(JSON.parse((res.body as Buffer).toString('utf8')).message).toMatch(
        /Chromium at \/usr\/bin\/chromium, which is not installed/,
      );
    }
  });

  test('client text is escaped in the HTML report', async () => {
    const evil = '<script>alert("x")</script>应急局';
    const ev = (id: string, type: string, data: Record<string, unknown>) => ({
      id,
      type,
      department: 'xss-test',
      year: 2024,
      occurredAt: '2024-02-01',
      data,
    });
    const posted = await request(t.http)
      .post('/api/v1/events')
      .send([
        ev('xss-1', 'YearOpened', { departmentName: evil }),
        ev('xss-2', 'AssessmentRecorded', {
          criterion: 'decision.budget.rationality',
          score: '4',
          evidence: '<img src=x onerror=alert(1)> & "quoted"',
        }),
      ]);
    expect(posted.status).toBe(201);
    const res = await request(t.http).get('/api/v1/departments/xss-test/years/2024/evaluation.html');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script');
    expect(res.text).not.toContain('<img');
    expect(res.text).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;应急局');
    expect(res.text).toContain('&#60;img src=x onerror=alert(1)&#62; &#38; &#34;quoted&#34;');
    const json = await request(t.http).get('/api/v1/departments/xss-test/years/2024/evaluation');
    expect(json.body).toMatchObject({ departmentName: evil, status: 'forecast', reconciliation: null });
  });
});
