import { Logger } from '@nestjs/common';
import { checkOpenAccess, isLoopback, loadConfig, type AppConfig } from '#config/config.js';
import { DATABASE } from '#persistence/persistence.module.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { createApp } from './src/app.js';
import { DOCS_PATH } from './src/http/openapi.js';

let config: AppConfig;
try {
  config = loadConfig();
  checkOpenAccess(config);
} catch (e) {
  // A setting that cannot be used: one line saying which and why, and no start.
  process.stderr.write(`paceline: ${(e as Error).message}\n`);
  process.exit(1);
}
const app = await createApp(config);
await app.listen(config.port, config.host);
const db = app.get<DatabaseHandle>(DATABASE);
const log = new Logger('paceline');
const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
log.log(
  `Paceline ready: dashboard ${base}/  API ${base}/api/v1  API docs ${base}${DOCS_PATH}  ` +
    `(database: ${db.kind} (${db.location}); jobs: ${config.redisUrl ? 'BullMQ (Redis)' : 'in-process'})`,
);
if (!config.auth && !isLoopback(config.host))
  log.warn(
    `AUTH=off on ${config.host} (AUTH_OFF_ON_NETWORK=yes): anyone who can reach this address can read and write ` +
      'every department; events they write can never be removed',
  );
