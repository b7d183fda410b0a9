import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '../../../libs/config/config.module.js';
import type { AppConfig } from '../../../libs/config/config.js';
import { PersistenceModule } from '../../../libs/persistence/persistence.module.js';

/** The background process: projections, schedules and job handlers. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config), PersistenceModule] };
  }
}
