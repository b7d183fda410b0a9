/**
 * The process's logger: pino, as JSON lines for machines, or colourised readable lines when a
 * person watches a terminal. The same logger serves Nest's messages and the request log.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'pretty' | 'json';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  if (options.format === 'json') return pino({ level: options.level }, destination);
  const stream = pretty({
    colorize: destination === process.stdout && process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    sync: true,
    destination,
  });
  return pino({ level: options.level }, stream);
}
