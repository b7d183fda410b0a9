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

/**
 * The contract's integer fields, and a number written after one of them. JSON.parse reads 2023.0,
 * 2.023e3 and -0 as ordinary numbers, so these are checked on the text itself.
 */
const INTEGER_FIELD_RE =
  /"(year|expectedVersion|authorized|onStaff|directHires|dispatched|retired|received|replied|repliedOnTime)"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;
const ENVELOPE_INTEGERS = new Set(['year', 'expectedVersion']);

/** The first integer field written with a fraction, an exponent or a minus zero, and where it is. */
function nonIntegerLiteral(text: string): { field: string; literal: string; offset: number } | null {
  for (const m of text.matchAll(INTEGER_FIELD_RE)) {
    const literal = m[2] ?? '';
    if (/[.eE]/.test(literal) || literal === '-0') return { field: m[1] ?? '', literal, offset: m.index };
  }
  return null;
}

/** Which element of the top-level array `offset` falls in (0 for a single event). */
function eventIndexAt(text: string, offset: number): number {
  let depth = 0;
  let index = 0;
  let inString = false;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 1) index++;
  }
  return text.trimStart().startsWith('[') ? index : 0;
}

function refuseLiteral(found: { field: string; literal: string }, index: number): never {
  const path = ENVELOPE_INTEGERS.has(found.field) ? found.field : `data.${found.field}`;
  const reason = `must be written as a JSON integer such as ${found.field === 'year' ? '2023' : '12'}, got ${found.literal}`;
  throw new InvalidInputError(`event ${index} ${path}: ${reason}`, [{ index, path, reason }]);
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
      const literal = nonIntegerLiteral(line);
      if (literal) refuseLiteral(literal, events.length);
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
    const literal = nonIntegerLiteral(text);
    if (literal) refuseLiteral(literal, eventIndexAt(text, literal.offset));
    events = Array.isArray(parsed) ? parsed : [parsed];
  }
  if (events.length === 0) {
    throw new InvalidInputError('the batch is empty', [{ index: 0, path: '', reason: 'no events in the body' }]);
  }
  if (events.length > maxBatch)
    throw new PayloadTooLargeError(`a batch holds at most ${maxBatch} events, got ${events.length}`);
  return events;
}
