/** rebuild, close-month and replay through the real CLI binary. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt } from './support/build.js';
import { SAMPLE_PATH } from './support/sample.js';

const run = promisify(execFile);

describe('paceline CLI', () => {
  let bin: string;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  beforeAll(async () => {
    bin = ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'paceline-cli-'));
    env = { ...process.env, PACELINE_DATA_DIR: join(dir, 'pglite'), DATABASE_URL: '' };
    await run('node', [bin, 'ingest', SAMPLE_PATH.pathname], { env });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('rebuild replays the whole log with progress', async () => {
    const r = await run('node', [bin, 'rebuild'], { env });
    expect(r.stdout).toMatch(/rebuilt the execution projection from 241 events/);
    expect(r.stderr).toMatch(/241\/241/);
  });

  test('close-month issues the notices once; closing again sends nothing', async () => {
    const first = await run('node', [bin, 'close-month', 'yantian-emergency', '2023', '6'], { env });
    expect(first.stdout).toMatch(/2023年6月支出情况通报（应急指挥信息科）/);
    expect(first.stdout).toMatch(/已关账 closed/);
    const again = await run('node', [bin, 'close-month', 'yantian-emergency', '2023', '6'], { env });
    expect(again.stdout).toMatch(/already closed, nothing re-sent/);
    const bad = await run('node', [bin, 'close-month', 'yantian-emergency', '2023']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(2);
  });

  test('replay --close-months prints the notices and alerts of the whole year', async () => {
    const r = await run('node', [bin, 'replay', SAMPLE_PATH.pathname, '--close-months'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(r.stdout).toMatch(/# 72 notices issued, 16 alerts raised/);
    for (let m = 1; m <= 12; m++) expect(r.stdout).toContain(`# 深圳市盐田区应急管理局2023年${m}月支出情况通报`);
    expect(r.stdout).toContain(
      '应急指挥信息科截至2月末预算执行率0.00%，低于序时进度16.67%共16.67个百分点，由黄色预警升级为红色预警。',
    );
    expect(r.stdout).toContain(
      '应急管理科截至2月末预算执行率2.79%，低于序时进度16.67%共13.88个百分点，由黄色预警升级为红色预警。',
    );
  });
});
