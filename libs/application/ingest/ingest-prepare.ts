/**
 * The per-event work of ingest that needs no database: field validation, the content hash, the
 * stream id, the record date and the data as JSON text. Pure, so it can run ahead of the
 * database work (file ingest prepares the next batch while the current one is being stored).
 */
import * as crypto from 'node:crypto';
import { canonicalJson, canonicalJsonWithout } from '#domain/canonical.js';
import { occurredOnDateMemo } from '#domain/date-memo.js';
import { streamId, type EventInput } from '#domain/events.js';
import { validateEvent, type FieldError } from '#domain/validation.js';

/** sha256 hex; one-shot crypto.hash (Node ≥ 20.12) skips a Hash object per event. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text)
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** Content that makes two events with the same id "the same": everything but expectedVersion. */
export function contentHash(e: EventInput): string {
  return sha256Hex(canonicalJsonWithout(e as unknown as Record<string, unknown>, 'expectedVersion'));
}

export interface PreparedEvent {
  event: EventInput;
  stream: string;
  contentHash: string;
  /** occurredAt as a calendar date (Asia/Shanghai). */
  occurredOn: string;
  /**
   * `event.data` as JSON text for the jsonb column: its canonical JSON, computed once for the hash
   * too (jsonb does not keep key order, so the stored value is the same as from any other order).
   */
  data: string;
}

/** One event after field validation: ready to decide and store, or refused with its field errors. */
export type Prepared = { ok: true; prepared: PreparedEvent } | { ok: false; id?: string; errors: FieldError[] };

const quote = JSON.stringify;

/**
 * canonicalJson of a validated event without expectedVersion, the canonical text of its data
 * given. A validated event has exactly the envelope fields (unknown ones are refused, the others
 * required), so the sorted envelope can be written directly instead of sorting its keys per
 * event; any other shape takes the general serializer.
 */
function canonicalEnvelope(e: EventInput, data: string): string {
  const fields = Object.keys(e).length;
  if (fields !== (e.expectedVersion === undefined ? 6 : 7) || typeof e.year !== 'number') {
    return canonicalJsonWithout(e as unknown as Record<string, unknown>, 'expectedVersion', {
      key: 'data',
      text: data,
    });
  }
  return `{"data":${data},"department":${quote(e.department)},"id":${quote(e.id)},"occurredAt":${quote(e.occurredAt)},"type":${quote(e.type)},"year":${quote(e.year)}}`;
}

export function prepareEvent(raw: unknown): Prepared {
  const r = validateEvent(raw);
  if (!r.ok) {
    const id = (raw as { id?: unknown } | null)?.id;
    return { ok: false, ...(typeof id === 'string' ? { id } : {}), errors: r.errors };
  }
  const event = r.event;
  const occurredOn = occurredOnDateMemo(event.occurredAt);
  // validateEvent accepted occurredAt, so it has a date.
  if (occurredOn === null) throw new Error(`occurredAt ${event.occurredAt} of a valid event has no date`);
  const data = canonicalJson(event.data);
  const hash = sha256Hex(canonicalEnvelope(event, data));
  return {
    ok: true,
    prepared: {
      event,
      stream: streamId(event.department, event.year),
      contentHash: hash,
      occurredOn,
      data,
    },
  };
}
