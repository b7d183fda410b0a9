/**
 * The application services wired by hand (no Nest), for the CLI, benchmarks and tests. The Nest
 * modules wire the same classes the same way.
 */
import type { Kysely } from 'kysely';
import type { Database } from '#persistence/database.js';
import { DeliveryRepository } from '#persistence/delivery.repository.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { ExecutionProjector } from './execution/execution.projector.js';
import { ExecutionService } from './execution/execution.service.js';
import { IngestService } from './ingest/ingest.service.js';
import { MonthCloseService } from './notices/month-close.service.js';

export function createServices(db: Kysely<Database>) {
  const events = new EventsRepository(db);
  const executionRepo = new ExecutionRepository(db);
  const notices = new NoticesRepository(db);
  const delivery = new DeliveryRepository(db);
  const ingest = new IngestService(events);
  const projector = new ExecutionProjector(new ProjectionFeedRepository(db), executionRepo);
  const execution = new ExecutionService(executionRepo);
  const monthClose = new MonthCloseService(events, executionRepo, projector, notices, delivery);
  return { events, executionRepo, notices, delivery, ingest, projector, execution, monthClose };
}

export type Services = ReturnType<typeof createServices>;
