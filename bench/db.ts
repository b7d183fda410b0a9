/**
 * Benchmark databases: a fresh PostgreSQL database `paceline_bench_*` (dropped at the end) or a
 * fresh PGlite folder under the OS temp dir (removed at the end), migrated like the service does.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { migrate, openDatabase, type DatabaseHandle } from '#persistence/db.js';
import type { Database } from '#persistence/database.js';
import { PGlitePool } from '#persistence/pglite-pool.js';
import type { Backend, BenchOptions } from './common.js';

export interface BenchDatabase {
  backend: Backend;
  /** postgres:// URL (postgres) */
  url?: string;
  /** PGlite folder or memory:// (pglite) */
  dataDir?: string;
  /** Drops the database / removes the folder (close every handle first). */
  drop(): Promise<void>;
}

function withDatabase(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database (not migrated). `label` goes into the name: paceline_bench_{label}_{hex}. */
export async function createBenchDatabase(
  o: BenchOptions,
  label: string,
  backend: Backend = o.backend,
): Promise<BenchDatabase> {
  if (backend === 'postgres') {
    const name = `paceline_bench_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
    await admin(o.adminUrl, async (c) => {
      await c.query(`create database ${name}`);
      if (o.syncCommit === 'off') await c.query(`alter database ${name} set synchronous_commit = off`);
    });
    return {
      backend,
      url: withDatabase(o.adminUrl, name),
      drop: () =>
        admin(o.adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`).then(() => undefined)),
    };
  }
  if (o.pgliteDir === 'memory') return { backend, dataDir: 'memory://', drop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'paceline-bench-'));
  return { backend, dataDir: join(dir, 'pglite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens the database through the service's own factory (openDatabase) and migrates it. */
export async function openPaceline(b: BenchDatabase, poolSize?: number): Promise<DatabaseHandle> {
  const h = await openDatabase(b.url ? { url: b.url, poolSize } : { dataDir: b.dataDir });
  await migrate(h.db);
  return h;
}

export interface ProfiledHandle extends DatabaseHandle {
  /** Sum of statement durations (ms) and statement count since the last reset, by statement kind. */
  stats(): Map<string, { ms: number; n: number }>;
  resetStats(): void;
  /** The PGlite instance (pglite only), for raw access. */
  lite?: PGlite;
}

export function isProfiled(h: DatabaseHandle): h is ProfiledHandle {
  return typeof (h as Partial<ProfiledHandle>).stats === 'function';
}

const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

function statementKind(sql: string): string {
  const s = sql.trimStart().slice(0, 80).toLowerCase();
  const m = /^(select|insert into|update|delete from|begin|commit|rollback|start transaction)\s*"?([a-z_]*)"?/.exec(s);
  if (!m) return s.split(/\s+/)[0] ?? '?';
  return m[2] ? `${m[1]!.split(' ')[0]} ${m[2]}` : m[1]!;
}

/**
 * The same database as openDatabase() (same type parsers, same PGlite adapter) but with Kysely's
 * query log on, so a run can tell database time from Node time. Bench-only.
 */
export async function openProfiled(b: BenchDatabase, poolSize = 10): Promise<ProfiledHandle> {
  const stats = new Map<string, { ms: number; n: number }>();
  const log = (e: LogEvent) => {
    const k = statementKind(e.query.sql);
    const s = stats.get(k) ?? stats.set(k, { ms: 0, n: 0 }).get(k)!;
    s.ms += e.queryDurationMillis;
    s.n += 1;
  };
  if (b.url) {
    // openDatabase() installs the global pg type parsers; open (and close) one handle for that.
    const first = await openDatabase({ url: b.url, poolSize: 1 });
    await migrate(first.db);
    await first.close();
    const pool = new pg.Pool({ connectionString: b.url, max: poolSize });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
    return {
      db,
      kind: 'postgres',
      location: b.url,
      listen: noListen,
      close: () => db.destroy(),
      stats: () => stats,
      resetStats: () => stats.clear(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const asString = (v: string) => v;
  const lite = await PGlite.create(b.dataDir!, {
    parsers: {
      [OID.int8]: (v: string) => Number(v),
      [OID.numeric]: asString,
      [OID.date]: asString,
      [OID.timestamp]: asString,
      [OID.timestamptz]: asString,
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(lite) }), log });
  await migrate(db);
  return {
    db,
    kind: 'pglite',
    location: b.dataDir!,
    listen: noListen,
    close: () => db.destroy(),
    stats: () => stats,
    resetStats: () => stats.clear(),
    lite,
  };
}

/** Profiled handles run scenarios in one process: nothing listens for other processes' events. */
const noListen: DatabaseHandle['listen'] = async () => async () => {};

export function formatStats(stats: Map<string, { ms: number; n: number }>, wallMs: number): string {
  const entries = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = entries.reduce((s, [, v]) => s + v.ms, 0);
  const parts = entries.slice(0, 8).map(([k, v]) => `${k} ${Math.round(v.ms)}ms/${v.n}`);
  return `db ${Math.round((100 * total) / Math.max(wallMs, 1))}% of wall [${parts.join(', ')}]`;
}
