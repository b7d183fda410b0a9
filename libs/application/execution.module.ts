import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { EventsRepository } from '../persistence/events.repository.js';
import { ExecutionRepository } from '../persistence/execution.repository.js';
import { ProjectionFeedRepository } from '../persistence/projection-feed.repository.js';
import { DATABASE } from '../persistence/persistence.module.js';
import type { DatabaseHandle } from '../persistence/db.js';
import { ExecutionProjector } from './execution.projector.js';
import { ExecutionService } from './execution.service.js';
import { IngestModule } from './ingest.module.js';
import { IngestService } from './ingest.service.js';

@Module({
  imports: [IngestModule],
  providers: [
    { provide: ExecutionRepository, inject: [DATABASE], useFactory: (h: DatabaseHandle) => new ExecutionRepository(h.db) },
    {
      provide: ExecutionProjector,
      inject: [DATABASE, ExecutionRepository, APP_CONFIG],
      useFactory: (h: DatabaseHandle, repo: ExecutionRepository, config: AppConfig) =>
        new ExecutionProjector(new ProjectionFeedRepository(h.db), repo, { pollMs: config.projectorPollMs }),
    },
    { provide: ExecutionService, inject: [ExecutionRepository], useFactory: (r: ExecutionRepository) => new ExecutionService(r) },
  ],
  exports: [ExecutionRepository, ExecutionProjector, ExecutionService],
})
export class ExecutionModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly projector: ExecutionProjector,
    private readonly ingest: IngestService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.ingest.onAppended(() => this.projector.wake());
    if (this.config.projector) this.projector.start();
  }

  /** Before any module's onApplicationShutdown: the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }
}
