import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { AnswersRepository } from './answers.repository.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { migrate, openDatabase, type DatabaseHandle } from './db.js';
import { DeliveryRepository } from './delivery.repository.js';
import { EventsRepository } from './events.repository.js';
import { ExecutionRepository } from './execution.repository.js';
import { HealthRepository } from './health.repository.js';
import { NoticesRepository } from './notices.repository.js';
import { ProjectionFeedRepository } from './projection-feed.repository.js';
import { SessionsRepository } from './sessions.repository.js';

export const DATABASE = Symbol('DATABASE');

/** A repository class built on the process's database handle. */
const onDatabase = <T>(Repository: new (db: DatabaseHandle['db']) => T) => ({
  provide: Repository,
  inject: [DATABASE],
  useFactory: (h: DatabaseHandle) => new Repository(h.db),
});

/** The database (opened and migrated at start-up) and every repository on it, for every module. */
@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<DatabaseHandle> => {
        const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
        await migrate(handle.db);
        return handle;
      },
    },
    onDatabase(EventsRepository),
    onDatabase(ExecutionRepository),
    onDatabase(ProjectionFeedRepository),
    onDatabase(AnswersRepository),
    onDatabase(NoticesRepository),
    onDatabase(DeliveryRepository),
    onDatabase(ApiKeysRepository),
    onDatabase(HealthRepository),
    onDatabase(SessionsRepository),
  ],
  exports: [
    DATABASE,
    EventsRepository,
    ExecutionRepository,
    ProjectionFeedRepository,
    AnswersRepository,
    NoticesRepository,
    DeliveryRepository,
    ApiKeysRepository,
    HealthRepository,
    SessionsRepository,
  ],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}
