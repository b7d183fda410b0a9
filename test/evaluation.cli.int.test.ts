/**
 * `paceline evaluate` run in-process against a real PostgreSQL database holding the sample: the
 * Chinese text table, --json, the --xlsx and --html files, and the exit codes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { evaluateCommand } from '#cli/commands/evaluate.command.js';
import { UsageError } from '#cli/context.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { testDatabase, type TestDatabase } from './support/databases.js';
import { sampleEvents } from './support/sample.js';

describe('paceline evaluate', () => {
  let t: TestDatabase;
  const saved = process.env.DATABASE_URL;
  const dir = mkdtempSync(join(tmpdir(), 'paceline-evaluate-'));
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    t = await testDatabase('postgres');
    await new IngestService(new EventsRepository(t.db)).ingest(sampleEvents());
    process.env.DATABASE_URL = t.url;
  });
  afterAll(async () => {
    process.env.DATABASE_URL = saved;
    if (saved === undefined) delete process.env.DATABASE_URL;
    rmSync(dir, { recursive: true, force: true });
    await t.dispose();
  });
  const { log, error } = console;
  beforeEach(() => {
    out = [];
    err = [];
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    console.error = (...a: unknown[]) => void err.push(a.join(' '));
  });
  afterEach(() => {
    console.log = log;
    console.error = error;
  });

  test('prints the scoring table, total, grade and findings; writes the xlsx and the HTML', async () => {
    const xlsx = join(dir, 'eval.xlsx');
    const html = join(dir, 'eval.html');
    expect(await evaluateCommand.run(['yantian-emergency', '2023', '--xlsx', xlsx, '--html', html])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('深圳市盐田区应急管理局（yantian-emergency）2023 年度部门整体支出绩效自评（最终）');
    expect(text).toMatch(/预算执行率\s+6\s+4\.70/);
    expect(text).toMatch(/编外人员控制率\s+1\s+0\.00/);
    expect(text).toContain('综合评分 91.70');
    expect(text).toContain('评分等级 优');
    expect(text).toContain('部门决策 18.00/20 · 部门管理 19.00/20 · 部门绩效 54.70/60');
    expect(text).toContain('差异说明（自评 95.7 分 优，计算 91.70 分 优）');
    expect(text).toMatch(/1\. 绩效目标完整性（decision.goals.completeness）：自评 5 分超过该指标分值 3 分/);
    expect(text).toMatch(/2\. 公众或服务对象满意度.*自评 6 分，但按规则应得 4 分/);
    expect(text).toMatch(/3\. 总分\/等级：自评总分 95.7 分.*91.70/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['自评表', '评分表', '核对']);
    expect(readFileSync(html, 'utf8')).toContain('部门整体支出绩效自评报告');
    expect(err.join('\n')).toContain(xlsx);
  });

  test('--json prints the same object as the API; --known-on gives a forecast', async () => {
    expect(await evaluateCommand.run(['yantian-emergency', '2023', '--json'])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ status: 'final', total: { score: '91.70' }, grade: '优' });
    out.length = 0;
    expect(await evaluateCommand.run(['yantian-emergency', '2023', '--json', '--known-on', '2023-06-30'])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ status: 'forecast', knownOn: '2023-06-30' });
  });

  test('an unknown department exits 1; usage mistakes are usage errors', async () => {
    expect(await evaluateCommand.run(['nobody-here', '2023'])).toBe(1);
    expect(err.join('\n')).toContain('no opened year 2023 for department "nobody-here"');
    await expect(evaluateCommand.run(['yantian-emergency'])).rejects.toBeInstanceOf(UsageError);
    await expect(evaluateCommand.run(['yantian-emergency', '23'])).rejects.toThrow(
      'year must be between 2000 and 2100',
    );
    await expect(evaluateCommand.run(['yantian-emergency', '2023', '--known-on', '2023-13-01'])).rejects.toThrow(
      '--known-on',
    );
    await expect(evaluateCommand.run(['yantian-emergency', '2023', '--framework', 'atlantis'])).rejects.toThrow(
      'unknown framework "atlantis"',
    );
  });
});
