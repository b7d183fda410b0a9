import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '../../libs/config/config.js';
import { WorkerModule } from './src/worker.module.js';

const config = { ...loadConfig(), role: 'worker' as const };
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config));
app.enableShutdownHooks();
new Logger('paceline-worker').log(`worker started — jobs: ${config.redisUrl ? 'BullMQ (Redis)' : 'in-process'}`);
