import { Module } from '@nestjs/common';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { EvaluationModule } from '../evaluation/evaluation.module.js';
import { EvaluationService } from '../evaluation/evaluation.service.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { ExecutionService } from '../execution/execution.service.js';
import { OverviewService } from './overview.service.js';
import { OverviewWarmer } from './overview.warmer.js';

/** What the dashboard shows (the department list, a department's page, the curve), kept warm in the API. */
@Module({
  imports: [ExecutionModule, EvaluationModule],
  providers: [
    {
      provide: OverviewService,
      inject: [ExecutionRepository, ExecutionService, EvaluationService, NoticesRepository],
      useFactory: (
        repo: ExecutionRepository,
        execution: ExecutionService,
        evaluation: EvaluationService,
        notices: NoticesRepository,
      ) => new OverviewService(repo, execution, evaluation, notices),
    },
    OverviewWarmer,
  ],
  exports: [OverviewService],
})
export class OverviewModule {}
