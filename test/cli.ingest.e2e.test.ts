/** The ingest CLI: the real binary on a real database, and the per-line accounting of a file. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ingestLines } from '#application/ingest/file-ingest.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ensureBuilt } from './support/build.js';
import { createPostgresDatabase, testDatabase } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { SAMPLE_PATH, sampleText } from './support/sample.js';

const run = promisify(execFile);

describe('paceline ingest (binary)', () => {
  let bin: string;
  beforeAll(() => {
    bin = ensureBuilt();
  });

  test.each(['pglite', 'postgres'] as const)(
    'the sample twice on %s: 241 accepted, then 241 duplicates',
    async (backend) => {
      const dir = mkdtempSync(join(tmpdir(), 'paceline-cli-'));
      const pgdb = backend === 'postgres' ? await createPostgresDatabase() : undefined;
      const env = { ...process.env, PACELINE_DATA_DIR: join(dir, 'pglite'), DATABASE_URL: pgdb?.url ?? '' };
      try {
        const first = await run('node', [bin, 'ingest', SAMPLE_PATH.pathname], { env });
        expect(first.stdout).toMatch(/新增 accepted:\s+241/);
        expect(first.stdout).toMatch(/重复 duplicates:\s+0/);
        expect(first.stderr).toMatch(/241\/241/);
        const second = await run('node', [bin, 'ingest', SAMPLE_PATH.pathname], { env });
        expect(second.stdout).toMatch(/新增 accepted:\s+0/);
        expect(second.stdout).toMatch(/重复 duplicates:\s+241/);
        expect(second.stdout).toMatch(/拒绝 rejected:\s+0/);
      } finally {
        await pgdb?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('a file with bad lines exits 1 and lists each rejected line with its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paceline-cli-'));
    const lines = sampleText().trim().split('\n').slice(0, 8);
    lines.splice(3, 0, '{"id": broken');
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, lines.join('\n'));
    const err = await run('node', [bin, 'ingest', file], {
      env: { ...process.env, PACELINE_DATA_DIR: join(dir, 'pglite'), DATABASE_URL: '' },
    })
      .then(
        () => null,
        (e: { code: number; stdout: string }) => e,
      )
      .finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(err?.code).toBe(1);
    expect(err?.stdout).toMatch(/新增 accepted:\s+8/);
    expect(err?.stdout).toMatch(/line 4: not valid JSON/);
  });

  test('a missing file is a usage error (exit 2)', async () => {
    const err = await run('node', [bin, 'ingest', '/nonexistent.jsonl']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/cannot read \/nonexistent.jsonl/);
  });
});

describe('file ingest accounting', () => {
  test('bad events are reported by line; those after them still go in; dependants are reported too', async () => {
    const t = await testDatabase('pglite');
    try {
      const service = new IngestService(new EventsRepository(t.db));
      const lines = sampleText().trim().split('\n').slice(0, 15); // YearOpened, 5 units, 9 budget lines
      const unitLine = JSON.parse(lines[4]!); // command unit, needed by the invest line (line 14)
      lines[4] = JSON.stringify({ ...unitLine, data: { ...unitLine.data, extra: 1 } });
      lines[9] = JSON.stringify({
        ...JSON.parse(lines[9]!),
        data: { ...JSON.parse(lines[9]!).data, amount: '1,000.00' },
      });
      const summary = await ingestLines(lines, (b) => service.ingest(b), { batchSize: 4 });
      expect(summary.lines).toBe(15);
      expect(summary.accepted).toBe(12);
      expect(summary.rejected).toEqual([
        { line: 5, id: unitLine.id, path: 'data.extra', reason: expect.stringMatching(/unknown field/) },
        { line: 10, id: JSON.parse(lines[9]!).id, path: 'data.amount', reason: expect.stringMatching(/not an amount/) },
        {
          line: 14,
          id: JSON.parse(lines[13]!).id,
          path: 'data.unit',
          reason: 'unknown unit "command": it needs a UnitRegistered first',
        },
      ]);
      expect((await logSnapshot(t.db)).count).toBe(12);
    } finally {
      await t.dispose();
    }
  });
});
