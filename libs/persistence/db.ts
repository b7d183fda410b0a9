/**
 * Opens the database: PostgreSQL when a URL is given, otherwise embedded PGlite in a data folder
 * (or in memory). Both run the same migrations and return the same value types: numeric and
 * xid8 as decimal strings, int8 as number, date and timestamptz as strings.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from '#migrations/index.js';
import type { Database } from './database.js';
import { PGlitePool } from './pglite-pool.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseOptions {
  /** postgres://… ; absent: embedded PGlite. */
  url?: string;
  /** PGlite data folder (default ./data/pglite); 'memory://' for an in-memory database. */
  dataDir?: string;
  /** pg pool size (default 10). */
  poolSize?: number;
  /** Called when an idle pooled connection fails (it is discarded either way). */
  onIdleError?: (error: Error) => void;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Human-readable location (URL without password, or the PGlite folder). */
  location: string;
  /**
   * Calls `onNotify` for every notification on `channel` (LISTEN), from any process writing to this
   * database; resolves to a function that stops listening. On PostgreSQL a dedicated connection
   * listens and reconnects by itself after a failure (notifications sent meanwhile are lost: callers
   * keep polling as well).
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Listens on a dedicated PostgreSQL connection, reconnecting after failures until stopped. */
async function listenPostgres(
  url: string,
  channel: string,
  onNotify: () => void,
  onError?: (e: Error) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel === channel) onNotify();
    });
    const again = (e?: Error) => {
      if (e) onError?.(e);
      if (client === c) client = null;
      c.end().catch(() => {});
      if (!stopped && !retry) retry = setTimeout(() => ((retry = null), void connect().catch(again)), 1000);
    };
    c.on('error', again);
    c.on('end', () => again());
    await c.connect();
    await c.query(`listen ${pg.escapeIdentifier(channel)}`);
    if (stopped) return void (await c.end());
    client = c;
    // Whatever was written while (re)connecting: one wake-up, as if notified.
    onNotify();
  };
  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184, xid8: 5069 } as const;
const asString = (v: string) => v;
const asNumber = (v: string) => Number(v);

let pgParsersSet = false;
function setPgParsers(): void {
  if (pgParsersSet) return;
  pg.types.setTypeParser(OID.int8, asNumber);
  pg.types.setTypeParser(OID.numeric, asString);
  pg.types.setTypeParser(OID.date, asString);
  pg.types.setTypeParser(OID.timestamp, asString);
  pg.types.setTypeParser(OID.timestamptz, asString);
  pgParsersSet = true;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) {
    setPgParsers();
    const max = options.poolSize ?? 10;
    // The pool keeps the connections it has opened (min = max): pg closes idle ones after 10 s by
    // default, and the first requests after any quiet spell then paid for new connections and cold
    // server backends (a much higher execution p99: docs/benchmarks/). Idle connections a server
    // drops are discarded as before ('error' below).
    const pool = new pg.Pool({ connectionString: options.url, max, min: max });
    // An idle connection dropped by the server (restart, failover) must not crash the process:
    // the pool discards it and the next query opens a new one.
    pool.on('error', (e) => options.onIdleError?.(e));
    // A connection that fails while checked out (e.g. the server restarts between two queries of a
    // transaction) emits 'error' on its client, and an 'error' event without a listener kills the
    // process. With this listener the query in progress (or the next one) rejects instead, and the
    // pool discards the broken client when it is released.
    pool.on('connect', (client) => client.on('error', (e) => options.onIdleError?.(e)));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const url = options.url;
    return {
      db,
      kind: 'postgres',
      location: redactUrl(url),
      listen: (channel, onNotify) => listenPostgres(url, channel, onNotify, options.onIdleError),
      close: () => db.destroy(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dataDir = options.dataDir ?? './data/pglite';
  const unlock = dataDir.startsWith('memory://') ? () => {} : lockDataDir(dataDir);
  const lite = await PGlite.create(dataDir, {
    parsers: {
      [OID.int8]: asNumber,
      [OID.numeric]: asString,
      [OID.date]: asString,
      [OID.timestamp]: asString,
      [OID.timestamptz]: asString,
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(lite) }) });
  return {
    db,
    kind: 'pglite',
    location: dataDir,
    listen: async (channel, onNotify) => {
      const unlisten = await lite.listen(channel, () => onNotify());
      return async () => unlisten();
    },
    close: async () => {
      await db.destroy();
      unlock();
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is a single-process database: two processes on one folder would corrupt it. A lock file
 * holding the owner's pid refuses a second opener while the first is alive.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, '..', `${dataDir.split('/').filter(Boolean).pop()}.lock`);
  try {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (pid && pid !== process.pid && processAlive(pid)) {
      throw new Error(
        `the embedded database in ${dataDir} is in use by process ${pid} (a running Paceline API?). ` +
          'Stop that process, or send the events to it over HTTP (paceline ingest FILE --api http://127.0.0.1:3000).',
      );
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Runs pending migrations (Kysely's Migrator takes a Postgres advisory lock while it runs). */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String((error as Error).message ?? error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
