import { Module, type DynamicModule } from '@nestjs/common';
import { AnswersModule } from '#application/answers/answers.module.js';
import { EvaluationModule } from '#application/evaluation/evaluation.module.js';
import { ExecutionModule } from '#application/execution/execution.module.js';
import { IngestModule } from '#application/ingest/ingest.module.js';
import { NoticesModule } from '#application/notices/notices.module.js';
import { ConfigModule } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { PersistenceModule } from '#persistence/persistence.module.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { AuthModule } from './access/auth.module.js';
import { DeliveriesController } from './notices/deliveries.controller.js';
import { HealthModule } from './health/health.controller.js';
import { EvaluationController } from './evaluation/evaluation.controller.js';
import { EventsController } from './ingest/events.controller.js';
import { ExecutionController } from './execution/execution.controller.js';
import { ImportsController } from './ingest/imports.controller.js';
import { NoticesController } from './notices/notices.controller.js';
import { SessionController } from './access/session.controller.js';
import { OverviewController } from './execution/overview.controller.js';
import { OverviewWarmer } from '#application/overview/overview.warmer.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        HealthModule,
        PersistenceModule,
        AuthModule,
        IngestModule,
        ExecutionModule,
        NoticesModule,
        EvaluationModule,
        AnswersModule,
      ],
      controllers: [
        SessionController,
        EventsController,
        ExecutionController,
        NoticesController,
        DeliveriesController,
        EvaluationController,
        ImportsController,
        OverviewController,
        DashboardController,
      ],
      providers: [OverviewWarmer],
    };
  }
}
