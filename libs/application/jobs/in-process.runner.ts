/**
 * Jobs in this process (no Redis): the same handlers, the same attempts and exponential backoff.
 * Work survives a restart through the outbox: rows stay 'enqueued' until delivered or failed and
 * are handed back on start (the deliveries table keeps a job id from being delivered twice).
 */
import type { OutboxItem } from '#persistence/delivery.repository.js';
import { deliverData, type CloseMonthJobData, type JobHandlers, type JobRunner, type RetryPolicy } from './jobs.js';

export class InProcessRunner implements JobRunner {
  readonly kind = 'in-process' as const;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly active = new Set<string>();
  private closing = false;

  constructor(
    private readonly handlers: JobHandlers,
    private readonly retry: RetryPolicy,
  ) {}

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  async dispatchDeliveries(items: OutboxItem[]): Promise<void> {
    if (this.closing) throw new Error('the job runner is shutting down');
    for (const item of items) {
      if (this.active.has(item.jobId)) continue; // same job id already running here
      this.active.add(item.jobId);
      this.track(this.runDelivery(item).finally(() => this.active.delete(item.jobId)));
    }
  }

  private async runDelivery(item: OutboxItem): Promise<void> {
    const data = deliverData(item);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handlers.deliver(data, attempt);
        return;
      } catch (e) {
        // A refused URL or address (permanent) fails at once: retrying would not change the answer.
        const last = attempt >= this.retry.attempts || (e as { permanent?: boolean }).permanent === true;
        if (last || this.closing) {
          if (last) await this.handlers.deliverFailed(data, attempt, e as Error).catch(() => {});
          return;
        }
        await new Promise((r) => setTimeout(r, this.retry.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }

  async lost(items: OutboxItem[]): Promise<string[]> {
    return items.filter((i) => !this.active.has(i.jobId)).map((i) => i.jobId);
  }

  async enqueueCloseMonth(job: CloseMonthJobData): Promise<void> {
    const run = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.handlers.closeMonth(job);
        } catch (e) {
          if (attempt >= this.retry.attempts || this.closing) throw e;
          await new Promise((r) => setTimeout(r, this.retry.backoffMs * 2 ** (attempt - 1)));
        }
      }
    };
    this.track(run().catch(() => {}));
  }

  async startWorkers(): Promise<void> {}

  /** Resolves when nothing is running (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.idle();
  }
}
