import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AnswersModule } from '#application/answers/answers.module.js';
import { PrecomputeModule } from '#application/answers/precompute.module.js';
import { EvaluationModule } from '#application/evaluation/evaluation.module.js';
import { ExecutionModule } from '#application/execution/execution.module.js';
import { ImportModule } from '#application/import/import.module.js';
import { IngestModule } from '#application/ingest/ingest.module.js';
import { JobsModule } from '#application/jobs/jobs.module.js';
import { NoticesModule } from '#application/notices/notices.module.js';
import { OverviewModule } from '#application/overview/overview.module.js';
import { ConfigModule } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { PersistenceModule } from '#persistence/persistence.module.js';
import { AuthModule } from './access/auth.module.js';
import { SessionController } from './access/session.controller.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { DashboardService } from './dashboard/dashboard.service.js';
import { EvaluationController } from './evaluation/evaluation.controller.js';
import { ExecutionController } from './execution/execution.controller.js';
import { OverviewController } from './execution/overview.controller.js';
import { HealthModule } from './health/health.controller.js';
import { ConsumesGuard } from './http/consumes.js';
import { KnownQueryGuard } from './http/known-query.guard.js';
import { EventsController } from './ingest/events.controller.js';
import { ImportsController } from './ingest/imports.controller.js';
import { MonitoringApiModule } from './monitoring/monitoring-api.module.js';
import { DeliveriesController } from './notices/deliveries.controller.js';
import { NoticesController } from './notices/notices.controller.js';

/** The API process: every capability's module and the HTTP controllers over them. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        AnswersModule,
        HealthModule,
        AuthModule,
        IngestModule,
        ImportModule,
        ExecutionModule,
        EvaluationModule,
        NoticesModule,
        JobsModule,
        OverviewModule,
        PrecomputeModule,
        MonitoringApiModule,
      ],
      controllers: [
        SessionController,
        EventsController,
        ImportsController,
        ExecutionController,
        OverviewController,
        NoticesController,
        DeliveriesController,
        EvaluationController,
        DashboardController,
      ],
      // Unknown query parameters and undocumented body types are refused on every route (after access).
      providers: [
        DashboardService,
        { provide: APP_GUARD, useClass: KnownQueryGuard },
        { provide: APP_GUARD, useClass: ConsumesGuard },
      ],
    };
  }
}
