import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '#config/config.js';
import { createLogger } from '#logging/logger.js';
import { PinoNestLogger } from '#logging/nest-logger.js';
import { WorkerModule } from './src/worker.module.js';

const config = { ...loadConfig(), role: 'worker' as const };
const logger = new PinoNestLogger(createLogger({ level: config.logLevel, format: config.logFormat }));
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
app.enableShutdownHooks();
new Logger('paceline-worker').log(`worker started; jobs: ${config.redisUrl ? 'BullMQ (Redis)' : 'in-process'}`);
