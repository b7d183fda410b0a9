/**
 * Real databases for tests: a fresh PostgreSQL database per suite on the local server
 * (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), or a fresh in-memory
 * PGlite. A missing server fails the suite; it is never skipped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, openDatabase, type DatabaseHandle } from '#persistence/db.js';

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = ['pglite', 'postgres'];

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase extends DatabaseHandle {
  /** The postgres:// URL of this database (postgres backend only). */
  url?: string;
  /** Closes the handle and drops the database. */
  dispose(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `paceline_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export async function testDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const h = await openDatabase({ dataDir: 'memory://' });
    await migrate(h.db);
    return { ...h, dispose: () => h.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const h = await openDatabase({ url, poolSize: 5 });
  await migrate(h.db);
  return {
    ...h,
    url,
    dispose: async () => {
      await h.close();
      await drop();
    },
  };
}
