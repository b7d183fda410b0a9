/**
 * The PostgreSQL pool keeps the connections it opened through a quiet spell longer than pg's idle
 * timeout (10 s): the first queries after it run on the same server backends instead of opening
 * new connections (which made the first requests after any pause slow, BENCHMARKS.md). Real server.
 */
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '#persistence/db.js';
import { createPostgresDatabase } from './support/databases.js';

describe('PostgreSQL connection pool', () => {
  let database: { url: string; drop: () => Promise<void> };
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    handle = await openDatabase({ url: database.url, poolSize: 3 });
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  /** The server backends three concurrent queries ran on (each holds its connection 200 ms: all three open at once). */
  async function backends(): Promise<number[]> {
    const rows = await Promise.all(
      [0, 1, 2].map(
        async () =>
          (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.2)`.execute(handle.db)).rows[0]!.pid,
      ),
    );
    return [...new Set(rows)].sort((a, b) => a - b);
  }

  it('runs on the same three backends after 11 s without a query', async () => {
    const before = await backends();
    expect(before).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 11_000));
    const after = await backends();
    expect(after).toEqual(before);
    // And the server still sees exactly those three connections of this database.
    const admin = await openDatabase({ url: database.url, poolSize: 1 });
    try {
      const r = await sql<{
        pid: number;
      }>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() order by pid`.execute(
        admin.db,
      );
      expect(r.rows.map((x) => x.pid)).toEqual(before);
    } finally {
      await admin.close();
    }
  }, 60_000);
});
