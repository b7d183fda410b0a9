/** Settings from the environment, read once at start-up. */
export interface AppConfig {
  databaseUrl?: string;
  /** Embedded PGlite folder when no DATABASE_URL. */
  dataDir: string;
  redisUrl?: string;
  host: string;
  port: number;
  /** Largest accepted request body, bytes. */
  maxBodyBytes: number;
  /** Most events in one batch. */
  maxBatch: number;
  /** Run the execution projector in this process (default on; several processes serialize safely). */
  projector: boolean;
  /** How often the projector looks for events written by other processes, ms. */
  projectorPollMs: number;
}

function intFrom(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.PACELINE_DATA_DIR || './data/pglite',
    redisUrl: env.REDIS_URL || undefined,
    host: env.HOST || '127.0.0.1',
    port: intFrom('PORT', env.PORT, 3000),
    maxBodyBytes: intFrom('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 16 * 1024 * 1024),
    maxBatch: intFrom('MAX_BATCH_EVENTS', env.MAX_BATCH_EVENTS, 10_000),
    projector: (env.PROJECTOR ?? 'on') !== 'off',
    projectorPollMs: intFrom('PROJECTOR_POLL_MS', env.PROJECTOR_POLL_MS, 1000),
  };
}
