/** Fills a benchmark database through the service's IngestService (valid events, stream versions set). */
import { IngestService } from '#application/ingest/ingest.service.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { generateOptions, log, now, type BenchOptions } from './common.js';
import { batches, generateEvents } from './generate.js';

export async function seed(handle: DatabaseHandle, o: BenchOptions): Promise<{ events: number; seconds: number }> {
  const service = new IngestService(new EventsRepository(handle.db));
  const started = now();
  let n = 0;
  for (const batch of batches(generateEvents(generateOptions(o)), Math.max(o.batch, 1000))) {
    n += (await service.ingest(batch)).accepted;
  }
  const seconds = (now() - started) / 1000;
  log(`  seeded ${n} events in ${seconds.toFixed(1)} s`);
  return { events: n, seconds };
}
