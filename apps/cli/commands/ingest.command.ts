import { parseArgs } from 'node:util';
import { ingestLines, type FileIngestOptions, type Submit } from '#application/ingest/file-ingest.js';
import { prepareEvent, type Prepared } from '#application/ingest/ingest-prepare.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { UsageError, withDatabase, type Command } from '../context.js';
import { FileLines } from '../file-lines.js';
import { httpSubmit } from '../http-submit.js';
import { ProgressBar } from '../progress.js';

/** Events per batch: fewer, larger statements (MAX_BATCH_EVENTS allows up to 10,000). */
const DEFAULT_BATCH = 2000;

export const ingestCommand: Command = {
  usage: `ingest FILE.jsonl [--batch N] [--api URL]   ingest NDJSON events (same validation as the API; batches of ${DEFAULT_BATCH})`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { batch: { type: 'string' }, api: { type: 'string' }, 'api-key': { type: 'string' } },
    });
    const file = positionals[0];
    if (!file) throw new UsageError('ingest needs a file: paceline ingest FILE.jsonl');
    const batchSize = values.batch ? Number(values.batch) : DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
      throw new UsageError('--batch must be a whole number between 1 and 10000');
    let lines: FileLines;
    try {
      // Read as a stream: the file may be larger than any string.
      lines = new FileLines(file);
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const run = async <T>(submit: Submit<T>, prepare?: FileIngestOptions<T>['prepare']) => {
      const bar = new ProgressBar('导入 ingest');
      return ingestLines(lines, submit, {
        batchSize,
        ...(prepare ? { prepare } : {}),
        onProgress: (done, read, s) =>
          bar.update(
            done,
            lines.estimateTotal(read),
            `新增 ${s.accepted} · 重复 ${s.duplicates} · 拒绝 ${s.rejected.length}`,
          ),
      });
    };
    const summary = values.api
      ? await run(httpSubmit(values.api, values['api-key'] ?? process.env.PACELINE_API_KEY))
      : await withDatabase((h) => {
          const service = new IngestService(new EventsRepository(h.db));
          // Validation and hashing of the next batch run while the current one is being stored.
          return run<Prepared>(
            (batch) => service.ingestPrepared(batch),
            (value) => prepareEvent(value),
          );
        });
    console.log(`\n${file}: ${summary.lines} 条事件 events`);
    console.log(`  新增 accepted:    ${summary.accepted}`);
    console.log(`  重复 duplicates:  ${summary.duplicates}`);
    console.log(`  拒绝 rejected:    ${summary.rejected.length}`);
    for (const r of summary.rejected) {
      console.log(
        `    第 ${r.line} 行 line ${r.line}${r.id ? ` (${r.id})` : ''}: ${r.path ? `${r.path}: ` : ''}${r.reason}`,
      );
    }
    return summary.rejected.length > 0 ? 1 : 0;
  },
};
