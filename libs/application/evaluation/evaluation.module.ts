import { Module } from '@nestjs/common';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { AnswerStore } from '../answers/answer-store.js';
import { EvaluationFilesService } from './evaluation-files.service.js';
import { EvaluationService } from './evaluation.service.js';

/** The year-end self-evaluation, scored from the execution projection, and its files. */
@Module({
  providers: [
    {
      provide: EvaluationService,
      inject: [EventsRepository, ExecutionRepository, ProjectionFeedRepository, AnswerStore],
      useFactory: (
        events: EventsRepository,
        execution: ExecutionRepository,
        feed: ProjectionFeedRepository,
        answers: AnswerStore,
      ) => new EvaluationService(events, execution, feed, answers),
    },
    {
      provide: EvaluationFilesService,
      inject: [EvaluationService],
      useFactory: (evaluation: EvaluationService) => new EvaluationFilesService(evaluation),
    },
  ],
  exports: [EvaluationService, EvaluationFilesService],
})
export class EvaluationModule {}
