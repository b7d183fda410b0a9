import { Module } from '@nestjs/common';
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
      inject: [EventsRepository, ExecutionRepository, DATABASE],
      useFactory: (events: EventsRepository, execution: ExecutionRepository, h: DatabaseHandle) => new EvaluationService(events, execution, new ProjectionFeedRepository(h.db)),
    },
  ],
  exports: [EvaluationService],
})
export class EvaluationModule {}
