/**
 * The monitoring table (绩效运行监控表) as xlsx, HTML and PDF, and the finance bureau's roll-up as
 * xlsx, through HTTP on both backends with API keys on: the demo department
 * (test/fixtures/monitoring-demo.ts) as of 2025-07-31, 1—7月. The workbook is opened with exceljs
 * and its cells checked against figures worked out by hand (the same as test/monitoring.e2e.test.ts):
 * amounts in 万元 (yuan ÷ 10,000, half-up to 2 decimals), rates as percent numbers.
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { chromiumAvailable } from '#application/evaluation/exports/evaluation-pdf.js';
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

const BASE = `/api/v1/departments/${DEMO}/years/${YEAR}/monitoring`;

/** Collects a binary response body as a Buffer. */
function binary(res: request.Response, done: (err: Error | null, body: unknown) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  return wb;
}

/** The values of a row, columns A … O (1 … 15), as exceljs reads them (merged cells: the master's value). */
function rowValues(ws: ExcelJS.Worksheet, row: number, from = 1, to = 15): unknown[] {
  const out: unknown[] = [];
  for (let c = from; c <= to; c++) {
    const v = ws.getCell(row, c).value;
    out.push(v === undefined ? null : v);
  }
  return out;
}

describe.each(BACKENDS)('monitoring table files on %s', (backend) => {
  let t: TestApp;
  const key: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${key[who]}` });
  const file = (path: string, who = 'admin') => request(t.http).get(path).set(as(who)).buffer(true).parse(binary);

  beforeAll(async () => {
    t = await startTestApp(backend, { auth: true, projectorPollMs: 50, ingestPerMinute: 1000 });
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    key.admin = (await keys.create({ role: 'admin', name: 'ops', departments: [] })).key;
    key.field = (await keys.create({ role: 'unit', name: '产业发展科', departments: [DEMO], unit: 'field' })).key;
    key.finance = (await keys.create({ role: 'finance', name: '市财政局', departments: [DEMO, 'a-calm'] })).key;
    const streams: EventInput[][] = [monitoringDemoEvents(), calmEvents(), behindEvents(), priorYearEvents()];
    for (const events of streams)
      expect((await request(t.http).post('/api/v1/events').set(as('admin')).send(events)).status).toBe(201);
    for (let i = 0; i < 400; i++) {
      const p = await request(t.http).get('/api/v1/projections').set(as('admin'));
      if (p.body.projections?.[0]?.behind === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  afterAll(async () => t.close());

  test('the xlsx: 部门整体 and one sheet per project, figures in 万元, targets, causes marked, merged cells', async () => {
    const res = await file(`${BASE}.xlsx?asOf=2025-07-31`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="mon-demo-2025-monitoring-2025-07-31.xlsx"; filename*=UTF-8''${encodeURIComponent('mon-demo-2025-绩效运行监控表-2025-07-31.xlsx')}`,
    );
    const wb = await workbook(res.body as Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['部门整体', '高标准农田建设项目', '良种推广补贴项目']);

    // 部门整体: 2,000,000 → 200.00 万元; spent 1,059,000 → 105.90; 52.95% against 58.33%; year end
    // 1,750,666.67 → 175.07; carry-over 249,333.33 → 24.93; yellow; no explanation of its own yet.
    const dept = wb.getWorksheet('部门整体')!;
    expect(dept.getCell('A1').value).toBe('2025年度部门整体支出绩效运行监控表（1—7月）');
    expect(dept.getCell('A2').value).toBe('截至2025年7月31日\u3000资金口径：财政资金\u3000金额单位：万元');
    expect(rowValues(dept, 3, 1, 2)).toEqual(['部门名称', '示范市农业农村局']);
    expect(rowValues(dept, 4, 1, 9)).toEqual([
      '主管部门',
      '示范市农业农村局',
      ...Array(5).fill('示范市农业农村局'), // B4:G4 merged
      '实施单位',
      '部门整体',
    ]);
    expect(rowValues(dept, 5, 1, 9)).toEqual([
      '部门资金（万元）',
      '年度预算数',
      '1—7月执行数',
      '执行率',
      '序时进度',
      '全年预计执行数',
      '预计结转结余',
      '预警等级',
      '偏差原因分析',
    ]);
    expect(rowValues(dept, 6, 9, 15)).toEqual([
      '经费保障',
      '制度保障',
      '人员保障',
      '硬件条件保障',
      '其他',
      '原因说明',
      '完善措施',
    ]);
    expect(rowValues(dept, 7, 2, 15)).toEqual([
      200,
      105.9,
      52.95,
      58.33,
      175.07,
      24.93,
      '黄色预警',
      ...Array(7).fill(null),
    ]);
    expect(dept.getCell('B7').numFmt).toBe('#,##0.00');
    expect(dept.getCell('D7').numFmt).toBe('0.00"%"');
    expect(rowValues(dept, 8, 1, 8)).toEqual([
      '绩效指标',
      '一级指标',
      '二级指标',
      '三级指标',
      '年度指标值',
      '1—7月实际完成值',
      '全年预计完成值',
      '完成目标可能性',
    ]);
    // The department's own targets: ≤5% reported 3% (certain); 20日内 not reported.
    expect(rowValues(dept, 10, 2, 15)).toEqual([
      '产出指标',
      '质量指标',
      '预算调整率',
      '≤5%',
      '3%',
      null,
      '确定能',
      ...Array(7).fill(null),
    ]);
    expect(rowValues(dept, 11, 2, 8)).toEqual(['产出指标', '时效指标', '预决算公开时限', '20日内', null, null, null]);
    expect(dept.getCell('B11').isMerged).toBe(true); // 产出指标 over both rows, as on paper
    expect(dept.getCell('B11').master.address).toBe('B10');
    expect(dept.getCell('A10').master.address).toBe('A8'); // 绩效指标 down the block
    // The hidden key column: the marker and the row keys.
    expect(dept.getColumn(16).hidden).toBe(true);
    expect(JSON.parse(String(dept.getCell('P1').value))).toEqual({
      format: 'paceline/monitoring-table',
      version: 1,
      stream: 'mon-demo/2025',
      department: DEMO,
      year: 2025,
      asOf: '2025-07-31',
      knownOn: null,
      throughMonth: 7,
      subject: 'department',
    });
    expect([7, 8, 10, 11].map((r) => dept.getCell(r, 16).value)).toEqual([
      'spending',
      'header',
      'indicator:i-dept-adjust',
      'indicator:i-dept-disclose',
    ]);
    // The cells a unit fills in are text cells with a drop-down for the likelihood.
    expect(dept.getCell('F11').numFmt).toBe('@');
    expect(dept.getCell('H11').dataValidation).toMatchObject({
      type: 'list',
      formulae: ['"确定能,有可能,完全不可能"'],
    });

    // 高标准农田建设项目 (规划建设科): 1,000,000 → 100.00; 602,000 → 60.20; 60.20% against 58.33%, green;
    // year end 1,032,000 → 103.20, carry-over 0.00. Targets as reported on 07-31; the divergence
    // 60.20 − 45.00 = 15.20 (spending ahead) in the remarks.
    const irr = wb.getWorksheet('高标准农田建设项目')!;
    expect(irr.getCell('A1').value).toBe('2025年度项目支出绩效运行监控表（1—7月）');
    expect(rowValues(irr, 3, 1, 2)).toEqual(['项目名称', '高标准农田建设项目']);
    expect([irr.getCell('B4').value, irr.getCell('I4').value]).toEqual(['示范市农业农村局', '规划建设科']);
    expect(irr.getCell('A5').value).toBe('项目资金（万元）');
    expect(rowValues(irr, 7, 2, 15)).toEqual([100, 60.2, 60.2, 58.33, 103.2, 0, '正常', ...Array(7).fill(null)]);
    expect(rowValues(irr, 10, 2, 15)).toEqual([
      '产出指标',
      '数量指标',
      '新建高标准农田面积',
      '≥5000亩',
      '2000亩',
      '4800亩',
      '有可能',
      null,
      '✓', // 制度保障 (policy)
      null,
      null,
      null,
      '部分地块用地审批滞后',
      '加快办理用地审批手续',
    ]);
    expect(rowValues(irr, 11, 2, 8)).toEqual([
      '产出指标',
      '时效指标',
      '项目审批办结时限',
      '30天内',
      '60天',
      '30天',
      '确定能',
    ]);
    expect(rowValues(irr, 12, 2, 8)).toEqual([
      '效益指标',
      '可持续影响指标',
      '农业综合生产能力',
      '明显提升',
      '初步提升',
      null,
      '确定能',
    ]);
    expect(irr.getCell('A13').value).toBe('监控提示');
    expect(irr.getCell('B13').value).toBe(
      '执行率 60.20% 与绩效指标平均完成比例 45.00% 相差 15.20 个百分点（钱花了事没干）',
    );
    expect(JSON.parse(String(irr.getCell('P1').value))).toMatchObject({ subject: 'task:p-irrigation' });

    // 良种推广补贴项目 (产业发展科): 500,000 → 50.00; 170,000 → 17.00; 34.00% against 58.33%, red;
    // year end 226,666.67 → 22.67, carry-over 273,333.33 → 27.33; its explanation of 07-15 (funding)
    // on the money row; 85% of ≥90% impossible (其他), at risk.
    const seed = wb.getWorksheet('良种推广补贴项目')!;
    expect(rowValues(seed, 7, 2, 15)).toEqual([
      50,
      17,
      34,
      58.33,
      22.67,
      27.33,
      '红色预警',
      '✓', // 经费保障 (funding)
      null,
      null,
      null,
      null,
      '省级配套资金未到位，补贴资金暂缓拨付',
      '协调财政尽快拨付配套资金并分批发放补贴',
    ]);
    expect(rowValues(seed, 10, 4, 8)).toEqual(['良种推广面积', '≥20000亩', '16000亩', '21000亩', '确定能']);
    expect(rowValues(seed, 11, 2, 15)).toEqual([
      '满意度指标',
      '服务对象满意度指标',
      '农户满意度',
      '≥90%',
      '85%',
      '86%',
      '完全不可能',
      null,
      null,
      null,
      null,
      '✓', // 其他
      '部分农户对补贴发放进度不满意',
      '开展补贴政策宣讲并公开发放进度',
    ]);
    expect(seed.getCell('B12').value).toContain(
      '34.00% 与绩效指标平均完成比例 87.22% 相差 -53.22 个百分点（事干了钱没花）',
    );
    expect(seed.getCell('B12').value).toContain('目标有完不成风险：农户满意度');
  });

  test('as known on an earlier date: the period shown, reports of an earlier period left blank', async () => {
    // As of 07-31 known on 07-31: the 07-31 reports (recorded 08-05) are unknown; 良种推广面积 has only
    // the 06-30 report, not of 1—7月: blank. The marker says what was asked.
    const wb = await workbook((await file(`${BASE}.xlsx?asOf=2025-07-31&knownOn=2025-07-31`)).body as Buffer);
    const seed = wb.getWorksheet('良种推广补贴项目')!;
    expect(rowValues(seed, 10, 6, 8)).toEqual([null, null, null]);
    expect(JSON.parse(String(seed.getCell('P1').value))).toMatchObject({ asOf: '2025-07-31', knownOn: '2025-07-31' });
    expect(String(seed.getCell('A2').value)).toBe(
      '截至2025年7月31日（按2025年7月31日已掌握的数据）\u3000资金口径：财政资金\u3000金额单位：万元',
    );
    // As of 06-30: 1—6月; June's explanation period starts 06-01, so the 07-15 explanation is not there.
    const june = await workbook((await file(`${BASE}.xlsx?asOf=2025-06-30`)).body as Buffer);
    const s = june.getWorksheet('良种推广补贴项目')!;
    expect(s.getCell('A1').value).toBe('2025年度项目支出绩效运行监控表（1—6月）');
    expect(s.getCell('C5').value).toBe('1—6月执行数');
    // 170,000 through June (no spending in June): 17.00 万元, 34.00% against 50.00%.
    expect(rowValues(s, 7, 2, 5)).toEqual([50, 17, 34, 50]);
    expect(rowValues(s, 7, 9, 15)).toEqual(Array(7).fill(null));
    expect(rowValues(s, 10, 6, 8)).toEqual(['9000亩', null, '确定能']); // the 06-30 report
  });

  test("a unit reader gets its own unit's projects only; parameters are checked as for the JSON", async () => {
    const wb = await workbook((await file(`${BASE}.xlsx?asOf=2025-07-31`, 'field')).body as Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['良种推广补贴项目']);
    const bad = await request(t.http).get(`${BASE}.xlsx?asOf=2025-02-30`).set(as('admin'));
    expect([bad.status, bad.body.errors?.[0]?.path]).toEqual([400, 'asOf']);
    const unknown = await request(t.http).get(`${BASE}.pdf?source=all`).set(as('admin'));
    expect([unknown.status, unknown.body.errors?.[0]?.path]).toEqual([400, 'source']);
    expect((await request(t.http).get(`${BASE}.xlsx?knownOn=2024-12-31`).set(as('admin'))).status).toBe(404);
    expect((await request(t.http).get(`${BASE}.xlsx`)).status).toBe(401);
  });

  test('the HTML and the PDF: one section per table, A4 landscape', async () => {
    const html = await request(t.http).get(`${BASE}.html?asOf=2025-07-31`).set(as('admin'));
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-disposition']).toMatch(
      /^inline; filename="mon-demo-2025-monitoring-2025-07-31\.html"/,
    );
    expect(html.text).toContain('@page { size: A4 landscape;');
    expect(html.text.match(/<section>/g)).toHaveLength(3);
    for (const text of [
      '2025年度部门整体支出绩效运行监控表（1—7月）',
      '2025年度项目支出绩效运行监控表（1—7月）',
      '<b>高标准农田建设项目</b>',
      '<b>良种推广补贴项目</b>',
      '<td class="n">200.00</td><td class="n">105.90</td><td class="n">52.95%</td><td class="n">58.33%</td>',
      '<td class="n">50.00</td><td class="n">17.00</td><td class="n">34.00%</td><td class="n">58.33%</td>',
      '<td>开展补贴政策宣讲并公开发放进度</td>',
    ])
      expect(html.text).toContain(text);

    const pdf = await file(`${BASE}.pdf?asOf=2025-07-31`);
    if (!chromiumAvailable()) {
      expect([pdf.status, JSON.parse((pdf.body as Buffer).toString()).retryable]).toEqual([503, undefined]);
      return;
    }
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('mon-demo-2025-绩效运行监控表-2025-07-31.pdf')}`,
    );
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Three sections, each on a page of its own, every page landscape A4 (841.92 × 594.96 points).
    const text = bytes.toString('latin1');
    const boxes = text.match(/\/MediaBox\s*\[[^\]]*\]/g) ?? [];
    expect(boxes.length).toBe(3);
    for (const box of boxes) expect(box).toMatch(/\[\s*0\s+0\s+841\.9\d*\s+594\.9\d*\s*\]/);
  }, 60_000);

  test('the roll-up as xlsx: one sheet, worst first, the counts it is ranked by', async () => {
    const res = await file('/api/v1/monitoring.xlsx?year=2025&asOf=2025-07-31');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="monitoring-rollup-2025-2025-07-31.xlsx"; filename*=UTF-8''${encodeURIComponent('绩效运行监控汇总-2025-2025-07-31.xlsx')}`,
    );
    const wb = await workbook(res.body as Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['监控汇总']);
    const ws = wb.getWorksheet('监控汇总')!;
    expect(ws.getCell('A1').value).toBe('2025年度绩效运行监控汇总表');
    expect(rowValues(ws, 3, 1, 13)).toEqual([
      '序号',
      '部门编码',
      '部门名称',
      '年度',
      '截至日期',
      '部门执行进度',
      '逾期未说明偏差',
      '未说明偏差',
      '红色预警项目',
      '目标有风险',
      '钱事偏离项目',
      '黄色预警项目',
      '逾期整改措施',
    ]);
    // mon-demo: 2 overdue, 1 unexplained, 1 red project, 1 at risk, 2 divergences; b-behind: 3
    // unexplained (department, unit, line; yellow since 07-31); a-calm: on schedule.
    expect(rowValues(ws, 4, 1, 13)).toEqual([
      1,
      DEMO,
      '示范市农业农村局',
      2025,
      '2025-07-31',
      '黄色预警',
      2,
      1,
      1,
      1,
      2,
      0,
      0,
    ]);
    expect(rowValues(ws, 5, 1, 13)).toEqual([
      2,
      'b-behind',
      '七月滞后示范局',
      2025,
      '2025-07-31',
      '黄色预警',
      0,
      3,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(rowValues(ws, 6, 1, 13)).toEqual([
      3,
      'a-calm',
      '平稳示范局',
      2025,
      '2025-07-31',
      '正常',
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(ws.getCell(7, 1).value ?? null).toBeNull();
    // A finance key sees its own departments; a unit reader is refused.
    const finance = await workbook(
      (await file('/api/v1/monitoring.xlsx?year=2025&asOf=2025-07-31', 'finance')).body as Buffer,
    );
    expect([4, 5, 6].map((r) => finance.getWorksheet('监控汇总')!.getCell(r, 2).value ?? null)).toEqual([
      DEMO,
      'a-calm',
      null,
    ]);
    expect((await request(t.http).get('/api/v1/monitoring.xlsx?year=2025').set(as('field'))).status).toBe(403);
  });
});
