import { Controller, Get, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { ExecutionModule } from '#application/execution/execution.module.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { DATABASE } from '#persistence/persistence.module.js';
import { Public } from '../access/access.js';

const REDIS_HEALTH = Symbol('REDIS_HEALTH');

/** Liveness (the process answers) and readiness (Postgres, Redis when configured, projector lag). */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly projector: ExecutionProjector,
    @Inject(DATABASE) private readonly db: DatabaseHandle,
    @Inject(REDIS_HEALTH) private readonly redis: Redis | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(async () => {
            await sql`select 1`.execute(this.db.db);
            return { kind: this.db.kind };
          })
          .withTimeout(2000),
      ...(this.redis
        ? [
            () =>
              this.indicators
                .check('redis')
                .attempt(async () => ({ ping: await this.redis!.ping() }))
                .withTimeout(2000),
          ]
        : []),
      async () => {
        const s = await this.projector.status();
        const session = this.indicators.check('projector');
        const data = { behind: s.behind, processed: s.processed, maxLag: this.config.readyMaxLag, running: s.running };
        return s.behind <= this.config.readyMaxLag ? session.up(data) : session.down(data);
      },
    ]);
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ExecutionModule],
  controllers: [HealthController],
  providers: [
    {
      provide: REDIS_HEALTH,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.redisUrl
          ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }).on(
              'error',
              () => {},
            )
          : null,
    },
  ],
})
export class HealthModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_HEALTH) private readonly redis: Redis | null) {}

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
