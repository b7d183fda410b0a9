/**
 * Spreadsheet import against real databases (PGlite and PostgreSQL): re-imports are no-ops, an
 * edited amount becomes one correction, bad rows are reported with row and column while the rest is
 * stored, the sample stream survives a round trip through xlsx with the same execution figures,
 * and the upload endpoint answers with the same report.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import request from 'supertest';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { ExecutionService } from '#application/execution/execution.service.js';
import {
  importSpreadsheet,
  repositoryStream,
  type ImportOptions,
  type ImportPorts,
} from '#application/import/import.service.js';
import { exportStreamXlsx } from '#application/import/sample-export.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { sampleEvents } from './support/sample.js';

const TODAY = '2026-11-24';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Row = (string | number | Date | null)[];

/**
 * Projects until every stored event is in the read model. Catch-up reads wait for transactions still
 * running anywhere on the server (other suites, other processes), so one pass may stop short.
 */
async function caughtUp(projector: ExecutionProjector): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 30_000;) {
    await projector.catchUp();
    if ((await projector.status()).behind === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the execution projection did not catch up within 30 s');
}

/** A workbook as a finance office would keep it: budget, spending (two payments in one month), plans. */
async function officeWorkbook(edit: (spending: Row[]) => void = () => {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const budget = wb.addWorksheet('预算');
  budget.addRow([
    '科室',
    '预算项目',
    '项目类别',
    '经济分类',
    '资金来源',
    '预算数（元）',
    '调整数（元）',
    '调整日期',
    '调整原因',
  ]);
  budget.addRow(['办公室', '日常公用经费', '基本支出', '日常公用经费', '财政拨款', '1,200,000.00', null, null, null]);
  budget.addRow([
    '办公室',
    '人员经费',
    '基本支出',
    '30101 基本工资',
    '一般公共预算',
    3000000,
    '(200,000.00)',
    '2024-07-01',
    '年中调减',
  ]);
  budget.addRow(['业务科', '专项工作', '项目支出', '其他', '财政拨款', 800000, null, null, null]);
  budget.addRow(['业务科', '专项工作', '项目支出', '其他', '其他资金', 100000, null, null, null]);
  budget.addRow(['合计', null, null, null, null, 5100000, -200000, null, null]);
  const spending = wb.addWorksheet('支出');
  spending.addRow(['2024年支出明细（单位：元）']);
  spending.addRow(['科室', '预算项目', '资金来源', '月份', '支出金额']);
  const rows: Row[] = [
    ['办公室', '日常公用经费', '财政拨款', '2024-01', '100,000.00'],
    ['办公室', '日常公用经费', '财政拨款', '2024年2月', '95,000.50'],
    ['办公室', '人员经费', null, '1月', 250000],
    ['办公室', '人员经费', null, '2月', 250000],
    ['业务科', '专项工作', '财政拨款', '202401', '６０，０００'],
    ['业务科', '专项工作', '财政拨款', new Date(Date.UTC(2024, 1, 3)), 20000],
    ['业务科', '专项工作', '财政拨款', '2024-02', 10000],
    ['业务科', '专项工作', '其他资金', '2024-02', 10000],
    [null, null, null, null, null],
    ['小计', null, null, null, 795000.5],
  ];
  edit(rows);
  for (const r of rows) spending.addRow(r);
  const plan = wb.addWorksheet('计划');
  plan.addRow(['科室', '月份', '计划数']);
  plan.addRow(['办公室', '2024-03', 400000]);
  plan.addRow(['业务科', '2024-03', 0]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const opened = (department: string, year: number, id: string) => ({
  id,
  type: 'YearOpened',
  department,
  year,
  occurredAt: `${year}-01-03`,
  data: {
    departmentName: '测试局',
    schedule: { Q1: '25', Q2: '50', Q3: '75', Q4: '100' },
    alertThresholds: { yellow: '5', red: '10' },
  },
});

describe.each(BACKENDS)('spreadsheet import on %s', (backend) => {
  const DEP = 'import-office';
  let t: TestDatabase;
  let repo: EventsRepository;
  let ports: ImportPorts;
  let projector: ExecutionProjector;
  let execution: ExecutionService;
  const options = (extra: Partial<ImportOptions> = {}): ImportOptions => ({
    department: DEP,
    year: 2024,
    fileName: 'office.xlsx',
    recordedOn: '2024-03-05',
    ...extra,
  });
  const fiscalFeb = async () => {
    await caughtUp(projector);
    return (await execution.execution(DEP, 2024, { asOf: '2024-02-29' }, TODAY)).total;
  };

  beforeAll(async () => {
    t = await testDatabase(backend);
    repo = new EventsRepository(t.db);
    const ingest = new IngestService(repo);
    ports = { readStream: repositoryStream(repo), submit: (b) => ingest.ingest(b) };
    const exec = new ExecutionRepository(t.db);
    projector = new ExecutionProjector(new ProjectionFeedRepository(t.db), exec);
    execution = new ExecutionService(exec);
    await ingest.ingest([opened(DEP, 2024, 'import-office-opened')]);
  });
  afterAll(async () => t.dispose());

  test('a dry run reports what would be ingested and stores nothing', async () => {
    const before = await logSnapshot(t.db);
    const r = await importSpreadsheet(await officeWorkbook(), options({ dryRun: true }), ports);
    expect(await logSnapshot(t.db)).toEqual(before);
    expect(r.dryRun).toBe(true);
    expect(r.accepted).toBe(0);
    expect(r.events).toEqual({
      UnitRegistered: 2,
      BudgetAllocated: 4,
      BudgetAdjusted: 1,
      SpendingRecorded: 7,
      SpendingPlanned: 2,
    });
    expect(r.rejected).toEqual([]);
    expect(r.sheets.map((s) => [s.name, s.kinds, s.headerRow])).toEqual([
      ['预算', ['budget'], 1],
      ['支出', ['spending'], 2],
      ['计划', ['plan'], 1],
    ]);
    expect(r.skipped).toEqual([
      { sheet: '预算', row: 6, reason: 'subtotal', text: '合计' },
      { sheet: '支出', row: 11, reason: 'blank' },
      { sheet: '支出', row: 12, reason: 'subtotal', text: '小计' },
    ]);
    // Two payments of 专项工作 in February are one SpendingRecorded of 30000.00 (rows 8 and 9).
    expect(
      r.preview.find(
        (p) =>
          p.type === 'SpendingRecorded' && p.line?.startsWith('l-') && p.month === '2024-02' && p.amount === '30000.00',
      ),
    ).toMatchObject({ sheet: '支出', rows: [8, 9] });
  });

  test('importing twice: the second run is all duplicates and the log is unchanged', async () => {
    const file = await officeWorkbook();
    const first = await importSpreadsheet(file, options(), ports);
    expect(first.rejected).toEqual([]);
    expect(first.accepted).toBe(16);
    expect(first.events).toEqual({
      UnitRegistered: 2,
      BudgetAllocated: 4,
      BudgetAdjusted: 1,
      SpendingRecorded: 7,
      SpendingPlanned: 2,
    });
    expect(first.duplicates).toBe(0);
    const stored = await repositoryStream(repo)(DEP, 2024);
    expect(stored.filter((e) => e.type === 'SpendingRecorded').every((e) => e.id.startsWith('imp-spending-'))).toBe(
      true,
    );
    const adjusted = stored.find((e) => e.type === 'BudgetAdjusted')!;
    expect(adjusted.data).toMatchObject({
      amount: '-200000.00',
      effectiveOn: '2024-07-01',
      reason: '年中调减',
      source: 'fiscal',
    });
    const pers = stored.find((e) => e.type === 'BudgetAllocated' && e.data.name === '人员经费')!;
    expect(pers.data).toMatchObject({ category: 'basic', economic: 'personnel', amount: '3000000.00' });

    const before = await logSnapshot(t.db);
    const second = await importSpreadsheet(file, options({ recordedOn: '2024-04-01' }), ports);
    expect(await logSnapshot(t.db)).toEqual(before);
    expect(second).toMatchObject({ accepted: 0, duplicates: 16, events: {}, corrections: [], rejected: [] });

    // 5,000,000.00 fiscal budget; 785,000.50 spent in January and February.
    expect(await fiscalFeb()).toMatchObject({ budget: '5000000.00', spent: '785000.50', rate: '15.70' });
  });

  test('an edited amount becomes exactly one SpendingCorrected with the signed delta; importing it again is a no-op', async () => {
    const edited = await officeWorkbook((rows) => {
      rows[1]![4] = '90,000.50';
    });
    const dry = await importSpreadsheet(edited, options({ dryRun: true }), ports);
    expect(dry.corrections).toEqual([
      expect.objectContaining({
        type: 'SpendingCorrected',
        sheet: '支出',
        rows: [4],
        month: '2024-02',
        old: '95000.50',
        new: '90000.50',
        delta: '-5000.00',
      }),
    ]);
    const before = await logSnapshot(t.db);
    const r = await importSpreadsheet(edited, options({ recordedOn: '2024-04-02' }), ports);
    expect(r).toMatchObject({ accepted: 1, duplicates: 15, events: { SpendingCorrected: 1 }, rejected: [] });
    expect((await logSnapshot(t.db)).count).toBe(before.count + 1);
    const stored = await repositoryStream(repo)(DEP, 2024);
    const correction = stored.filter((e) => e.type === 'SpendingCorrected');
    expect(correction).toHaveLength(1);
    const corrected = stored.find((e) => e.id === correction[0]!.data.corrects)!;
    expect(corrected.data).toMatchObject({ month: '2024-02', amount: '95000.50' });
    expect(correction[0]!.data.amount).toBe('-5000.00');
    expect(await fiscalFeb()).toMatchObject({ spent: '780000.50', rate: '15.60' });

    const after = await logSnapshot(t.db);
    const again = await importSpreadsheet(edited, options({ recordedOn: '2024-04-03' }), ports);
    expect(again).toMatchObject({ accepted: 0, duplicates: 16, corrections: [] });
    expect(await logSnapshot(t.db)).toEqual(after);

    // Back to the original figure: a second correction (+5000.00) with its own id.
    const back = await importSpreadsheet(await officeWorkbook(), options({ recordedOn: '2024-04-04' }), ports);
    expect(back.corrections).toEqual([expect.objectContaining({ old: '90000.50', new: '95000.50', delta: '5000.00' })]);
    expect(back.accepted).toBe(1);
    expect(await fiscalFeb()).toMatchObject({ spent: '785000.50', rate: '15.70' });
  });

  test('a GBK CSV with bad rows: each is reported with its row and column, every other row is stored', async () => {
    const csv = [
      '科室,预算项目,资金来源,月份,支出金额（元）',
      '办公室,日常公用经费,财政拨款,2024-03,"１２，０００．００"',
      '办公室,日常公用经费,财政拨款,2024-04,12.345',
      '办公室,人员经费,,2024-13,1000',
      '办公室,不存在的项目,财政拨款,2024-03,500',
      '业务科,专项工作,其他资金,2024-03,"(2,000.00)"',
      '办公室,人员经费,其他资金,2024-03,800',
      '办公室,人员经费,,2024-01,"(300,000.00)"',
      '业务科,专项工作,财政拨款,2024-03,"45,000"',
      '合计,,,,"57,000.00"',
    ].join('\r\n');
    const bytes = iconv.encode(csv, 'gbk');
    const before = await logSnapshot(t.db);
    const r = await importSpreadsheet(bytes, options({ fileName: 'march.csv', recordedOn: '2024-04-05' }), ports);
    expect(r.encoding).toBe('gb18030 (detected)');
    expect(r.rejected.map((x) => [x.row, x.column, x.header])).toEqual([
      [3, 'E', '支出金额(元)'],
      [4, 'D', '月份'],
      [5, 'B', '预算项目'],
      [6, 'E', '支出金额(元)'],
      [7, 'C', '资金来源'],
      [8, 'E', '支出金额(元)'],
    ]);
    expect(r.rejected[0]!.reason).toMatch(/"12.345" has more than 2 decimals/);
    expect(r.rejected[1]!.reason).toMatch(/"2024-13" is not a month/);
    expect(r.rejected[2]!.reason).toMatch(/unknown budget line "不存在的项目"/);
    expect(r.rejected[3]!.reason).toMatch(/negative amount can only correct spending already recorded/);
    expect(r.rejected[4]!.reason).toMatch(/is funded from fiscal, not other/);
    // Caught by the stream's rules at ingest: the correction would take 人员经费 below zero.
    expect(r.rejected[5]!.reason).toMatch(
      /SpendingCorrected data.amount: would take the spending of line .* below zero/,
    );
    expect(r.rejectedRows).toBe(6);
    expect(r.skipped).toEqual([{ sheet: 'march', row: 10, reason: 'subtotal', text: '合计' }]);
    expect(r.events).toEqual({ SpendingRecorded: 2 });
    expect(r.accepted).toBe(2);
    expect((await logSnapshot(t.db)).count).toBe(before.count + 2);
  });
});

describe.each(BACKENDS)('xlsx round trip of the sample on %s', (backend) => {
  let source: TestDatabase;
  let target: TestDatabase;
  let sourceExec: ExecutionService;
  let targetExec: ExecutionService;
  const NEW = 'yantian-roundtrip';

  beforeAll(async () => {
    source = await testDatabase(backend);
    target = await testDatabase(backend);
    const sRepo = new EventsRepository(source.db);
    await new IngestService(sRepo).ingest(sampleEvents());
    const sExec = new ExecutionRepository(source.db);
    await caughtUp(new ExecutionProjector(new ProjectionFeedRepository(source.db), sExec));
    sourceExec = new ExecutionService(sExec);
    const tRepo = new EventsRepository(target.db);
    const tExec = new ExecutionRepository(target.db);
    targetExec = new ExecutionService(tExec);
    // The new stream: its YearOpened and units, made here; budgets, spending and plans come from the xlsx.
    const sample = sampleEvents();
    const yearOpened = sample.find((e) => e.type === 'YearOpened')!;
    const units = sample.filter((e) => e.type === 'UnitRegistered');
    const ingest = new IngestService(tRepo);
    await ingest.ingest([
      { ...yearOpened, id: 'roundtrip-opened', department: NEW },
      ...units.map((u, i) => ({ ...u, id: `roundtrip-unit-${i}`, department: NEW })),
    ]);
    const xlsx = await exportStreamXlsx(await repositoryStream(sRepo)('yantian-emergency', 2023));
    const report = await importSpreadsheet(
      xlsx,
      { department: NEW, year: 2023, fileName: 'yantian-emergency-2023.xlsx', recordedOn: '2024-01-10' },
      { readStream: repositoryStream(tRepo), submit: (b) => ingest.ingest(b) },
    );
    expect(report.rejected).toEqual([]);
    expect(report.events).toMatchObject({ BudgetAllocated: 9, BudgetAdjusted: 4, SpendingPlanned: 55 });
    expect(report.events.UnitRegistered).toBeUndefined();
    expect(report.skipped.filter((s) => s.reason === 'subtotal').map((s) => s.sheet)).toEqual(['预算', '支出', '计划']);
    // Exported in 万元 and imported again: nothing new, every figure already there.
    const wan = await exportStreamXlsx(await repositoryStream(sRepo)('yantian-emergency', 2023), { unit: 'wan' });
    const again = await importSpreadsheet(
      wan,
      { department: NEW, year: 2023, fileName: 'wan.xlsx', recordedOn: '2024-01-11' },
      { readStream: repositoryStream(tRepo), submit: (b) => ingest.ingest(b) },
    );
    expect(again.sheets.map((s) => s.unit)).toEqual(['wan', 'wan', 'wan']);
    expect(again).toMatchObject({ accepted: 0, corrections: [], rejected: [] });
    await caughtUp(new ExecutionProjector(new ProjectionFeedRepository(target.db), tExec));
  });
  afterAll(async () => {
    await source.dispose();
    await target.dispose();
  });

  test('fiscal quarter rates are 20.85, 39.92, 73.61, 94.51 on both streams', async () => {
    const a = await sourceExec.quarters('yantian-emergency', 2023, { source: 'fiscal' });
    const b = await targetExec.quarters(NEW, 2023, { source: 'fiscal' });
    expect(b.quarters.map((q) => q.rate)).toEqual(['20.85', '39.92', '73.61', '94.51']);
    expect(b.quarters).toEqual(a.quarters);
  });

  test('per-unit and per-line figures at 2023-06-30 and for all funds at year end are the same', async () => {
    for (const [asOf, source] of [
      ['2023-06-30', 'fiscal'],
      ['2023-12-31', 'all'],
    ] as const) {
      const a = await sourceExec.execution('yantian-emergency', 2023, { asOf, source }, TODAY);
      const b = await targetExec.execution(NEW, 2023, { asOf, source }, TODAY);
      expect(b.total).toEqual(a.total);
      expect(b.units).toEqual(a.units);
      expect(b.lines).toEqual(a.lines);
    }
    const june = await targetExec.execution(NEW, 2023, { asOf: '2023-06-30' }, TODAY);
    expect(june.units.filter((u) => u.level === 'red').map((u) => u.unit)).toEqual(['command', 'emergency']);
    expect(june.units.find((u) => u.unit === 'command')).toMatchObject({ rate: '16.75', lag: '33.25' });
  });
});

describe.each(BACKENDS)('upload endpoint on %s', (backend) => {
  let t: TestApp;
  const DEP = 'upload-office';
  const url = (q = '') => `/api/v1/departments/${DEP}/years/2024/imports${q}`;

  beforeAll(async () => {
    t = await startTestApp(backend);
    const res = await request(t.http)
      .post('/api/v1/events')
      .send(opened(DEP, 2024, 'upload-office-opened'));
    expect(res.status).toBe(201);
  });
  afterAll(async () => t.close());

  test('a dry run answers the report and stores nothing; a real run stores; again: all duplicates', async () => {
    const file = await officeWorkbook();
    const before = await logSnapshot(t.db.db);
    const dry = await request(t.http)
      .post(url('?dryRun=true'))
      .set('Content-Type', XLSX)
      .set('X-Filename', encodeURIComponent('科室台账.xlsx'))
      .send(file);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ file: '科室台账.xlsx', format: 'xlsx', dryRun: true, accepted: 0, rejected: [] });
    expect(dry.body.events).toEqual({
      UnitRegistered: 2,
      BudgetAllocated: 4,
      BudgetAdjusted: 1,
      SpendingRecorded: 7,
      SpendingPlanned: 2,
    });
    expect(await logSnapshot(t.db.db)).toEqual(before);

    const real = await request(t.http)
      .post(url('?dryRun=false&recordedOn=2024-03-05'))
      .set('Content-Type', XLSX)
      .send(file);
    expect(real.status).toBe(201);
    expect(real.body).toMatchObject({ dryRun: false, accepted: 16, duplicates: 0 });
    expect((await logSnapshot(t.db.db)).count).toBe(before.count + 16);

    const mid = await logSnapshot(t.db.db);
    const again = await request(t.http).post(url()).set('Content-Type', 'application/octet-stream').send(file);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 16 });
    expect(await logSnapshot(t.db.db)).toEqual(mid);
  });

  test('a GBK CSV (charset in the Content-Type) in 万元 with one bad row', async () => {
    const csv = '科室,预算项目,月份,支出金额\n办公室,日常公用经费,2024-03,1.5\n办公室,日常公用经费,2024-04,0.0000001\n';
    const res = await request(t.http)
      .post(url('?unit=wan&recordedOn=2024-05-05'))
      .set('Content-Type', 'text/csv; charset=gbk')
      .send(iconv.encode(csv, 'gbk'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ format: 'csv', encoding: 'gb18030 (gbk)', accepted: 1, rejectedRows: 1 });
    expect(res.body.preview[0]).toMatchObject({ type: 'SpendingRecorded', month: '2024-03', amount: '15000.00' });
    expect(res.body.rejected[0]).toMatchObject({ row: 3, column: 'D', header: '支出金额' });
  });

  test('a mapping passed as a query parameter names other headers', async () => {
    const csv = '处室,项目名称,支付月份,实付金额,摘要\n办公室,日常公用经费,2024-05,"1,000.00",5月累计电费\n';
    const mapping = JSON.stringify({ columns: { 处室: 'unitName', 支付月份: 'month', 实付金额: 'spending' } });
    const res = await request(t.http)
      .post(url(`?dryRun=true&mapping=${encodeURIComponent(mapping)}`))
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ events: { SpendingRecorded: 1 }, rejected: [], skipped: [] });
    expect(res.body.sheets[0].unmapped).toEqual(['E 摘要']);
    const bad = await request(t.http)
      .post(url(`?mapping=${encodeURIComponent('{"columns":{"x":"nope"}}')}`))
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ path: 'mapping.columns.x' });
  });

  test('refusals: empty body, a year not opened, an unknown sheet, a bad flag', async () => {
    const empty = await request(t.http).post(url()).set('Content-Type', 'text/csv').send('');
    expect(empty.status).toBe(400);
    const notOpened = await request(t.http)
      .post(`/api/v1/departments/${DEP}/years/2025/imports`)
      .set('Content-Type', XLSX)
      .send(await officeWorkbook());
    expect(notOpened.status).toBe(400);
    expect(notOpened.body.message).toMatch(/has no YearOpened/);
    const sheet = await request(t.http)
      .post(url('?sheet=nope'))
      .set('Content-Type', XLSX)
      .send(await officeWorkbook());
    expect(sheet.status).toBe(400);
    expect(sheet.body.message).toMatch(/no sheet named "nope" \(sheets: 预算, 支出, 计划\)/);
    const flag = await request(t.http)
      .post(url('?dryRun=maybe'))
      .set('Content-Type', XLSX)
      .send(await officeWorkbook());
    expect(flag.status).toBe(400);
  });
});

