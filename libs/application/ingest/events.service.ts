/**
 * The event log as the API offers it: a submitted body (one event, a JSON array of events or
 * NDJSON) ingested on behalf of a principal, and a stream read back page by page.
 */
import { canFile, canWrite, UNIT_FILING_TYPES, type Principal } from '#domain/access.js';
import type { EventType } from '#domain/events.js';
import { streamId, type StoredEvent } from '#domain/events.js';
import type { EventsRepository } from '#persistence/events.repository.js';
import { AccessDeniedError, InvalidInputError } from '../common/errors.js';
import { parseEventsBody } from './ingest-body.js';
import type { IngestResult, IngestService } from './ingest.service.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface StreamPage {
  stream: string;
  /** Events in the stream now. */
  version: number;
  events: StoredEvent[];
  /** Where the next page starts; null after the last event. */
  nextFromVersion: number | null;
}

export class EventsService {
  constructor(
    private readonly ingest: IngestService,
    private readonly events: EventsRepository,
    private readonly maxBatch: number,
  ) {}

  /**
   * Ingests a request body: strict UTF-8, NDJSON when the content type says so, else JSON. Every
   * event's department must be writable by the principal, or nothing is stored (403). A unit key
   * may file its own unit's monitoring reports only: other types are a 403, reports about another
   * unit a 400 naming the field (decided against the stream, like every rule across events).
   */
  async submit(principal: Principal, body: unknown, contentType: string | undefined): Promise<IngestResult> {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new InvalidInputError('the body is empty', [
        { index: 0, path: '', reason: 'send one event, a JSON array of events, or NDJSON' },
      ]);
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      throw new InvalidInputError('the body is not valid UTF-8', [
        { index: 0, path: '', reason: 'the body is not valid UTF-8' },
      ]);
    }
    const ndjson = (contentType ?? '').toLowerCase().startsWith('application/x-ndjson');
    const raw = parseEventsBody(text, ndjson ? 'ndjson' : 'json', this.maxBatch);
    const unit = principal.role === 'unit' ? principal.unit : null;
    raw.forEach((e, index) => {
      const { department, type } = (e ?? {}) as { department?: unknown; type?: unknown };
      if (typeof department !== 'string') return;
      if (unit === null ? !canWrite(principal, department) : !canFile(principal, department)) {
        throw new AccessDeniedError(
          403,
          `event ${index}: this key may not write department "${department}"; nothing was stored`,
        );
      }
      if (unit !== null && !UNIT_FILING_TYPES.has(type as EventType)) {
        throw new AccessDeniedError(
          403,
          `event ${index}: a unit key files only IndicatorProgressReported, DeviationExplained and CorrectiveActionReported about its own unit, not ${String(type)}; nothing was stored`,
        );
      }
    });
    return this.ingest.ingest(raw, unit === null ? undefined : { unit });
  }

  /** Up to `limit` events of a stream from `fromVersion` on, in stream order. */
  async page(department: string, year: number, fromVersion = 1, limit = 100): Promise<StreamPage> {
    const stream = streamId(department, year);
    const [version, events] = await Promise.all([
      this.events.streamVersion(stream),
      this.events.page(stream, fromVersion, limit),
    ]);
    const last = events[events.length - 1];
    return { stream, version, events, nextFromVersion: last && last.version < version ? last.version + 1 : null };
  }
}
