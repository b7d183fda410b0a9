import { Module } from '@nestjs/common';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { EventsService } from './events.service.js';
import { IngestService } from './ingest.service.js';

/** Ingest: the write side (decide against the stream's write model, append to the log). */
@Module({
  providers: [
    { provide: IngestService, inject: [EventsRepository], useFactory: (r: EventsRepository) => new IngestService(r) },
    {
      provide: EventsService,
      inject: [IngestService, EventsRepository, APP_CONFIG],
      useFactory: (ingest: IngestService, events: EventsRepository, config: AppConfig) =>
        new EventsService(ingest, events, config.maxBatch),
    },
  ],
  exports: [IngestService, EventsService],
})
export class IngestModule {}
