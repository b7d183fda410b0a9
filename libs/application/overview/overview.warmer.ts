import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { BackgroundLoop } from '../common/background-loop.js';
import { today } from '../common/clock.js';
import { OverviewService } from './overview.service.js';

/**
 * Keeps the department list's answers computed in this process (every OVERVIEW_WARM_MS): after a
 * load, each department-year that stopped changing is computed once in the background, so the
 * finance bureau's list answers from the caches instead of computing every department on the
 * first visit.
 */
@Injectable()
export class OverviewWarmer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: BackgroundLoop | null;
  private readonly logger = new Logger('overview-warmer');

  constructor(
    private readonly overview: OverviewService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.loop =
      config.overviewWarmMs > 0
        ? new BackgroundLoop(() => this.tick(), { pollMs: config.overviewWarmMs, errorPollMs: config.overviewWarmMs })
        : null;
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    const n = await this.overview.warm(today());
    if (n > 0) this.logger.log(`department list: ${n} department-years computed in ${Date.now() - started} ms`);
  }

  onApplicationBootstrap(): void {
    this.loop?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }
}
