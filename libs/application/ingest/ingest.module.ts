import { Module } from '@nestjs/common';
import { EventsRepository } from '#persistence/events.repository.js';
import { IngestService } from './ingest.service.js';

@Module({
  providers: [
    { provide: IngestService, inject: [EventsRepository], useFactory: (r: EventsRepository) => new IngestService(r) },
  ],
  exports: [IngestService],
})
export class IngestModule {}
