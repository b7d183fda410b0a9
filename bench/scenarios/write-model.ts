/**
 * write-model: what the writers' cached write models cost in memory and garbage collection
 * (no database). The generated events of every department (use the city shape: --lines 42) are
 * parsed, validated and folded with decide/evolve into one StreamState per department, as
 * IngestService keeps them; then, in the same process:
 *   write models        the fold's rate, the heap and array buffers held, and a full garbage
 *                       collection's time (median of 5) with every model alive
 *   spending ids as Map the same SpendingRecorded ids → line in a Map<string, string> per stream
 *                       (what a write model held before SpendingIndex), measured the same way
 *   correction lookups  SpendingIndex.get for every id again, and for as many ids never recorded
 * Heap figures are after a full collection; the state is kept alive until the figures are taken.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { streamId } from '#domain/events.js';
import type { StreamState } from '#domain/stream.js';
import { generateOptions, log, now, row, type BenchOptions, type ResultRow } from '../common.js';
import { foldGenerated } from '../fold.js';
import { generateNdjson } from '../generate.js';

/** A full garbage collection (global `gc` exposed on first use, only when this scenario runs). */
let exposed: (() => void) | undefined;
function gc(): void {
  if (!exposed) {
    setFlagsFromString('--expose-gc');
    exposed = runInNewContext('gc') as () => void;
  }
  exposed();
}

interface Held {
  heapMB: number;
  arrayBuffersMB: number;
  gcMs: number;
}

/** Heap and array buffers after a full collection, and the median time of five more. */
function held(): Held {
  gc();
  gc();
  const m = process.memoryUsage();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = now();
    gc();
    times.push(now() - t);
  }
  times.sort((a, b) => a - b);
  return { heapMB: m.heapUsed / 1048576, arrayBuffersMB: m.arrayBuffers / 1048576, gcMs: times[2]! };
}

function heldNote(h: Held, base: Held, baseLabel: string): string {
  return `heap +${(h.heapMB - base.heapMB).toFixed(0)} MB, array buffers +${(h.arrayBuffersMB - base.arrayBuffersMB).toFixed(0)} MB; full GC ${h.gcMs.toFixed(1)} ms (${base.gcMs.toFixed(1)} ms ${baseLabel})`;
}

/** The generated SpendingRecorded events as parsed from their JSON: id, stream and line. */
function* recordedSpending(o: BenchOptions): Generator<{ id: string; stream: string; line: string }> {
  for (const text of generateNdjson(generateOptions(o))) {
    if (!text.includes('"SpendingRecorded"')) continue;
    const e = JSON.parse(text) as { id: string; department: string; year: number; data: { line: string } };
    yield { id: e.id, stream: streamId(e.department, e.year), line: e.data.line };
  }
}

/**
 * The recorded spending ids as a Map per stream (what a write model held before SpendingIndex): the
 * time to build them and what is held with them alive beside the write models. The Maps are dropped
 * on return, so the lookups after it run without them.
 */
function spendingMaps(o: BenchOptions, spending: number): { seconds: number; withMaps: Held } {
  const t0 = now();
  const maps = new Map<string, Map<string, string>>();
  for (const { id, stream, line } of recordedSpending(o))
    (maps.get(stream) ?? maps.set(stream, new Map()).get(stream)!).set(id, line);
  const seconds = (now() - t0) / 1000;
  const withMaps = held();
  let mapped = 0;
  for (const m of maps.values()) mapped += m.size;
  if (mapped !== spending) throw new Error(`maps hold ${mapped} ids, the write models ${spending}`);
  return { seconds, withMaps };
}

export function writeModel(o: BenchOptions): ResultRow[] {
  const base = held();
  log(`write-model: folding ${o.departments} departments × ${o.units} × ${o.lines}`);
  const started = now();
  const { states, events: n } = foldGenerated(o, false);
  const seconds = (now() - started) / 1000;
  let spending = 0;
  for (const s of states.values()) spending += s.spending.size;
  const models = held();
  const rows: ResultRow[] = [
    row({
      scenario: 'write-model',
      variant: 'write models (SpendingIndex)',
      backend: o.backend,
      events: n,
      seconds,
      notes: `${states.size} streams, ${spending.toLocaleString('en-US')} spending ids; ${heldNote(models, base, 'with nothing held')}; JSON.parse + validateEvent + decide/evolve`,
      extra: {
        heapMB: models.heapMB - base.heapMB,
        arrayBuffersMB: models.arrayBuffersMB - base.arrayBuffersMB,
        gcMs: models.gcMs,
        spendingIds: spending,
      },
    }),
  ];

  // The same ids as a Map per stream, strings as parsed from JSON: what a write model held before.
  const { seconds: mapSeconds, withMaps } = spendingMaps(o, spending);
  rows.push(
    row({
      scenario: 'write-model',
      variant: 'spending ids as Map (before), beside the models',
      backend: o.backend,
      events: spending,
      seconds: mapSeconds,
      notes: `${heldNote(withMaps, models, 'with the write models alone')} (generate + JSON.parse + Map.set)`,
      extra: { heapMB: withMaps.heapMB - models.heapMB, gcMs: withMaps.gcMs },
    }),
  );

  // Lookups as SpendingCorrected does them: every recorded id, then as many unknown ones.
  const ids: { state: StreamState; id: string }[] = [];
  for (const { id, stream } of recordedSpending(o)) ids.push({ state: states.get(stream)!, id });
  const unknown = ids.map(({ id }) => `${id.slice(0, 35)}${id.endsWith('f') ? '0' : 'f'}`);
  const t1 = now();
  let found = 0;
  let missed = 0;
  for (const { state, id } of ids) if (state.spending.get(id) !== undefined) found++;
  ids.forEach(({ state }, i) => {
    if (state.spending.get(unknown[i]!) === undefined) missed++;
  });
  const lookupSeconds = (now() - t1) / 1000;
  if (found !== spending || missed !== spending)
    throw new Error(`lookups: ${found} found and ${missed} missed of ${spending}`);
  rows.push(
    row({
      scenario: 'write-model',
      variant: 'correction lookups (SpendingIndex.get)',
      backend: o.backend,
      events: 2 * spending,
      seconds: lookupSeconds,
      notes: 'every recorded id found, as many unknown ids refused; events/s = lookups/s',
    }),
  );
  return rows;
}
