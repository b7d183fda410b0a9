/**
 * (d) emmett: the same events appended through @event-driven-io/emmett-postgresql
 * (getPostgreSQLEventStore) to its own database, one stream per department-year, appendToStream
 * with up to `batch` events of one stream per call (one transaction each: emt_append_to_stream, a
 * plpgsql function inserting from unnest). Emmett validates nothing and has no idempotency by
 * event id; the event id travels as metadata.messageId. Postgres only (Emmett's PostgreSQL store
 * needs a server).
 *   sequential   one writer (compare with cli-ingest)
 *   concurrent   `clients` writers on disjoint departments (compare with http-ingest)
 */
import { endAllPools } from '@event-driven-io/dumbo';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import {
  cpuMark,
  cpuNote,
  cpuSince,
  generateOptions,
  latencyStats,
  log,
  now,
  row,
  type BenchOptions,
  type ResultRow,
} from '../common.js';
import { createBenchDatabase } from '../db.js';
import { countEvents, generateEvents, splitDepartments, type WireEvent } from '../generate.js';

/** Consecutive events of one stream, at most `size` per group. */
function* streamBatches(events: Iterable<WireEvent>, size: number): Generator<{ stream: string; events: WireEvent[] }> {
  let stream = '';
  let batch: WireEvent[] = [];
  for (const e of events) {
    const s = `${e.department}/${e.year}`;
    if ((s !== stream || batch.length >= size) && batch.length > 0) {
      yield { stream, events: batch };
      batch = [];
    }
    stream = s;
    batch.push(e);
  }
  if (batch.length > 0) yield { stream, events: batch };
}

async function runVariant(o: BenchOptions, writers: number): Promise<ResultRow> {
  const db = await createBenchDatabase(o, 'emmett', 'postgres');
  const store = getPostgreSQLEventStore(db.url!);
  try {
    await store.schema.migrate();
    const ranges = splitDepartments(o.departments, writers);
    const expected = countEvents(generateOptions(o));
    log(`emmett ${ranges.length} writer(s): ${expected} events, ≤ ${o.batch} per append`);
    const latencies: number[] = [];
    let n = 0;
    const mark = cpuMark();
    const started = now();
    await Promise.all(
      ranges.map(async (range) => {
        for (const b of streamBatches(generateEvents(generateOptions(o, range)), o.batch)) {
          const t = now();
          await store.appendToStream(
            b.stream,
            b.events.map((e) => ({
              type: e.type,
              data: e.data,
              metadata: { messageId: e.id, occurredAt: e.occurredAt },
            })),
          );
          latencies.push(now() - t);
          n += b.events.length;
        }
      }),
    );
    const wall = (now() - started) / 1000;
    const cpu = cpuSince(mark);
    if (n !== expected) throw new Error(`appended ${n} events, expected ${expected}`);
    const { p50, p99 } = latencyStats(latencies);
    return row({
      scenario: 'emmett',
      variant: writers === 1 ? 'sequential' : `concurrent × ${ranges.length}`,
      backend: 'postgres',
      events: n,
      seconds: wall,
      p50,
      p99,
      notes: `${cpuNote(cpu)}; ${latencies.length} appends (one stream each)`,
      extra: { nodeCpuSeconds: cpu.nodeCpu, pgCpuSeconds: cpu.pgCpu, appends: latencies.length },
    });
  } finally {
    await store.close();
    // Emmett (dumbo) keeps other pools (e.g. for its migrations) open: end them before the database is
    // dropped; an idle client that still gets "terminating connection" (57P01) from the drop is expected.
    await endAllPools();
    const expected = (e: unknown) => {
      if ((e as { code?: string }).code !== '57P01') throw e;
    };
    process.on('uncaughtException', expected);
    try {
      await db.drop();
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('uncaughtException', expected);
    }
  }
}

export async function emmett(o: BenchOptions): Promise<ResultRow[]> {
  if (o.backend !== 'postgres') {
    return [
      row({
        scenario: 'emmett',
        variant: 'n/a',
        backend: o.backend,
        events: 0,
        seconds: 0,
        eventsPerSec: null,
        notes: "not run: Emmett's PostgreSQL event store needs a PostgreSQL server (no PGlite support)",
      }),
    ];
  }
  return [await runVariant(o, 1), await runVariant(o, o.clients)];
}
