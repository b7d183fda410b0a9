/**
 * ingestLines on a stream of lines: the same per-line accounting as on an array (bad JSON and bad
 * events in the middle reported by line, the lines around them stored), read lazily (never more
 * than a couple of batches ahead of what is stored), with or without a `prepare` step. On
 * embedded PGlite and PostgreSQL.
 */
import { ingestLines } from '#application/ingest/file-ingest.js';
import { prepareEvent, type Prepared } from '#application/ingest/ingest-prepare.js';
import { IngestService, type IngestResult } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { BACKENDS, testDatabase } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { sampleText } from './support/sample.js';

async function* slowly(lines: string[]): AsyncGenerator<string> {
  for (const [i, l] of lines.entries()) {
    if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    yield l;
  }
}

/** The sample's first 60 lines with problems in the middle: blank lines, bad JSON, a field error, a bad reference. */
function troubledLines(): string[] {
  const lines = sampleText().trim().split('\n').slice(0, 60);
  const unit = JSON.parse(lines[4]!); // unit "command", needed by the line allocated on line 14
  lines[4] = JSON.stringify({ ...unit, data: { ...unit.data, extra: 1 } });
  const line10 = JSON.parse(lines[9]!);
  lines[9] = JSON.stringify({ ...line10, data: { ...line10.data, amount: '1,000.00' } });
  lines.splice(20, 0, '{"id": broken', '', '   ');
  lines.splice(41, 0, 'not json at all');
  return lines;
}

describe.each(BACKENDS)('streaming file ingest on %s', (backend) => {
  test('a stream with bad lines in the middle is accounted exactly like the same lines as an array', async () => {
    const lines = troubledLines();
    const [a, b] = [await testDatabase(backend), await testDatabase(backend)];
    try {
      // The array the earlier way: raw events, a fresh service per batch (the slow path after the first).
      const fromArray = await ingestLines(
        lines,
        (batch) => new IngestService(new EventsRepository(a.db)).ingest(batch),
        { batchSize: 4 },
      );
      const service = new IngestService(new EventsRepository(b.db));
      const progress: [number, number][] = [];
      const fromStream = await ingestLines<Prepared>(slowly(lines), (batch) => service.ingestPrepared(batch), {
        batchSize: 4,
        prepare: (value) => prepareEvent(value),
        onProgress: (done, total) => progress.push([done, total]),
      });
      expect(fromStream).toEqual(fromArray);
      expect(fromStream.lines).toBe(62);
      // The three broken events, the two lines of bad JSON, and the events that needed the broken
      // unit (line 5: unit "command") or the lines it could then not get.
      expect(fromStream.rejected.map((r) => [r.line, r.path])).toEqual([
        [5, 'data.extra'],
        [10, 'data.amount'],
        [14, 'data.unit'],
        [19, 'data.line'],
        [21, ''],
        [29, 'data.unit'],
        [34, 'data.line'],
        [41, 'data.unit'],
        [42, ''],
        [47, 'data.line'],
        [51, 'data.line'],
        [56, 'data.unit'],
        [61, 'data.line'],
      ]);
      expect(fromStream.rejected[4]!.reason).toMatch(/^not valid JSON: /);
      expect(fromStream.rejected[8]!.reason).toMatch(/^not valid JSON: /);
      expect(fromStream.accepted).toBe(49);
      expect(fromStream.duplicates).toBe(0);
      expect((await logSnapshot(b.db)).fingerprint).toBe((await logSnapshot(a.db)).fingerprint);
      // Progress ends at every line done, of the final count.
      expect(progress[progress.length - 1]).toEqual([62, 62]);
      for (const [done, total] of progress) expect(done).toBeLessThanOrEqual(total);
      // Again: every line a duplicate, nothing new.
      const again = await ingestLines(slowly(lines), (batch) => service.ingest(batch), { batchSize: 7 });
      expect(again.accepted).toBe(0);
      expect(again.duplicates).toBe(49);
      expect(again.rejected.map((r) => r.line)).toEqual(fromStream.rejected.map((r) => r.line));
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});

describe('streaming file ingest reads lazily', () => {
  test('at most two batches are read ahead of what is stored, whatever the input length', async () => {
    let pulled = 0;
    const total = 20_000;
    async function* lines(): AsyncGenerator<string> {
      for (let i = 0; i < total; i++) {
        pulled++;
        yield i % 1000 === 999 ? '{bad' : `{"n":${i}}`;
      }
    }
    let submitted = 0;
    let maxAhead = 0;
    const summary = await ingestLines(
      lines(),
      async (batch): Promise<IngestResult> => {
        maxAhead = Math.max(maxAhead, pulled - submitted);
        submitted += batch.length;
        await new Promise((r) => setImmediate(r));
        return { accepted: batch.length, duplicates: 0, events: [] };
      },
      { batchSize: 100 },
    );
    expect(summary.lines).toBe(total);
    expect(summary.accepted).toBe(total - 20);
    expect(summary.rejected).toHaveLength(20);
    expect(summary.rejected[0]).toMatchObject({ line: 1000, path: '' });
    // One batch being stored and up to two read ahead (plus the bad lines skipped among them).
    expect(maxAhead).toBeLessThanOrEqual(3 * 100 + 5);
  });

  test('a refused event in the middle of a batch: the events before it are stored, it is reported, the next batch starts after it', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ n: i }));
    const sent: number[][] = [];
    const { InvalidInputError } = await import('#application/common/errors.js');
    const summary = await ingestLines(
      slowly(lines),
      async (batch): Promise<IngestResult> => {
        const ns = (batch as { n: number }[]).map((b) => b.n);
        sent.push(ns);
        const bad = ns.indexOf(5);
        if (bad !== -1) throw new InvalidInputError('refused', [{ index: bad, path: 'data.x', reason: 'five' }]);
        return { accepted: ns.length, duplicates: 0, events: [] };
      },
      { batchSize: 4 },
    );
    expect(sent).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [4], [6, 7, 8, 9]]);
    expect(summary).toEqual({
      lines: 10,
      accepted: 9,
      duplicates: 0,
      rejected: [{ line: 6, path: 'data.x', reason: 'five' }],
    });
  });
});
