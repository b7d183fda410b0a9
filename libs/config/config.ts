import type { LogFormat, LogLevel } from '#logging/logger.js';

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
  /** Least time between two projector runs while events keep arriving (0: run on every wake). */
  projectorIntervalMs: number;
  /** 'api' or 'worker': with Redis, job workers and the schedule run in the worker process. */
  role: 'api' | 'worker';
  /** Delivery attempts per job and the first retry delay (doubling). */
  deliveryAttempts: number;
  deliveryBackoffMs: number;
  /** BullMQ key prefix (default "bull"). */
  queuePrefix: string;
  /** How often, and after how long, deliveries handed to Redis are checked for being lost. */
  reconcileEveryMs: number;
  reconcileAfterMs: number;
  /** Monthly close: day of month and time (Asia/Shanghai) the previous month is closed; 'off' disables. */
  monthCloseDay: number;
  monthCloseTime: string;
  schedule: boolean;
  /** pino level: trace, debug, info, warn, error, fatal, silent. */
  logLevel: LogLevel;
  /** Readable lines for a terminal, or JSON lines (default: pretty when stdout is a terminal). */
  logFormat: LogFormat;
  /** Readiness fails when the projector is more than this many events behind. */
  readyMaxLag: number;
  /** Memory for each answer cache (execution, evaluation) of this process, in MiB. */
  answerCacheMb: number;
  /** How often the API computes the department list's answers in the background (ms; 0: never). */
  overviewWarmMs: number;
  /** How often the process running the projector stores each stream's default answers (ms; 0: never). */
  precomputeMs: number;
  /** API keys required (default: on with DATABASE_URL, off on the embedded default). */
  auth: boolean;
  /** Ingest and import requests per minute per key (or per address without keys). */
  ingestPerMinute: number;
}

function intFrom(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

function dayFrom(value: string | undefined): number {
  const day = intFrom('MONTH_CLOSE_DAY', value, 5);
  if (day > 28) throw new Error(`MONTH_CLOSE_DAY must be 1..28 (every month has it), got "${value}"`);
  return day;
}

function timeFrom(value: string | undefined): string {
  const v = value || '09:00';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) throw new Error(`MONTH_CLOSE_TIME must be HH:MM, got "${value}"`);
  return v;
}

function authFrom(value: string | undefined, production: boolean): boolean {
  if (value === undefined || value === '') return production;
  if (value !== 'on' && value !== 'off') throw new Error(`AUTH must be "on" or "off", got "${value}"`);
  return value === 'on';
}

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function levelFrom(value: string | undefined): LogLevel {
  const v = value || 'info';
  if (!LOG_LEVELS.includes(v as LogLevel))
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${value}"`);
  return v as LogLevel;
}

function formatFrom(value: string | undefined, tty: boolean): LogFormat {
  if (value === undefined || value === '') return tty ? 'pretty' : 'json';
  if (value !== 'pretty' && value !== 'json') throw new Error(`LOG_FORMAT must be "pretty" or "json", got "${value}"`);
  return value;
}

/** Whether this process consumes jobs and runs the schedule: the worker, or any process without Redis. */
export function runsJobs(config: AppConfig): boolean {
  return config.role === 'worker' || !config.redisUrl;
}

/** `tty`: whether stdout is a terminal (the default log format follows it). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true): AppConfig {
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
    projectorIntervalMs:
      env.PROJECTOR_INTERVAL_MS === 'off' ? 0 : intFrom('PROJECTOR_INTERVAL_MS', env.PROJECTOR_INTERVAL_MS, 250),
    role: env.PACELINE_ROLE === 'worker' ? 'worker' : 'api',
    deliveryAttempts: intFrom('DELIVERY_ATTEMPTS', env.DELIVERY_ATTEMPTS, 5),
    deliveryBackoffMs: intFrom('DELIVERY_BACKOFF_MS', env.DELIVERY_BACKOFF_MS, 2000),
    queuePrefix: env.QUEUE_PREFIX || 'bull',
    reconcileEveryMs: intFrom('OUTBOX_RECONCILE_EVERY_MS', env.OUTBOX_RECONCILE_EVERY_MS, 60_000),
    reconcileAfterMs: intFrom('OUTBOX_RECONCILE_AFTER_MS', env.OUTBOX_RECONCILE_AFTER_MS, 120_000),
    monthCloseDay: dayFrom(env.MONTH_CLOSE_DAY),
    monthCloseTime: timeFrom(env.MONTH_CLOSE_TIME),
    schedule: (env.MONTH_CLOSE_SCHEDULE ?? 'on') !== 'off',
    logLevel: levelFrom(env.LOG_LEVEL),
    logFormat: formatFrom(env.LOG_FORMAT, tty),
    readyMaxLag: intFrom('READY_MAX_LAG', env.READY_MAX_LAG, 10_000),
    answerCacheMb: intFrom('ANSWER_CACHE_MB', env.ANSWER_CACHE_MB, 128),
    overviewWarmMs: env.OVERVIEW_WARM_MS === 'off' ? 0 : intFrom('OVERVIEW_WARM_MS', env.OVERVIEW_WARM_MS, 30_000),
    precomputeMs: env.PRECOMPUTE_MS === 'off' ? 0 : intFrom('PRECOMPUTE_MS', env.PRECOMPUTE_MS, 10_000),
    auth: authFrom(env.AUTH, !!env.DATABASE_URL),
    ingestPerMinute: intFrom('INGEST_RATE_PER_MINUTE', env.INGEST_RATE_PER_MINUTE, 600),
  };
}
