import { Controller, Get, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { ExecutionModule } from '#application/execution/execution.module.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { DATABASE } from '#persistence/persistence.module.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { HealthRepository } from '#persistence/health.repository.js';
import { Public } from '../access/access.js';
import { ApiJson, obj, str } from '../http/openapi.js';

const REDIS_HEALTH = Symbol('REDIS_HEALTH');

/** Readiness: each dependency checked with a time limit, and the projector's lag. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly projector: ExecutionProjector,
    private readonly database: HealthRepository,
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Inject(REDIS_HEALTH) private readonly redis: Redis | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  check() {
    const redis = this.redis;
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(async () => {
            await this.database.ping();
            return { kind: this.handle.kind };
          })
          .withTimeout(2000),
      ...(redis
        ? [
            () =>
              this.indicators
                .check('redis')
                .attempt(async () => ({ ping: await redis.ping() }))
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

/**
 * Liveness (the process answers) and readiness (the database, Redis when configured, and the
 * projector no more than READY_MAX_LAG events behind). `/health` is readiness, for people and
 * for load balancers that probe one URL.
 */
const READY =
  'Readiness: the database answers, Redis answers (when configured) and the projector is no more than ' +
  'READY_MAX_LAG events behind. 200 with `status: "ok"` and each check under `info`/`details`; 503 with ' +
  '`status: "error"` and the failing checks under `error`.';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary: 'Health (readiness)',
    description: `${READY} For people and load balancers that probe one URL.`,
  })
  overall() {
    return this.ready();
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness', description: 'The process answers; checks nothing else.' })
  @ApiJson(200, 'Alive', obj('', { status: str('Always "ok"', { enum: ['ok'] }) }))
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness', description: READY })
  ready() {
    return this.readiness.check();
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ExecutionModule],
  controllers: [HealthController],
  providers: [
    ReadinessService,
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
