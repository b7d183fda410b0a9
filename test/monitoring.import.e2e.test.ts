/**
 * The monitoring table's round trip, through HTTP on both backends and through `paceline import`:
 * the workbook as downloaded from …/monitoring.xlsx (the demo department of
 * test/fixtures/monitoring-demo.ts, 1—7月), filled in by the units with exceljs, posted to the
 * existing import endpoint: a dry run lists the events, the import stores them, the monitoring
 * answer shows the progress, importing again stores nothing, and a bad cell refuses the whole
 * file with its sheet, cell, column and field. docs/monitoring.md, "The monitoring table".
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { importEventId } from '#application/import/ids.js';
import { repositoryStream } from '#application/import/import.service.js';
import type { EventInput } from '#domain/events.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { behindEvents, calmEvents, DEMO, monitoringDemoEvents, YEAR } from './fixtures/monitoring-demo.js';
import { startTestApp, type TestApp } from './support/app.js';
import { ensureBuilt } from './support/build.js';
import { BACKENDS } from './support/databases.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const BASE = `/api/v1/departments/${DEMO}/years/${YEAR}`;
const RECORDED = '2025-08-10';
const run = promisify(execFile);

function binary(res: request.Response, done: (err: Error | null, body: unknown) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

type Cells = Record<string, Record<string, string | null>>;

/** The workbook with cells set (sheet → address → text, null to clear), saved again by exceljs. */
async function fill(xlsx: Buffer, cells: Cells): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.buffer.slice(xlsx.byteOffset, xlsx.byteOffset + xlsx.byteLength) as ArrayBuffer);
  for (const [sheet, values] of Object.entries(cells)) {
    const ws = wb.getWorksheet(sheet);
    if (!ws) throw new Error(`no sheet ${sheet}`);
    for (const [address, value] of Object.entries(values)) ws.getCell(address).value = value;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** What the units fill in (rows worked out from the download: money row 7, targets from row 10). */
const FILLED: Cells = {
  // The department: its spending explained (经费保障); 预决算公开时限 reported.
  部门整体: {
    I7: '✓',
    N7: '部分项目配套资金拨付滞后，支出进度低于序时进度',
    O7: '督促各科室按月拨付，9月底前赶上序时进度',
    F11: '15日',
    G11: '15日',
    H11: '确定能',
  },
  // 农业综合生产能力: now 有可能, staffing (√ in 人员保障), with reason and measure.
  高标准农田建设项目: { G12: '显著提升', H12: '有可能', K12: '√', N12: '农技人员不足', O12: '从县农技站抽调技术人员' },
  // 良种推广面积: 16000亩 corrected to 17000亩 (the same date: a revision).
  良种推广补贴项目: { F10: '17000亩' },
};

const DEPT_EXPLANATION = importEventId('explanation', [DEMO, YEAR, 'department', '2025-07-31']);
const DISCLOSE = importEventId('progress', [DEMO, YEAR, 'i-dept-disclose', '2025-07-31']);

describe.each(BACKENDS)('monitoring table import on %s', (backend) => {
  let t: TestApp;
  let downloaded: Buffer;
  let filled: Buffer;
  const key: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${key[who]}` });
  const upload = (body: Buffer, query: string, department = DEMO) =>
    request(t.http)
      .post(`/api/v1/departments/${department}/years/${YEAR}/imports?${query}`)
      .set(as('writer'))
      .set('Content-Type', XLSX)
      .set('X-Filename', encodeURIComponent('绩效运行监控表.xlsx'))
      .send(body);
  const stored = async () => (await repositoryStream(new EventsRepository(t.db.db))(DEMO, YEAR)).length;
  const caughtUp = async () => {
    for (let i = 0; i < 400; i++) {
      const p = await request(t.http).get('/api/v1/projections').set(as('admin'));
      if (p.body.projections?.[0]?.behind === 0) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('the projection did not catch up');
  };

  beforeAll(async () => {
    t = await startTestApp(backend, { auth: true, projectorPollMs: 50, ingestPerMinute: 1000 });
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    key.admin = (await keys.create({ role: 'admin', name: 'ops', departments: [] })).key;
    key.writer = (await keys.create({ role: 'writer', name: '农业农村局', departments: [DEMO, 'a-calm'] })).key;
    key.finance = (await keys.create({ role: 'finance', name: '市财政局', departments: [DEMO] })).key;
    for (const events of [monitoringDemoEvents(), calmEvents(), behindEvents()] as EventInput[][])
      expect((await request(t.http).post('/api/v1/events').set(as('admin')).send(events)).status).toBe(201);
    await caughtUp();
    const res = await request(t.http)
      .get(`${BASE}/monitoring.xlsx?asOf=2025-07-31`)
      .set(as('admin'))
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    downloaded = res.body as Buffer;
    filled = await fill(downloaded, FILLED);
  });
  afterAll(async () => t.close());

  test('the table as downloaded: every row is what the stream says (duplicates) or blank (skipped)', async () => {
    const r = await upload(downloaded, `dryRun=true&recordedOn=${RECORDED}`);
    expect(r.status).toBe(200);
    // Prefilled rows: 预算调整率, 新建高标准农田面积, 项目审批办结时限, 农业综合生产能力, 良种推广面积,
    // 农户满意度 and p-seed's explanation of 07-15 (of the period: July). Blank: the department's and
    // p-irrigation's money rows, 预决算公开时限.
    expect(r.body).toMatchObject({ dryRun: true, events: {}, accepted: 0, duplicates: 7, rejected: [], preview: [] });
    expect(r.body.skipped).toEqual([
      { sheet: '部门整体', row: 7, reason: 'blank' },
      { sheet: '部门整体', row: 11, reason: 'blank' },
      { sheet: '高标准农田建设项目', row: 7, reason: 'blank' },
    ]);
    expect(
      r.body.sheets.map((s: { name: string; kinds: string[]; headerRow: number; rows: number }) => [
        s.name,
        s.kinds,
        s.headerRow,
        s.rows,
      ]),
    ).toEqual([
      ['部门整体', ['monitoring'], 8, 3],
      ['高标准农田建设项目', ['monitoring'], 8, 4],
      ['良种推广补贴项目', ['monitoring'], 8, 3],
    ]);
    expect(r.body.sheets[0].columns.slice(0, 3)).toEqual([
      { column: 'F', header: '1—7月实际完成值', field: 'data.actual' },
      { column: 'G', header: '全年预计完成值', field: 'data.expectedYearEnd' },
      { column: 'H', header: '完成目标可能性', field: 'data.likelihood' },
    ]);
  });

  test('filled in: the dry run lists the events, the import stores them, the answer shows them', async () => {
    const before = await stored();
    const dry = await upload(filled, `dryRun=true&recordedOn=${RECORDED}`);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dryRun: true,
      events: { IndicatorProgressReported: 3, DeviationExplained: 1 },
      accepted: 0,
      duplicates: 5,
      rejected: [],
      rejectedRows: 0,
      skipped: [{ sheet: '高标准农田建设项目', row: 7, reason: 'blank' }],
    });
    const preview = dry.body.preview as { sheet: string; rows: number[]; type: string; id: string; data: unknown }[];
    expect(preview.map((p) => [p.sheet, p.rows, p.type])).toEqual([
      ['部门整体', [7], 'DeviationExplained'],
      ['部门整体', [11], 'IndicatorProgressReported'],
      ['高标准农田建设项目', [12], 'IndicatorProgressReported'],
      ['良种推广补贴项目', [10], 'IndicatorProgressReported'],
    ]);
    // Ids: hashes of stream, subject or indicator and the report date (July 31); a second report of
    // the same target on the same date (a revision) adds how many came before and its content.
    expect(preview[0]).toMatchObject({
      id: DEPT_EXPLANATION,
      name: '示范市农业农村局',
      data: {
        subject: { kind: 'department' },
        asOf: '2025-07-31',
        cause: 'funding',
        reason: '部分项目配套资金拨付滞后，支出进度低于序时进度',
        measure: '督促各科室按月拨付，9月底前赶上序时进度',
      },
    });
    expect(preview[1]).toMatchObject({
      id: DISCLOSE,
      name: '预决算公开时限',
      data: {
        indicator: 'i-dept-disclose',
        asOf: '2025-07-31',
        actual: '15日',
        expectedYearEnd: '15日',
        likelihood: 'certain',
      },
    });
    expect(preview[2]?.data).toEqual({
      indicator: 'i-irr-quality',
      asOf: '2025-07-31',
      actual: '初步提升',
      expectedYearEnd: '显著提升',
      likelihood: 'possible',
      deviation: { cause: 'staffing', reason: '农技人员不足' },
      measure: '从县农技站抽调技术人员',
    });
    expect(preview[3]?.data).toEqual({
      indicator: 'i-seed-area',
      asOf: '2025-07-31',
      actual: '17000亩',
      expectedYearEnd: '21000亩',
      likelihood: 'certain',
    });
    for (const p of preview.slice(2)) {
      expect(p.id).toMatch(/^imp-progress-[0-9a-f]{32}$/);
      expect(p.id).not.toBe(
        importEventId('progress', [DEMO, YEAR, (p.data as { indicator: string }).indicator, '2025-07-31']),
      );
    }
    expect(await stored()).toBe(before); // a dry run stores nothing

    const imported = await upload(filled, `recordedOn=${RECORDED}`);
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({
      dryRun: false,
      events: { IndicatorProgressReported: 3, DeviationExplained: 1 },
      accepted: 4,
      duplicates: 5,
      rejected: [],
    });
    expect(imported.body.preview.map((p: { id: string }) => p.id)).toEqual(preview.map((p) => p.id));
    expect(await stored()).toBe(before + 4);
    await caughtUp();

    const m = await request(t.http).get(`${BASE}/monitoring?asOf=2025-07-31`).set(as('finance'));
    expect(m.status).toBe(200);
    // 预决算公开时限 20日内 at 15日: met, 100.00.
    expect(m.body.departmentTargets[1]).toMatchObject({
      indicator: 'i-dept-disclose',
      progress: {
        asOf: '2025-07-31',
        actual: '15日',
        expectedYearEnd: '15日',
        likelihood: 'certain',
        eventId: DISCLOSE,
      },
      completion: '100.00',
    });
    // 良种推广面积 17000 / 20000 = 85.00; p-seed's average (85.00 + 94.44) / 2 = 89.72; 34.00 − 89.72.
    expect(m.body.projects[1].targets[0]).toMatchObject({ progress: { actual: '17000亩' }, completion: '85.00' });
    expect(m.body.projects[1].divergence).toEqual({
      rate: '34.00',
      completion: '89.72',
      difference: '-55.72',
      kind: 'work_ahead',
    });
    // 农业综合生产能力: possible before the second-to-last checkpoint (09-30): not at risk.
    expect(m.body.projects[0].targets[2]).toMatchObject({
      progress: { likelihood: 'possible', deviation: { cause: 'staffing', reason: '农技人员不足' } },
      completion: null,
      atRisk: false,
    });
    // The department (yellow since 07-31) is explained now, by an explanation dated 07-31.
    expect(m.body.explanations[0]).toMatchObject({
      subject: { kind: 'department', id: null },
      status: 'explained',
      explanation: { eventId: DEPT_EXPLANATION, asOf: '2025-07-31', cause: 'funding' },
    });
    expect(m.body.summary).toMatchObject({ unexplained: 0, overdue: 2, targetsAtRisk: 1, divergences: 2 });
    // As known on the day before the import: as it was.
    const earlier = await request(t.http)
      .get(`${BASE}/monitoring?asOf=2025-07-31&knownOn=2025-08-09`)
      .set(as('finance'));
    expect(earlier.body.departmentTargets[1].progress).toBeNull();

    // The same file again: nothing new.
    const again = await upload(filled, `recordedOn=${RECORDED}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ events: {}, accepted: 0, duplicates: 9, rejected: [] });
    expect(await stored()).toBe(before + 4);
    // The table downloaded now shows what was imported; uploaded as it is, it is all duplicates.
    const now = await request(t.http)
      .get(`${BASE}/monitoring.xlsx?asOf=2025-07-31`)
      .set(as('admin'))
      .buffer(true)
      .parse(binary);
    const redo = await upload(now.body as Buffer, 'dryRun=true');
    expect(redo.body).toMatchObject({ events: {}, duplicates: 9 });
  });

  test('a bad cell refuses the whole file: 400 naming the sheet, cell, column and field; nothing stored', async () => {
    const before = await stored();
    // 良种推广面积 有可能 with its cause and reason but no measure; the other rows are fine.
    const bad = await fill(filled, {
      良种推广补贴项目: { F10: '18000亩', H10: '有可能', I10: '✓', N10: '部分乡镇推广进度慢', O10: null },
      部门整体: { F11: '12日' },
    });
    const r = await upload(bad, `recordedOn=${RECORDED}`);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      {
        index: 1,
        id: expect.stringMatching(/^imp-progress-[0-9a-f]{32}$/),
        path: 'data.measure',
        reason:
          'IndicatorProgressReported data.measure: is required when likelihood is "possible" (有可能): say what will be done',
        sheet: '良种推广补贴项目',
        row: 10,
        column: 'O',
        cell: 'O10',
        header: '完善措施',
      },
    ]);
    expect(r.body.message).toBe(
      '绩效运行监控表.xlsx: the monitoring table was not imported, nothing was stored (all or nothing): 1 problem: ' +
        '良种推广补贴项目!O10「完善措施」 IndicatorProgressReported data.measure: is required when likelihood is "possible" (有可能): say what will be done',
    );
    expect(await stored()).toBe(before); // 预决算公开时限 12日 was not stored either

    // The dry run reports it in `rejected`, in the import's row style, and would store nothing.
    const dry = await upload(bad, 'dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ events: {}, accepted: 0, preview: [], rejectedRows: 1 });
    expect(dry.body.rejected).toEqual([
      {
        sheet: '良种推广补贴项目',
        row: 10,
        column: 'O',
        header: '完善措施',
        reason:
          'IndicatorProgressReported data.measure: is required when likelihood is "possible" (有可能): say what will be done',
      },
    ]);

    // Cells the table cannot read are named too: an unknown likelihood, two causes marked, a reason
    // without its cause, a money row without its measure.
    const worse = await fill(filled, {
      部门整体: { H11: '大概能', O7: null },
      高标准农田建设项目: { I12: '✓', K12: '√' },
      良种推广补贴项目: { N10: '天气原因' },
    });
    const w = await upload(worse, 'dryRun=true');
    expect(
      w.body.rejected.map((p: { sheet: string; column: string; row: number; reason: string }) => [
        `${p.sheet}!${p.column}${p.row}`,
        p.reason,
      ]),
    ).toEqual([
      ['部门整体!O7', 'DeviationExplained data.measure: is required'],
      ['部门整体!H11', 'IndicatorProgressReported data.likelihood: must be 确定能, 有可能, 完全不可能, got "大概能"'],
      [
        '高标准农田建设项目!K12',
        'IndicatorProgressReported data.deviation.cause: mark one cause only (经费保障 and 人员保障 are marked): the event records one',
      ],
      [
        '良种推广补贴项目!I10',
        'IndicatorProgressReported data.deviation.cause: a reason is given (原因说明): mark its cause, one of 经费保障, 制度保障, 人员保障, 硬件条件保障, 其他',
      ],
    ]);
    expect((await upload(worse, '')).status).toBe(400);
    expect(await stored()).toBe(before);
  });

  test("another stream's table, or a writer of another department, is refused", async () => {
    const r = await upload(filled, 'dryRun=true', 'a-calm');
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      'sheet 部门整体 is the monitoring table of mon-demo/2025, not of a-calm/2025: import it there',
    );
    // A column inserted: the fill-in columns are no longer where the table put them.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(filled.buffer.slice(filled.byteOffset, filled.byteOffset + filled.byteLength) as ArrayBuffer);
    wb.getWorksheet('良种推广补贴项目')!.spliceColumns(5, 0, []);
    const moved = await upload(Buffer.from(await wb.xlsx.writeBuffer()), 'dryRun=true');
    expect(moved.status).toBe(400);
    expect(moved.body.message).toMatch(
      /^sheet 良种推广补贴项目, cell F8: expected the column 「1—7月实际完成值」, found 「.*」: the columns of the table were moved/,
    );
    const finance = await request(t.http)
      .post(`${BASE}/imports?dryRun=true`)
      .set(as('finance'))
      .set('Content-Type', XLSX)
      .send(filled);
    expect(finance.status).toBe(403);
  });
});

