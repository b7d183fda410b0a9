import { Module } from '@nestjs/common';
import type { HolidayCalendar } from '#domain/calendar/holiday-calendar.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { DeliveryRepository } from '#persistence/delivery.repository.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { ExecutionProjector } from '../execution/execution.projector.js';
import { HOLIDAY_CALENDAR, MonitoringModule } from '../monitoring/monitoring.module.js';
import { MonthCloseService } from './month-close.service.js';
import { NoticesService } from './notices.service.js';
import { SecretBox } from './secrets.js';
import { SubscriptionsService } from './subscriptions.service.js';
import { WebhookPolicy } from './webhook-policy.js';

/**
 * Month closes (notices, alerts, deliveries into the outbox; the monitoring alerts count working
 * days by the process's holiday calendar, MonitoringModule's), the notices issued, and subscriptions;
 * where deliveries may go (the webhook policy) and the box robot secrets are kept in, for the
 * subscriptions and the delivery handler.
 */
@Module({
  imports: [ExecutionModule, MonitoringModule],
  providers: [
    {
      provide: WebhookPolicy,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new WebhookPolicy({
          allowHttp: config.webhookAllowHttp,
          allow: config.webhookAllow,
          robotEndpoints: config.robotEndpoints,
        }),
    },
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new SecretBox({ key: config.secretsKey, databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
    },
    {
      provide: MonthCloseService,
      inject: [
        EventsRepository,
        ExecutionRepository,
        ExecutionProjector,
        NoticesRepository,
        DeliveryRepository,
        HOLIDAY_CALENDAR,
      ],
      useFactory: (
        events: EventsRepository,
        execution: ExecutionRepository,
        projector: ExecutionProjector,
        notices: NoticesRepository,
        deliveries: DeliveryRepository,
        calendar: HolidayCalendar,
      ) => new MonthCloseService(events, execution, projector, notices, deliveries, calendar),
    },
    {
      provide: NoticesService,
      inject: [NoticesRepository],
      useFactory: (notices: NoticesRepository) => new NoticesService(notices),
    },
    {
      provide: SubscriptionsService,
      inject: [DeliveryRepository, WebhookPolicy, SecretBox],
      useFactory: (deliveries: DeliveryRepository, policy: WebhookPolicy, secrets: SecretBox) =>
        new SubscriptionsService(deliveries, policy, secrets),
    },
  ],
  exports: [MonthCloseService, NoticesService, SubscriptionsService, WebhookPolicy, SecretBox],
})
export class NoticesModule {}
