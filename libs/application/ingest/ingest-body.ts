/** Turns a request body (one JSON event, a JSON array, or NDJSON) into raw events with clear parse errors. */
import { InvalidInputError, PayloadTooLargeError } from '../common/errors.js';

export const DEFAULT_MAX_BATCH = 10_000;
/** Deeper JSON than this is refused before validation (events nest at most 3 levels). */
const MAX_DEPTH = 16;

export type BodyFormat = 'json' | 'ndjson';

/**
 * Whether some value sits deeper than MAX_DEPTH (the top value at depth 0, each container's
 * values one deeper). Stops at the first one; no array of values per object (it runs on every
 * event of every body).
 */
function tooDeep(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (tooDeep(value[i], depth + 1)) return true;
    return false;
  }
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (tooDeep(obj[k], depth + 1)) return true;
  return false;
}

function checkDepth(value: unknown, where: string): void {
  if (tooDeep(value, 0)) {
    throw new InvalidInputError(`${where}: JSON nested deeper than ${MAX_DEPTH} levels`, [
      { index: 0, path: '', reason: `JSON nested deeper than ${MAX_DEPTH} levels` },
    ]);
  }
}

/** `text` is already decoded (strict UTF-8, see the events controller): U+FFFD here is a real character. */
export function parseEventsBody(text: string, format: BodyFormat, maxBatch = DEFAULT_MAX_BATCH): unknown[] {
  let events: unknown[];
  if (format === 'ndjson') {
    events = [];
    // Line by line without splitting the body into an array first.
    for (let start = 0, i = 0; start <= text.length; i++) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      const line = text.slice(start, end).trim();
      start = end + 1;
      if (line === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (e) {
        throw new InvalidInputError(`line ${i + 1} is not valid JSON`, [
          { index: events.length, path: '', reason: `line ${i + 1} is not valid JSON: ${(e as Error).message}` },
        ]);
      }
      checkDepth(parsed, `line ${i + 1}`);
      events.push(parsed);
      if (events.length > maxBatch) throw new PayloadTooLargeError(`a batch holds at most ${maxBatch} events`);
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new InvalidInputError('the body is not valid JSON', [
        { index: 0, path: '', reason: `the body is not valid JSON: ${(e as Error).message}` },
      ]);
    }
    checkDepth(parsed, 'the body');
    events = Array.isArray(parsed) ? parsed : [parsed];
  }
  if (events.length === 0) {
    throw new InvalidInputError('the batch is empty', [{ index: 0, path: '', reason: 'no events in the body' }]);
  }
  if (events.length > maxBatch)
    throw new PayloadTooLargeError(`a batch holds at most ${maxBatch} events, got ${events.length}`);
  return events;
}
