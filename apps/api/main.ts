import { Logger } from '@nestjs/common';
import { loadConfig } from '#config/config.js';
import { DATABASE } from '#persistence/persistence.module.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { createApp } from './src/app.js';
import { DOCS_PATH } from './src/http/openapi.js';

const config = loadConfig();
const app = await createApp(config);
await app.listen(config.port, config.host);
const db = app.get<DatabaseHandle>(DATABASE);
const log = new Logger('paceline');
const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
log.log(
  `Paceline ready: dashboard ${base}/  API ${base}/api/v1  API docs ${base}${DOCS_PATH}  ` +
    `(database: ${db.kind} (${db.location}); jobs: ${config.redisUrl ? 'BullMQ (Redis)' : 'in-process'})`,
);
