/**
 * (c) raw-insert: the raw limit. The same rows Paceline stores (event_id, stream_id, version,
 * department, year, type, occurred_at, occurred_on, data, content_hash) go straight into the
 * migrated `events` table from this process, one transaction per batch, no validation, no stream
 * lock, no RETURNING. Stream rows are inserted (ON CONFLICT DO NOTHING) in the same transaction
 * because of the foreign key; their version is not maintained. Each variant gets a fresh database.
 *
 *   insert       multi-row INSERT … VALUES, named prepared statement (≤ 2000 rows a statement)
 *   copy         COPY events (…) FROM STDIN (text format; Postgres: pg Client submittable, PGlite: /dev/blob)
 *   unnest       INSERT … SELECT FROM unnest($1::text[], …) — one statement, 10 array parameters
 *   copy × C     COPY with `clients` connections in parallel, each on its own departments (Postgres only):
 *                the raw limit for the concurrent HTTP clients
 *   repo.append  EventsRepository.append (Kysely, RETURNING position) in EventsRepository.transaction:
 *                the service's own insert, without validation, hashing and stream locking
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { occurredOnDate } from '#domain/dates.js';
import type { EventInput } from '#domain/events.js';
import { EventsRepository, type NewEventRow } from '#persistence/events.repository.js';
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
import { createBenchDatabase, openPaceline, openProfiled, type BenchDatabase } from '../db.js';
import { batches, countEvents, generateEvents, splitDepartments, type WireEvent } from '../generate.js';
import { copyFrom, copyText } from '../pg-copy.js';

export type RawVariant = 'insert' | 'copy' | 'unnest' | 'copy-parallel' | 'repo.append';
export const RAW_VARIANTS: RawVariant[] = ['insert', 'copy', 'unnest', 'copy-parallel', 'repo.append'];

const COLUMNS = [
  'event_id',
  'stream_id',
  'version',
  'department',
  'year',
  'type',
  'occurred_at',
  'occurred_on',
  'data',
  'content_hash',
] as const;
const TYPES = ['text', 'text', 'int4', 'text', 'int4', 'text', 'text', 'date', 'jsonb', 'text'] as const;
const CHUNK = 2000;

type Row = [string, string, number, string, number, string, string, string, string, string];

/** Turns generated events into event rows, numbering versions per stream. */
class RowBuilder {
  private readonly versions = new Map<string, number>();

  build(batch: WireEvent[]): { rows: Row[]; newStreams: [string, string, number][] } {
    const rows: Row[] = [];
    const newStreams: [string, string, number][] = [];
    for (const e of batch) {
      const stream = `${e.department}/${e.year}`;
      const v = (this.versions.get(stream) ?? 0) + 1;
      if (v === 1) newStreams.push([stream, e.department, e.year]);
      this.versions.set(stream, v);
      const hash = createHash('sha256').update(JSON.stringify(e)).digest('hex');
      rows.push([
        e.id,
        stream,
        v,
        e.department,
        e.year,
        e.type,
        e.occurredAt,
        occurredOnDate(e.occurredAt)!,
        JSON.stringify(e.data),
        hash,
      ]);
    }
    return { rows, newStreams };
  }
}

function insertSql(n: number): string {
  const values: string[] = [];
  for (let r = 0; r < n; r++) {
    const base = r * COLUMNS.length;
    values.push(`(${COLUMNS.map((_, c) => `$${base + c + 1}`).join(',')})`);
  }
  return `insert into events (${COLUMNS.join(',')}) values ${values.join(',')}`;
}

