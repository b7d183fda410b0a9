import { Module, type DynamicModule } from '@nestjs/common';
import { AnswersModule } from '../../../libs/application/answers.module.js';
import { EvaluationModule } from '../../../libs/application/evaluation.module.js';
import { ExecutionModule } from '../../../libs/application/execution.module.js';
import { IngestModule } from '../../../libs/application/ingest.module.js';
import { NoticesModule } from '../../../libs/application/notices.module.js';
import { ConfigModule } from '../../../libs/config/config.module.js';
import type { AppConfig } from '../../../libs/config/config.js';
import { PersistenceModule } from '../../../libs/persistence/persistence.module.js';
import { DashboardController } from './dashboard.controller.js';
import { AuthModule } from './auth.module.js';
import { DeliveriesController } from './deliveries.controller.js';
import { HealthModule } from './health.controller.js';
import { loggerModule } from './logging.js';
import { EvaluationController } from './evaluation.controller.js';
import { EventsController } from './events.controller.js';
import { ExecutionController } from './execution.controller.js';
import { ImportsController } from './imports.controller.js';
import { NoticesController } from './notices.controller.js';
import { SessionController } from './session.controller.js';
import { OverviewController } from './overview.controller.js';
import { OverviewWarmer } from './overview.warmer.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [loggerModule(config), ConfigModule.forRoot(config), HealthModule, PersistenceModule, AuthModule, IngestModule, ExecutionModule, NoticesModule, EvaluationModule, AnswersModule],
      controllers: [SessionController, EventsController, ExecutionController, NoticesController, DeliveriesController, EvaluationController, ImportsController, OverviewController, DashboardController],
      providers: [OverviewWarmer],
    };
  }
}
