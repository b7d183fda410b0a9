import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop.js';
import { EvaluationService } from '../evaluation/evaluation.service.js';
import { ExecutionService, shanghaiDate } from '../execution/execution.service.js';
import type { OverviewService } from './overview.service.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { overviewService } from '#api/src/execution/overview.controller.js';

/**
 * Keeps the department list's answers computed in this process (OVERVIEW_WARM_MS, default every
 * 30 s): after a load, each department-year that stopped changing is computed once in the
 * background, so the finance bureau's list answers from the caches instead of computing a
 * thousand departments on the first visit.
 */
@Injectable()
export class OverviewWarmer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly overview: OverviewService;
  private readonly loop: BackgroundLoop | null;
  private readonly logger = new Logger('overview-warmer');

  constructor(
    repo: ExecutionRepository,
    execution: ExecutionService,
    evaluation: EvaluationService,
    notices: NoticesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.overview = overviewService(repo, execution, evaluation, notices);
    this.loop =
      config.overviewWarmMs > 0
        ? new BackgroundLoop(() => this.tick(), { pollMs: config.overviewWarmMs, errorPollMs: config.overviewWarmMs })
        : null;
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    const n = await this.overview.warm(shanghaiDate(new Date()));
    if (n > 0) this.logger.log(`department list: ${n} department-years computed in ${Date.now() - started} ms`);
  }

  onApplicationBootstrap(): void {
    this.loop?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }
}