describe('upload endpoint with API keys', () => {
  let t: TestApp;
  const DEP = 'keyed-office';
  const key: Record<string, string> = {};
  const url = `/api/v1/departments/${DEP}/years/2024/imports?dryRun=true`;

  beforeAll(async () => {
    t = await startTestApp('pglite', { auth: true, ingestPerMinute: 1000 });
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    key.writer = (await keys.create({ role: 'writer', name: '财务', departments: [DEP] })).key;
    key.otherWriter = (await keys.create({ role: 'writer', name: '其他局', departments: ['other-dept'] })).key;
    key.finance = (await keys.create({ role: 'finance', name: '区财政局', departments: [DEP] })).key;
    const res = await request(t.http)
      .post('/api/v1/events')
      .set('Authorization', `Bearer ${key.writer}`)
      .send(opened(DEP, 2024, 'keyed-office-opened'));
    expect(res.status).toBe(201);
  });
  afterAll(async () => t.close());

  test('writers of the department may import; other writers, readers and anonymous callers may not', async () => {
    const file = await officeWorkbook();
    const send = (who?: string) => {
      const req = request(t.http).post(url).set('Content-Type', XLSX);
      return who ? req.set('Authorization', `Bearer ${key[who]}`).send(file) : req.send(file);
    };
    expect((await send('writer')).status).toBe(200);
    expect((await send('otherWriter')).status).toBe(403);
    expect((await send('finance')).status).toBe(403);
    expect((await send()).status).toBe(401);
  });
});
