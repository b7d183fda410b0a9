/**
 * Ingests a file of events line by line through the same validation as the API, in batches,
 * and accounts for every line: accepted, duplicate, or rejected with its reasons. A batch refused
 * because of one event is split: the events before it are stored, the bad one is reported,
 * ingestion goes on after it (events that depended on it are then reported too).
 */
import { ConflictError, InvalidInputError, type EventError } from './errors.js';
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
export type Submit = (batch: unknown[]) => Promise<IngestResult>;

export interface FileIngestOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number, summary: FileIngestSummary) => void;
}

export async function ingestLines(lines: string[], submit: Submit, options: FileIngestOptions = {}): Promise<FileIngestSummary> {
  const batchSize = options.batchSize ?? 500;
  const summary: FileIngestSummary = { lines: 0, accepted: 0, duplicates: 0, rejected: [] };
  const pending: { line: number; event: unknown }[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    summary.lines++;
    try {
      pending.push({ line: i + 1, event: JSON.parse(text) });
    } catch (e) {
      summary.rejected.push({ line: i + 1, path: '', reason: `not valid JSON: ${(e as Error).message}` });
    }
  });
  const total = summary.lines;
  let done = summary.rejected.length;
  options.onProgress?.(done, total, summary);

  let queue = pending;
  while (queue.length > 0) {
    const batch = queue.slice(0, batchSize);
    try {
      const result = await submit(batch.map((b) => b.event));
      summary.accepted += result.accepted;
      summary.duplicates += result.duplicates;
      queue = queue.slice(batch.length);
      done += batch.length;
    } catch (e) {
      if (!(e instanceof InvalidInputError || e instanceof ConflictError) || e.errors.length === 0) throw e;
      const firstBad = Math.min(...e.errors.map((x) => x.index));
      const badErrors = e.errors.filter((x: EventError) => x.index === firstBad);
      if (firstBad > 0) {
        // Store what came before the first bad event, then report it.
        const result = await submit(batch.slice(0, firstBad).map((b) => b.event));
        summary.accepted += result.accepted;
        summary.duplicates += result.duplicates;
      }
      const bad = batch[firstBad]!;
      for (const x of badErrors) summary.rejected.push({ line: bad.line, ...(x.id ? { id: x.id } : {}), path: x.path, reason: x.reason });
      queue = queue.slice(firstBad + 1);
      done += firstBad + 1;
    }
    options.onProgress?.(done, total, summary);
  }
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
}
