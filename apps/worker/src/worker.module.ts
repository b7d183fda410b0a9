import { Module, type DynamicModule } from '@nestjs/common';
import { AnswersModule } from '../../../libs/application/answers.module.js';
import { ExecutionModule } from '../../../libs/application/execution.module.js';
import { IngestModule } from '../../../libs/application/ingest.module.js';
import { NoticesModule } from '../../../libs/application/notices.module.js';
import { ConfigModule } from '../../../libs/config/config.module.js';
import type { AppConfig } from '../../../libs/config/config.js';
import { PersistenceModule } from '../../../libs/persistence/persistence.module.js';

/** The background process: the execution projector, precomputed answers, the month-close schedule and the job workers. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config), PersistenceModule, IngestModule, ExecutionModule, NoticesModule, AnswersModule] };
  }
}
