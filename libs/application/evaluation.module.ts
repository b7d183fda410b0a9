import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { DatabaseHandle } from '../persistence/db.js';
import { EventsRepository } from '../persistence/events.repository.js';
import { ExecutionRepository } from '../persistence/execution.repository.js';
import { DATABASE } from '../persistence/persistence.module.js';
import { ProjectionFeedRepository } from '../persistence/projection-feed.repository.js';
import { EvaluationService } from './evaluation.service.js';
import { ExecutionModule } from './execution.module.js';

@Module({
  imports: [ExecutionModule],
  providers: [
    {
      provide: EvaluationService,
      inject: [EventsRepository, ExecutionRepository, DATABASE, APP_CONFIG],
      useFactory: (events: EventsRepository, execution: ExecutionRepository, h: DatabaseHandle, config: AppConfig) =>
        new EvaluationService(events, execution, new ProjectionFeedRepository(h.db), undefined, { maxBytes: config.answerCacheMb * 2 ** 20 }),
    },
  ],
  exports: [EvaluationService],
})
export class EvaluationModule {}
