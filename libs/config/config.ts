import { isIP } from 'node:net';
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
  /**
   * Webhooks and robots (docs/notices.md, "Webhooks and robots"): http allowed besides https
   * (WEBHOOK_ALLOW_HTTP=on); host names, IP addresses and CIDR ranges deliveries may reach although
   * they are internal (WEBHOOK_ALLOW); the key DingTalk secrets are encrypted with (SECRETS_KEY, 32
   * bytes; unset: a key file in the embedded data folder, none with DATABASE_URL); the robots'
   * endpoints (the official ones: no variable sets them; tests point them at a local receiver).
   */
  webhookAllowHttp: boolean;
  webhookAllow: string[];
  secretsKey?: Buffer;
  robotEndpoints: { wecom: string; dingtalk: string };
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
  /** Host names (no port) requests may address; empty: any (ALLOWED_HOSTS=*). */
  allowedHosts: string[];
  /** Browser sessions: whether the cookie is marked Secure (sent over HTTPS only), and how long one lasts. */
  sessionCookieSecure: boolean;
  sessionHours: number;
  /** AUTH=off on an address other machines reach, said to be meant (AUTH_OFF_ON_NETWORK=yes). */
  authOffOnNetwork: boolean;
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

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** Whether a listening address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The host names requests may address: ALLOWED_HOSTS (comma-separated; "*" for any), else the
 * loopback names plus HOST when HOST is one specific address. A request naming another host is
 * refused, so a web page cannot reach the service through a name it controls (DNS rebinding).
 */
function allowedHostsFrom(value: string | undefined, host: string): string[] {
  if (value === '*') return [];
  const named = (value ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter(Boolean);
  const own = ['0.0.0.0', '::', ''].includes(host) ? [] : [host.toLowerCase().replace(/^\[|\]$/g, '')];
  return [...new Set([...LOOPBACK_NAMES, ...own, ...named])];
}

function onOff(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value !== 'on' && value !== 'off') throw new Error(`${name} must be "on" or "off", got "${value}"`);
  return value === 'on';
}

/**
 * AUTH=off lets anyone who can reach the address write events that can never be removed: on an
 * address other machines reach it is refused unless AUTH_OFF_ON_NETWORK=yes says it is meant.
 */
export function checkOpenAccess(config: AppConfig): void {
  if (config.auth || isLoopback(config.host) || config.authOffOnNetwork) return;
  throw new Error(
    `AUTH=off with HOST=${config.host} would let anyone on the network write events: set AUTH=on, ` +
      'bind HOST=127.0.0.1, or set AUTH_OFF_ON_NETWORK=yes to run it open anyway',
  );
}

/** The official group-robot endpoints: WeCom (企业微信) and DingTalk (钉钉). */
export const ROBOT_ENDPOINTS = {
  wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
  dingtalk: 'https://oapi.dingtalk.com/robot/send',
} as const;

function webhookHttpFrom(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value !== 'on' && value !== 'off') throw new Error(`WEBHOOK_ALLOW_HTTP must be "on" or "off", got "${value}"`);
  return value === 'on';
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** WEBHOOK_ALLOW: comma-separated host names, IP addresses and CIDR ranges, each checked. */
function webhookAllowFrom(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const ip = address.replace(/^\[(.*)\]$/, '$1');
    const version = isIP(ip);
    const ok =
      rest.length === 0 &&
      (prefix === undefined
        ? version !== 0 || (HOST_NAME.test(ip.replace(/\.$/, '')) && !/^[0-9.]+$/.test(ip))
        : version !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
    if (!ok)
      throw new Error(
        `WEBHOOK_ALLOW: "${entry}" is not a host name, an IP address or a CIDR range (e.g. 10.20.0.0/16)`,
      );
  }
  return entries;
}

/** SECRETS_KEY: 32 bytes as 64 hex digits or base64. */
function secretsKeyFrom(value: string | undefined): Buffer | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(v)
    ? Buffer.from(v, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(v)
      ? Buffer.from(v, 'base64')
      : Buffer.alloc(0);
  if (key.length !== 32)
    throw new Error('SECRETS_KEY must be 32 bytes written as 64 hex digits or base64 (openssl rand -base64 32)');
  return key;
}

/** Whether this process consumes jobs and runs the schedule: the worker, or any process without Redis. */
export function runsJobs(config: AppConfig): boolean {
  return config.role === 'worker' || !config.redisUrl;
}

/** `tty`: whether stdout is a terminal (the default log format follows it). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true): AppConfig {
  const host = env.HOST || '127.0.0.1';
  const auth = authFrom(env.AUTH, !!env.DATABASE_URL);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.PACELINE_DATA_DIR || './data/pglite',
    redisUrl: env.REDIS_URL || undefined,
    host,
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
    webhookAllowHttp: webhookHttpFrom(env.WEBHOOK_ALLOW_HTTP),
    webhookAllow: webhookAllowFrom(env.WEBHOOK_ALLOW),
    secretsKey: secretsKeyFrom(env.SECRETS_KEY),
    robotEndpoints: { ...ROBOT_ENDPOINTS },
    monthCloseDay: dayFrom(env.MONTH_CLOSE_DAY),
    monthCloseTime: timeFrom(env.MONTH_CLOSE_TIME),
    schedule: (env.MONTH_CLOSE_SCHEDULE ?? 'on') !== 'off',
    logLevel: levelFrom(env.LOG_LEVEL),
    logFormat: formatFrom(env.LOG_FORMAT, tty),
    readyMaxLag: intFrom('READY_MAX_LAG', env.READY_MAX_LAG, 10_000),
    answerCacheMb: intFrom('ANSWER_CACHE_MB', env.ANSWER_CACHE_MB, 128),
    overviewWarmMs: env.OVERVIEW_WARM_MS === 'off' ? 0 : intFrom('OVERVIEW_WARM_MS', env.OVERVIEW_WARM_MS, 30_000),
    precomputeMs: env.PRECOMPUTE_MS === 'off' ? 0 : intFrom('PRECOMPUTE_MS', env.PRECOMPUTE_MS, 10_000),
    auth,
    ingestPerMinute: intFrom('INGEST_RATE_PER_MINUTE', env.INGEST_RATE_PER_MINUTE, 600),
    allowedHosts: allowedHostsFrom(env.ALLOWED_HOSTS, host),
    sessionCookieSecure: onOff('SESSION_COOKIE_SECURE', env.SESSION_COOKIE_SECURE, !isLoopback(host)),
    sessionHours: intFrom('SESSION_HOURS', env.SESSION_HOURS, 12),
    authOffOnNetwork: env.AUTH_OFF_ON_NETWORK === 'yes',
  };
}