describe('monitoring table import with paceline import', () => {
  let t: TestApp;
  let dir: string;
  let bin: string;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[]) =>
    run('node', [bin, ...args], { env }).catch((e: { code: number; stdout: string; stderr: string }) => e);

  beforeAll(async () => {
    bin = ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'paceline-monitoring-import-'));
    env = { ...process.env, PACELINE_DATA_DIR: join(dir, 'pglite'), DATABASE_URL: '' };
    const events = join(dir, 'events.jsonl');
    writeFileSync(
      events,
      monitoringDemoEvents()
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    await run('node', [bin, 'ingest', events], { env });
    // The table as the API serves it (its own database holds the same stream).
    t = await startTestApp('pglite', { projectorPollMs: 50 });
    expect((await request(t.http).post('/api/v1/events').send(monitoringDemoEvents())).status).toBe(201);
    for (let i = 0; i < 400; i++) {
      const p = await request(t.http).get('/api/v1/projections');
      if (p.body.projections?.[0]?.behind === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const res = await request(t.http).get(`${BASE}/monitoring.xlsx?asOf=2025-07-31`).buffer(true).parse(binary);
    writeFileSync(join(dir, 'filled.xlsx'), await fill(res.body as Buffer, FILLED));
    writeFileSync(
      join(dir, 'bad.xlsx'),
      await fill(res.body as Buffer, { 良种推广补贴项目: { F10: '18000亩', H10: '有可能', I10: '✓', N10: '进度慢' } }),
    );
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('dry run, import, import again, and a bad cell, as the command line prints them', async () => {
    const args = ['import', join(dir, 'filled.xlsx'), '--department', DEMO, '--year', String(YEAR)];
    const dry = (await cli([...args, '--dry-run', '--recorded-on', RECORDED])) as { stdout: string };
    expect(dry.stdout).toContain(
      'sheet 部门整体: monitoring table, 3 rows (绩效运行监控表 部门整体（1—7月），填报日期 2025-07-31)',
    );
    expect(dry.stdout).toContain('would ingest: IndicatorProgressReported 3, DeviationExplained 1');
    expect(dry.stdout).toMatch(
      /部门整体!11 +IndicatorProgressReported +预决算公开时限 +1—7月 15日；全年预计 15日；确定能/,
    );
    const done = (await cli([...args, '--recorded-on', RECORDED, '--json'])) as { stdout: string };
    expect(JSON.parse(done.stdout)).toMatchObject({ accepted: 4, duplicates: 5 });
    const again = (await cli([...args, '--json'])) as { stdout: string };
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, duplicates: 9, events: {} });
    const bad = (await cli(['import', join(dir, 'bad.xlsx'), '--department', DEMO, '--year', String(YEAR)])) as {
      code: number;
      stderr: string;
    };
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      '良种推广补贴项目!O10「完善措施」 IndicatorProgressReported data.measure: is required',
    );
  }, 120_000);
});
