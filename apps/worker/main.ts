import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '../../libs/config/config.js';
import { WorkerModule } from './src/worker.module.js';

const config = { ...loadConfig(), role: 'worker' as const };
/** LOG_LEVEL as Nest's levels (the worker has no pino: it serves no requests). */
const LEVELS: Record<string, LogLevel[] | false> = {
  silent: false,
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: LEVELS[config.logLevel] ?? ['fatal', 'error', 'warn', 'log'] });
app.enableShutdownHooks();
new Logger('paceline-worker').log(`worker started — jobs: ${config.redisUrl ? 'BullMQ (Redis)' : 'in-process'}`);
