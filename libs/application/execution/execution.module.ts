import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { DATABASE } from '#persistence/persistence.module.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { AnswerStore } from '../answers/answer-store.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { IngestService } from '../ingest/ingest.service.js';
import { EVENTS_CHANNEL, ExecutionProjector } from './execution.projector.js';
import { ExecutionService } from './execution.service.js';
import { ProjectionsService } from './projections.service.js';

/** The execution projection (the projector, woken by ingest and by other processes) and its answers. */
@Module({
  imports: [IngestModule],
  providers: [
    {
      provide: ExecutionProjector,
      inject: [ProjectionFeedRepository, ExecutionRepository, APP_CONFIG],
      useFactory: (feed: ProjectionFeedRepository, repo: ExecutionRepository, config: AppConfig) =>
        new ExecutionProjector(feed, repo, {
          pollMs: config.projectorPollMs,
          minIntervalMs: config.projectorIntervalMs,
        }),
    },
    {
      provide: ExecutionService,
      inject: [ExecutionRepository, AnswerStore],
      useFactory: (repo: ExecutionRepository, answers: AnswerStore) => new ExecutionService(repo, answers),
    },
    {
      provide: ProjectionsService,
      inject: [ExecutionProjector, AnswerStore],
      useFactory: (projector: ExecutionProjector, answers: AnswerStore) => new ProjectionsService(projector, answers),
    },
  ],
  exports: [ExecutionProjector, ExecutionService, ProjectionsService],
})
export class ExecutionModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly projector: ExecutionProjector,
    private readonly ingest: IngestService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.ingest.onAppended(() => this.projector.wake());
    if (!this.config.projector) return;
    this.projector.start();
    // Events appended by other processes (another API, the CLI) wake it too (migration 0008).
    this.unlisten = await this.handle.listen(EVENTS_CHANNEL, () => this.projector.wake());
  }

  /** Before any module's onApplicationShutdown: the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.unlisten?.();
    await this.projector.stop();
  }
}
