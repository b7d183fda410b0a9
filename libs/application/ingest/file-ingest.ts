/**
 * Ingests a file of events line by line through the same validation as the API, in batches,
 * and accounts for every line: accepted, duplicate, or rejected with its reasons. A batch refused
 * because of one event is split: the events before it are stored, the bad one is reported,
 * ingestion goes on after it (events that depended on it are then reported too).
 *
 * Lines are read as they come (an array or any iterable, sync or async: a 10M-line file is never
 * held whole) and parsed (and `prepare`d) while the previous batch is being stored, so the
 * per-event CPU work overlaps the database's.
 */
import { elementAt } from '#domain/required.js';
import { ConflictError, InvalidInputError, type EventError } from '../common/errors.js';
import type { IngestResult } from './ingest.service.js';

export interface LineRejection {
  /** 1-based line number in the file. */
  line: number;
  id?: string;
  path: string;
  reason: string;
}

export interface FileIngestSummary {
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: LineRejection[];
}

/** Sends one batch; throws InvalidInputError / ConflictError (with per-event errors) when refused. */
export type Submit<T = unknown> = (batch: T[]) => Promise<IngestResult>;

export interface FileIngestOptions<T = unknown> {
  batchSize?: number;
  /**
   * After each batch. `total` is the number of event lines read so far: it grows while the input is
   * read (it runs ahead of `done` by up to two batches) and is the final count once it has been read
   * to the end.
   */
  onProgress?: (done: number, total: number, summary: FileIngestSummary) => void;
  /**
   * Turns a parsed line into what `submit` receives (default: the parsed value itself), e.g.
   * IngestService's prepareEvent. Runs for upcoming lines while a batch is being stored.
   */
  prepare?: (value: unknown, text: string) => T;
}

interface Pending<T> {
  line: number;
  item: T;
}

const MIN_COMPACT = 4096;

export async function ingestLines<T = unknown>(
  lines: Iterable<string> | AsyncIterable<string>,
  submit: Submit<T>,
  options: FileIngestOptions<T> = {},
): Promise<FileIngestSummary> {
  const batchSize = options.batchSize ?? 500;
  const prepare = options.prepare ?? ((value: unknown) => value as T);
  const summary: FileIngestSummary = { lines: 0, accepted: 0, duplicates: 0, rejected: [] };
  const source = lines as AsyncIterable<string> & Iterable<string>;
  const iterator: AsyncIterator<string> | Iterator<string> =
    typeof source[Symbol.asyncIterator] === 'function' ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  let lineNumber = 0;
  let exhausted = false;
  // Parsed lines not yet stored: queue[head…]. The consumed front is cut off now and then
  // (amortized O(1) per line; slicing per batch would be O(n²) over a long file).
  let queue: Pending<T>[] = [];
  let head = 0;
  let done = 0;

  /** Reads until `want` lines are queued or the input ends. */
  const fill = async (want: number): Promise<void> => {
    while (!exhausted && queue.length - head < want) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      lineNumber++;
      const text = next.value;
      if (text.trim() === '') continue;
      summary.lines++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        summary.rejected.push({ line: lineNumber, path: '', reason: `not valid JSON: ${(e as Error).message}` });
        done++;
        continue;
      }
      queue.push({ line: lineNumber, item: prepare(value, text) });
    }
  };

  const take = (n: number): Pending<T>[] => queue.slice(head, head + n);
  const advance = (n: number): void => {
    head += n;
    done += n;
    if (head >= MIN_COMPACT && head * 2 >= queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  };
  const store = async (batch: Pending<T>[]): Promise<void> => {
    const result = await submit(batch.map((b) => b.item));
    summary.accepted += result.accepted;
    summary.duplicates += result.duplicates;
  };

  await fill(batchSize);
  options.onProgress?.(done, summary.lines, summary);
  while (queue.length - head > 0) {
    const batch = take(batchSize);
    // Store this batch while the next one is read and prepared.
    const [stored, read] = await Promise.allSettled([store(batch), fill(2 * batchSize)]);
    if (read.status === 'rejected') throw read.reason;
    if (stored.status === 'fulfilled') {
      advance(batch.length);
    } else {
      const e = stored.reason as unknown;
      if (!(e instanceof InvalidInputError || e instanceof ConflictError) || e.errors.length === 0) throw e;
      const firstBad = e.errors.reduce((least, x) => Math.min(least, x.index), Infinity);
      const badErrors = e.errors.filter((x: EventError) => x.index === firstBad);
      // Store what came before the first bad event, then report it.
      if (firstBad > 0) await store(batch.slice(0, firstBad));
      const bad = elementAt(batch, firstBad, 'the first refused line of the batch');
      for (const x of badErrors)
        summary.rejected.push({ line: bad.line, ...(x.id ? { id: x.id } : {}), path: x.path, reason: x.reason });
      advance(firstBad + 1);
    }
    await fill(batchSize);
    options.onProgress?.(done, summary.lines, summary);
  }
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
}
