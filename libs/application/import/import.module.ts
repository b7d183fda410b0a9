import { Module } from '@nestjs/common';
import { EventsRepository } from '#persistence/events.repository.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { IngestService } from '../ingest/ingest.service.js';
import { ImportGate } from './import-gate.js';
import { UploadService } from './upload.service.js';

/** Spreadsheet imports: through the same ingest as events, one at a time per process (ImportGate). */
@Module({
  imports: [IngestModule],
  providers: [
    {
      provide: UploadService,
      inject: [IngestService, EventsRepository],
      useFactory: (ingest: IngestService, events: EventsRepository) =>
        new UploadService(ingest, events, new ImportGate()),
    },
  ],
  exports: [UploadService],
})
export class ImportModule {}
