import { Module } from '@nestjs/common';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { AnswersRepository } from '#persistence/answers.repository.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { DATABASE } from '#persistence/persistence.module.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { EvaluationService } from './evaluation.service.js';
import { ExecutionModule } from '../execution/execution.module.js';

@Module({
  imports: [ExecutionModule],
  providers: [
    {
      provide: EvaluationService,
      inject: [EventsRepository, ExecutionRepository, AnswersRepository, DATABASE, APP_CONFIG],
      useFactory: (
        events: EventsRepository,
        execution: ExecutionRepository,
        answers: AnswersRepository,
        h: DatabaseHandle,
        config: AppConfig,
      ) =>
        new EvaluationService(
          events,
          execution,
          new ProjectionFeedRepository(h.db),
          undefined,
          { maxBytes: config.answerCacheMb * 2 ** 20 },
          answers,
        ),
    },
  ],
  exports: [EvaluationService],
})
export class EvaluationModule {}
