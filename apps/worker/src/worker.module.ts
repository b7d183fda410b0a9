import { Module, type DynamicModule } from '@nestjs/common';
import { AnswersModule } from '#application/answers/answers.module.js';
import { PrecomputeModule } from '#application/answers/precompute.module.js';
import { ExecutionModule } from '#application/execution/execution.module.js';
import { IngestModule } from '#application/ingest/ingest.module.js';
import { JobsModule } from '#application/jobs/jobs.module.js';
import { ConfigModule } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { PersistenceModule } from '#persistence/persistence.module.js';

/** The background process: the projector, precomputed answers, the month-close schedule and the job workers. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        AnswersModule,
        IngestModule,
        ExecutionModule,
        JobsModule,
        PrecomputeModule,
      ],
    };
  }
}