const UNNEST_SQL = `insert into events (${COLUMNS.join(',')}) select * from unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
const COPY_SQL = `copy events (${COLUMNS.join(',')}) from stdin`;
const STREAMS_SQL =
  'insert into streams (stream_id, department, year, version) select s, d, y, 0 from unnest($1::text[], $2::text[], $3::int4[]) as t(s, d, y) on conflict do nothing';

function columns(rows: Row[]): unknown[][] {
  return COLUMNS.map((_, c) => rows.map((r) => r[c]));
}

function copyData(rows: Row[]): string {
  let out = '';
  for (const r of rows) out += `${r.map((v) => copyText(v)).join('\t')}\n`;
  return out;
}

/** One transaction per batch; returns per-batch latencies. */
interface Writer {
  write(rows: Row[], newStreams: [string, string, number][]): Promise<void>;
  close(): Promise<void>;
}

async function postgresWriter(url: string, variant: 'insert' | 'copy' | 'unnest'): Promise<Writer> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async write(rows, newStreams) {
      await client.query('begin');
      if (newStreams.length > 0)
        await client.query(STREAMS_SQL, [
          newStreams.map((s) => s[0]),
          newStreams.map((s) => s[1]),
          newStreams.map((s) => s[2]),
        ]);
      if (variant === 'insert') {
        for (let i = 0; i < rows.length; i += CHUNK) {
          const chunk = rows.slice(i, i + CHUNK);
          await client.query({
            name: `raw_insert_${chunk.length}`,
            text: insertSql(chunk.length),
            values: chunk.flat(),
          });
        }
      } else if (variant === 'unnest') {
        await client.query({ name: 'raw_unnest', text: UNNEST_SQL, values: columns(rows) });
      } else {
        const n = await copyFrom(client, COPY_SQL, copyData(rows));
        if (n !== rows.length) throw new Error(`COPY stored ${n} rows of ${rows.length}`);
      }
      await client.query('commit');
    },
    close: () => client.end(),
  };
}

function pgliteWriter(lite: PGlite, variant: 'insert' | 'copy' | 'unnest'): Writer {
  return {
    async write(rows, newStreams) {
      await lite.transaction(async (tx) => {
        if (newStreams.length > 0)
          await tx.query(STREAMS_SQL, [
            newStreams.map((s) => s[0]),
            newStreams.map((s) => s[1]),
            newStreams.map((s) => s[2]),
          ]);
        if (variant === 'insert') {
          for (let i = 0; i < rows.length; i += CHUNK) {
            const chunk = rows.slice(i, i + CHUNK);
            await tx.query(insertSql(chunk.length), chunk.flat());
          }
        } else if (variant === 'unnest') {
          await tx.query(UNNEST_SQL, columns(rows));
        } else {
          await tx.query(`copy events (${COLUMNS.join(',')}) from '/dev/blob'`, [], {
            blob: new Blob([copyData(rows)]),
          });
        }
      });
    },
    close: () => lite.close(),
  };
}

async function repoWriter(b: BenchDatabase): Promise<Writer> {
  const h = await openPaceline(b);
  const repo = new EventsRepository(h.db);
  return {
    async write(rows, newStreams) {
      await repo.transaction(async (trx) => {
        for (const [stream, department, year] of newStreams) {
          await trx
            .insertInto('streams')
            .values({ stream_id: stream, department, year, version: 0 })
            .onConflict((oc) => oc.column('stream_id').doNothing())
            .execute();
        }
        const newRows: NewEventRow[] = rows.map((r) => ({
          event: {
            id: r[0],
            type: r[5],
            department: r[3],
            year: r[4],
            occurredAt: r[6],
            data: JSON.parse(r[8]),
          } as EventInput,
          stream: r[1],
          version: r[2],
          occurredOn: r[7],
          contentHash: r[9],
        }));
        await repo.append(trx, newRows);
      });
    },
    close: () => h.close(),
  };
}

async function runVariant(o: BenchOptions, variant: RawVariant): Promise<ResultRow> {
  if (variant === 'copy-parallel' && o.backend !== 'postgres') {
    return row({
      scenario: 'raw-insert',
      variant: `copy × ${o.clients}`,
      backend: o.backend,
      events: 0,
      seconds: 0,
      eventsPerSec: null,
      notes: 'not run: PGlite has one connection',
    });
  }
  const b = await createBenchDatabase(o, `raw_${variant.replace(/[^a-z]/g, '_')}`);
  const writers: Writer[] = [];
  try {
    const ranges =
      variant === 'copy-parallel' ? splitDepartments(o.departments, o.clients) : [{ from: 0, to: o.departments }];
    if (variant === 'repo.append') writers.push(await repoWriter(b));
    else if (b.url) {
      // Migrate through the service's factory, then write on plain pg connections.
      const h = await openPaceline(b, 1);
      await h.close();
      for (const _ of ranges) writers.push(await postgresWriter(b.url, variant === 'copy-parallel' ? 'copy' : variant));
    } else {
      const h = await openProfiled(b);
      writers.push(pgliteWriter(h.lite!, variant as 'insert' | 'copy' | 'unnest'));
    }
    const expected = countEvents(generateOptions(o));
    log(
      `raw-insert ${variant} ${o.backend}: ${expected} events, ${o.batch}/transaction, ${ranges.length} connection(s)`,
    );
    const latencies: number[] = [];
    let n = 0;
    let buildMs = 0;
    const mark = cpuMark();
    const started = now();
    await Promise.all(
      ranges.map(async (range, i) => {
        const builder = new RowBuilder();
        for (const batch of batches(generateEvents(generateOptions(o, range)), o.batch)) {
          const t0 = now();
          const { rows, newStreams } = builder.build(batch);
          const t1 = now();
          await writers[i]!.write(rows, newStreams);
          latencies.push(now() - t1);
          buildMs += t1 - t0;
          n += rows.length;
        }
      }),
    );
    const wall = (now() - started) / 1000;
    const cpu = cpuSince(mark);
    if (n !== expected) throw new Error(`wrote ${n} rows, expected ${expected}`);
    const { p50, p99 } = latencyStats(latencies);
    return row({
      scenario: 'raw-insert',
      variant: variant === 'copy-parallel' ? `copy × ${ranges.length}` : variant,
      backend: o.backend,
      events: n,
      seconds: wall,
      p50,
      p99,
      notes: `${cpuNote(cpu)}; row building ${Math.round((100 * buildMs) / (wall * 1000))}% of wall`,
      extra: { nodeCpuSeconds: cpu.nodeCpu, pgCpuSeconds: cpu.pgCpu, buildSeconds: buildMs / 1000 },
    });
  } finally {
    for (const w of writers) await w.close();
    await b.drop();
  }
}

export async function rawInsert(o: BenchOptions, variants: RawVariant[] = RAW_VARIANTS): Promise<ResultRow[]> {
  const out: ResultRow[] = [];
  for (const v of variants) out.push(await runVariant(o, v));
  return out;
}
