import { Module } from '@nestjs/common';
import { DeliveryRepository } from '#persistence/delivery.repository.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { ExecutionProjector } from '../execution/execution.projector.js';
import { MonthCloseService } from './month-close.service.js';
import { NoticesService } from './notices.service.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** Month closes (notices, alerts, deliveries into the outbox), the notices issued, and subscriptions. */
@Module({
  imports: [ExecutionModule],
  providers: [
    {
      provide: MonthCloseService,
      inject: [EventsRepository, ExecutionRepository, ExecutionProjector, NoticesRepository, DeliveryRepository],
      useFactory: (
        events: EventsRepository,
        execution: ExecutionRepository,
        projector: ExecutionProjector,
        notices: NoticesRepository,
        deliveries: DeliveryRepository,
      ) => new MonthCloseService(events, execution, projector, notices, deliveries),
    },
    {
      provide: NoticesService,
      inject: [NoticesRepository],
      useFactory: (notices: NoticesRepository) => new NoticesService(notices),
    },
    {
      provide: SubscriptionsService,
      inject: [DeliveryRepository],
      useFactory: (deliveries: DeliveryRepository) => new SubscriptionsService(deliveries),
    },
  ],
  exports: [MonthCloseService, NoticesService, SubscriptionsService],
})
export class NoticesModule {}
