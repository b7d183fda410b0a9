import { loadConfig } from '#config/config.js';
import { migrate, openDatabase, type DatabaseHandle } from '#persistence/db.js';

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** Opens the configured database (DATABASE_URL or the embedded folder), migrated, for one command. */
export async function withDatabase<T>(fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(handle.db);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

export interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
}
