/** Jobs through BullMQ on Redis: a queue per delivery channel plus one for month closes. */
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { CHANNELS, type OutboxItem } from '#persistence/delivery.repository.js';
import {
  bullJobId,
  closeMonthJobId,
  deliverData,
  deliveryQueue,
  MONTH_CLOSE_QUEUE,
  type CloseMonthJobData,
  type DeliverJobData,
  type JobHandlers,
  type JobRunner,
  type RetryPolicy,
} from './jobs.js';

export class BullMqRunner implements JobRunner {
  readonly kind = 'bullmq' as const;
  private readonly connection: ConnectionOptions;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];

  constructor(
    redisUrl: string,
    private readonly handlers: JobHandlers,
    private readonly retry: RetryPolicy,
    private readonly options: { concurrency?: number; prefix?: string } = {},
  ) {
    this.connection = { url: redisUrl, maxRetriesPerRequest: null, enableOfflineQueue: false };
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.options.prefix });
      q.on('error', () => {}); // connection errors surface on add(); the outbox keeps the work
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Adds the deliveries under their deterministic job ids. BullMQ keeps a failed job
   * (`removeOnFail: false`) and ignores an add with the id it holds, so a delivery handed over again
   * (retry-failed, or found lost) first takes its failed job out; a waiting, active or completed
   * job with the id still makes the add a no-op.
   */
  async dispatchDeliveries(items: OutboxItem[]): Promise<void> {
    for (const item of items) {
      const queue = this.queue(deliveryQueue(item.channel));
      const jobId = bullJobId(item.jobId);
      const held = await queue.getJob(jobId);
      if (held && (await held.isFailed())) await held.remove();
      await queue.add('deliver', deliverData(item), {
        jobId,
        attempts: this.retry.attempts,
        backoff: { type: 'exponential', delay: this.retry.backoffMs },
        // Completed jobs stay a week so a re-add of the same id stays a no-op.
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: false,
      });
    }
  }

  /**
   * Handed-over deliveries Redis no longer holds, or holds as failed although the row was never
   * marked failed (the last failure was not recorded): both are handed over again.
   */
  async lost(items: OutboxItem[]): Promise<string[]> {
    const out: string[] = [];
    for (const item of items) {
      const job = await this.queue(deliveryQueue(item.channel)).getJob(bullJobId(item.jobId));
      if (!job || (await job.isFailed())) out.push(item.jobId);
    }
    return out;
  }

  async enqueueCloseMonth(job: CloseMonthJobData): Promise<void> {
    await this.queue(MONTH_CLOSE_QUEUE).add('close-month', job, {
      jobId: bullJobId(closeMonthJobId(job)),
      attempts: this.retry.attempts,
      backoff: { type: 'exponential', delay: this.retry.backoffMs },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: false,
    });
  }

  async startWorkers(): Promise<void> {
    const concurrency = this.options.concurrency ?? 4;
    for (const channel of CHANNELS) {
      const worker = new Worker<DeliverJobData>(
        deliveryQueue(channel),
        async (job: Job<DeliverJobData>) => {
          try {
            await this.handlers.deliver(job.data, job.attemptsMade + 1);
          } catch (e) {
            // A refused URL or address fails at once: retrying would not change the answer.
            if ((e as { permanent?: boolean }).permanent) throw new UnrecoverableError((e as Error).message);
            throw e;
          }
        },
        { connection: this.connection, concurrency, prefix: this.options.prefix },
      );
      worker.on('failed', (job, error) => {
        if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError))
          void this.handlers.deliverFailed(job.data, job.attemptsMade, error).catch(() => {});
      });
      worker.on('error', () => {});
      this.workers.push(worker);
    }
    const closer = new Worker<CloseMonthJobData>(MONTH_CLOSE_QUEUE, async (job) => this.handlers.closeMonth(job.data), {
      connection: this.connection,
      concurrency: 1,
      prefix: this.options.prefix,
    });
    closer.on('error', () => {});
    this.workers.push(closer);
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** Queue handles, for inspection (failed jobs) and tests. */
  deliveryQueueFor(channel: (typeof CHANNELS)[number]): Queue {
    return this.queue(deliveryQueue(channel));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
