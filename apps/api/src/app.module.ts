import { Module, type DynamicModule } from '@nestjs/common';
import { ExecutionModule } from '../../../libs/application/execution.module.js';
import { IngestModule } from '../../../libs/application/ingest.module.js';
import { ConfigModule } from '../../../libs/config/config.module.js';
import type { AppConfig } from '../../../libs/config/config.js';
import { PersistenceModule } from '../../../libs/persistence/persistence.module.js';
import { EventsController } from './events.controller.js';
import { ExecutionController } from './execution.controller.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule, IngestModule, ExecutionModule],
      controllers: [EventsController, ExecutionController],
    };
  }
}
