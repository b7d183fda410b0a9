import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '#api/src/app.js';
import { loadConfig, type AppConfig } from '#config/config.js';
import { DATABASE } from '#persistence/persistence.module.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { createPostgresDatabase, type Backend } from './databases.js';

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  db: DatabaseHandle;
  config: AppConfig;
  close(): Promise<void>;
}

/**
 * The real HTTP application on a fresh database of the given backend (no Redis unless configured),
 * or on the database of `overrides.databaseUrl` (a second process on another app's database: its
 * database is neither created nor dropped here).
 */
export async function startTestApp(backend: Backend, overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const pgdb =
    backend === 'postgres' && overrides.databaseUrl === undefined ? await createPostgresDatabase() : undefined;
  const config: AppConfig = {
    ...loadConfig({}),
    databaseUrl: pgdb?.url,
    dataDir: 'memory://',
    logLevel: 'silent',
    auth: false,
    // No background computing of the department list unless a test asks for it (cache counts stay exact).
    overviewWarmMs: 0,
    // Nor of precomputed answers (test/stored-answers.int.test.ts turns it on).
    precomputeMs: 0,
    ...overrides,
  };
  let created: NestExpressApplication | undefined;
  try {
    created = await createApp(config);
    await created.init();
  } catch (e) {
    // A start that fails (a test's configuration or a bug) leaves no database behind.
    await created?.close().catch(() => undefined);
    await pgdb?.drop();
    throw e;
  }
  const app = created;
  return {
    app,
    http: app.getHttpServer(),
    db: app.get<DatabaseHandle>(DATABASE),
    config,
    close: async () => {
      await app.close();
      await pgdb?.drop();
    },
  };
}
