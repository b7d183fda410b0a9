import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { migrate, openDatabase, type DatabaseHandle } from './db.js';
import { EventsRepository } from './events.repository.js';

export const DATABASE = Symbol('DATABASE');

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
    { provide: EventsRepository, inject: [DATABASE], useFactory: (h: DatabaseHandle) => new EventsRepository(h.db) },
  ],
  exports: [DATABASE, EventsRepository],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}
