/**
 * Moves outbox rows to the job runner. Rows are marked 'enqueued' only after the runner accepted
 * them (in the same transaction that locked them), so a Redis outage leaves them pending and they
 * go out once Redis is back; deterministic job ids make a repeated hand-over a no-op.
 */
import type { DeliveryRepository } from '../persistence/delivery.repository.js';
import { BackgroundLoop } from './background-loop.js';
import type { JobRunner } from './jobs/jobs.js';

export class OutboxRelay {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly runner: JobRunner,
    private readonly options: { pollMs?: number; batch?: number } = {},
  ) {
    this.loop = new BackgroundLoop(() => this.drain(), { pollMs: options.pollMs ?? 2000 });
  }

  get lastError(): Error | null {
    return this.loop.lastError;
  }

  /** Hands every pending row over; returns how many. Throws when the runner refuses (e.g. Redis down). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.repo.relayPending(this.options.batch ?? 200, (items) => this.runner.dispatchDeliveries(items));
      total += n;
      if (n === 0) return total;
    }
  }

  wake(): void {
    this.loop.wake();
  }

  /**
   * Starts the relay loop. In-process runners first take back rows a previous process had accepted
   * but not finished (they are re-sent; the deliveries table stops a second delivery).
   */
  async start(): Promise<void> {
    if (this.loop.isRunning) return;
    if (this.runner.kind === 'in-process') await this.repo.requeue((await this.repo.enqueuedItems()).map((i) => i.jobId));
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
