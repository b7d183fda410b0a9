import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { APP_CONFIG } from '#config/config.module.js';
import { runsJobs, type AppConfig } from '#config/config.js';
import { DeliveryRepository } from '#persistence/delivery.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { today } from '../common/clock.js';
import { MonthCloseService } from '../notices/month-close.service.js';
import { NoticesModule } from '../notices/notices.module.js';
import { SecretBox } from '../notices/secrets.js';
import { SubscriptionsService } from '../notices/subscriptions.service.js';
import { WebhookPolicy } from '../notices/webhook-policy.js';
import { BullMqRunner } from './bullmq.runner.js';
import { DeliveryHandler } from './delivery.handler.js';
import { InProcessRunner } from './in-process.runner.js';
import type { JobHandlers, JobRunner } from './jobs.js';
import { describeSchedule, enqueueMonthCloses, monthCloseCron, SCHEDULE_TIME_ZONE } from './month-close.schedule.js';
import { OutboxRelay } from './outbox.relay.js';

export const JOB_RUNNER = Symbol('JOB_RUNNER');

/**
 * Jobs: the runner (BullMQ with REDIS_URL, else in-process) with its handlers, the outbox relay
 * that hands deliveries to it, and the month-close schedule, which only enqueues.
 */
@Module({
  imports: [NoticesModule, ScheduleModule.forRoot()],
  providers: [
    {
      provide: DeliveryHandler,
      inject: [DeliveryRepository, WebhookPolicy, SecretBox],
      useFactory: (r: DeliveryRepository, policy: WebhookPolicy, secrets: SecretBox) =>
        new DeliveryHandler(r, new Logger('delivery'), { policy, secrets }),
    },
    {
      provide: JOB_RUNNER,
      inject: [APP_CONFIG, DeliveryHandler, MonthCloseService],
      useFactory: (config: AppConfig, handler: DeliveryHandler, closes: MonthCloseService): JobRunner => {
        const handlers: JobHandlers = {
          deliver: (data, attempt) => handler.deliver(data, attempt),
          deliverFailed: (data, attempts, error) => handler.failed(data, attempts, error),
          closeMonth: async (job) => {
            await closes.close(job.department, job.year, job.month, { closedBy: 'schedule', today: today() });
          },
        };
        const retry = { attempts: config.deliveryAttempts, backoffMs: config.deliveryBackoffMs };
        return config.redisUrl
          ? new BullMqRunner(config.redisUrl, handlers, retry, { prefix: config.queuePrefix })
          : new InProcessRunner(handlers, retry);
      },
    },
    {
      provide: OutboxRelay,
      inject: [DeliveryRepository, JOB_RUNNER, APP_CONFIG],
      useFactory: (r: DeliveryRepository, runner: JobRunner, config: AppConfig) =>
        new OutboxRelay(r, runner, {
          reconcileEveryMs: config.reconcileEveryMs,
          reconcileAfterMs: config.reconcileAfterMs,
        }),
    },
  ],
  exports: [OutboxRelay, JOB_RUNNER],
})
export class JobsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('jobs');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_RUNNER) private readonly runner: JobRunner,
    private readonly relay: OutboxRelay,
    private readonly closes: MonthCloseService,
    private readonly subscriptions: SubscriptionsService,
    private readonly execution: ExecutionRepository,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.closes.onClosed(() => this.relay.wake());
    this.subscriptions.onRequeued(() => this.relay.wake());
    if (runsJobs(this.config)) {
      await this.runner.startWorkers();
      if (this.config.schedule) {
        const job = new CronJob(
          monthCloseCron(this.config.monthCloseDay, this.config.monthCloseTime),
          async () => {
            const jobs = await enqueueMonthCloses(this.execution, this.runner, today());
            this.log.log(`month close: enqueued ${jobs.length} department-years`);
          },
          null,
          true,
          SCHEDULE_TIME_ZONE,
        );
        this.scheduler.addCronJob('month-close', job as never);
        this.log.log(
          `month close scheduled ${describeSchedule(this.config.monthCloseDay, this.config.monthCloseTime)}`,
        );
      }
    }
    await this.relay.start();
  }

  /** Before any module's onApplicationShutdown: in-flight deliveries finish while the database is open. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('cron', 'month-close')) this.scheduler.deleteCronJob('month-close');
    await this.relay.stop();
    await this.runner.close();
  }
}
