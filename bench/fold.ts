/** The writers' domain work on generated events, without a database (cli-ingest's floor, write-model). */
import { contentHash } from '#application/ingest/ingest.service.js';
import { streamId } from '#domain/events.js';
import { decide, evolve, initialStreamState, type StreamState } from '#domain/stream.js';
import { validateEvent } from '#domain/validation.js';
import { generateOptions, type BenchOptions } from './common.js';
import { generateNdjson } from './generate.js';

/**
 * Parses, validates and folds every generated event into one write model per stream with
 * decide + evolve, as IngestService does (and hashes each event's content when `hash`).
 */
export function foldGenerated(o: BenchOptions, hash: boolean): { states: Map<string, StreamState>; events: number } {
  const states = new Map<string, StreamState>();
  let events = 0;
  for (const line of generateNdjson(generateOptions(o))) {
    const r = validateEvent(JSON.parse(line));
    if (!r.ok) throw new Error(`invalid generated event: ${JSON.stringify(r.errors)}`);
    if (hash) contentHash(r.event);
    const s = streamId(r.event.department, r.event.year);
    const state = states.get(s) ?? states.set(s, initialStreamState()).get(s)!;
    if (decide(state, r.event).length > 0) throw new Error('generated event refused by decide()');
    evolve(state, r.event);
    events++;
  }
  return { states, events };
}
