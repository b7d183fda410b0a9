import { Logger } from '@nestjs/common';
import { loadConfig } from '#config/config.js';
import { DATABASE } from '#persistence/persistence.module.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { createApp } from './src/app.js';

const config = loadConfig();
const app = await createApp(config);
await app.listen(config.port, config.host);
const db = app.get<DatabaseHandle>(DATABASE);
const log = new Logger('paceline');
log.log(
  `API on http://${config.host}:${config.port}/api/v1 — database: ${db.kind} (${db.location}); jobs: ${config.redisUrl ? 'BullMQ (Redis)' : 'in-process'}`,
);
