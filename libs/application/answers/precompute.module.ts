import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { AnswerPrecomputer } from './answer-precomputer.js';
import { AnswerStore } from './answer-store.js';
import { BackgroundLoop } from '../common/background-loop.js';
import { EvaluationModule } from '../evaluation/evaluation.module.js';
import { EvaluationService } from '../evaluation/evaluation.service.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { ExecutionService } from '../execution/execution.service.js';
import { shanghaiDate } from '../common/clock.js';

/**
 * Precomputed answers (AnswerPrecomputer): stored every PRECOMPUTE_MS by the process that runs the
 * projector (the worker in production, the API on the embedded default); read by every API.
 */
@Module({
  imports: [ExecutionModule, EvaluationModule],
  providers: [
    {
      provide: AnswerPrecomputer,
      inject: [AnswerStore, ExecutionService, EvaluationService, APP_CONFIG],
      // While events keep arriving, a pass computes for a quarter of the interval at most.
      useFactory: (
        answers: AnswerStore,
        execution: ExecutionService,
        evaluation: EvaluationService,
        config: AppConfig,
      ) =>
        new AnswerPrecomputer(answers, execution, evaluation, new Logger('precompute'), {
          busyBudgetMs: Math.ceil(config.precomputeMs / 4),
        }),
    },
  ],
  exports: [AnswerPrecomputer],
})
export class PrecomputeModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: BackgroundLoop | null;
  private readonly logger = new Logger('precompute');

  constructor(
    private readonly precomputer: AnswerPrecomputer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const on = config.projector && config.precomputeMs > 0;
    this.loop = on
      ? new BackgroundLoop(() => this.pass(), { pollMs: config.precomputeMs, errorPollMs: config.precomputeMs })
      : null;
  }

  private async pass(): Promise<void> {
    const started = Date.now();
    const pass = await this.precomputer.run(shanghaiDate(new Date()));
    if (pass.stored > 0 || pass.failed > 0)
      this.logger.log(
        `stored ${pass.stored} answers in ${Date.now() - started} ms (${pass.waiting} waiting${pass.moving ? ': events are arriving' : ''}, ${pass.failed} failed)`,
      );
  }

  onApplicationBootstrap(): void {
    this.loop?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.precomputer.stop();
    await this.loop?.stop();
  }
}
