import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { withDatabase, type Command } from '../context.js';
import { ProgressBar } from '../progress.js';

/** Extra PostgreSQL connections the rebuild reads with, next to the one it writes with. */
const REBUILD_READERS = 2;

export const rebuildCommand: Command = {
  usage: 'rebuild                                      rebuild the execution projection from the whole log',
  async run() {
    return withDatabase(async (h) => {
      const events = new EventsRepository(h.db);
      const projector = new ExecutionProjector(new ProjectionFeedRepository(h.db), new ExecutionRepository(h.db), {
        rebuildReaders: h.kind === 'postgres' ? REBUILD_READERS : 0,
      });
      const total = await events.count();
      const bar = new ProgressBar('重建 rebuild');
      const started = process.hrtime.bigint();
      bar.update(0, total);
      const n = await projector.rebuild((done) => bar.update(done, total));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      bar.update(total, total);
      console.log(`rebuilt the execution projection from ${n} events in ${seconds.toFixed(2)} s`);
      return 0;
    });
  },
};
