/**
 * Moves outbox rows to the job runner. Rows are marked 'enqueued' only after the runner accepted
 * them (in the same transaction that locked them), so a Redis outage leaves them pending and they
 * go out once Redis is back; deterministic job ids make a repeated hand-over a no-op.
 */
import type { DeliveryRepository } from '#persistence/delivery.repository.js';
import { BackgroundLoop } from '../common/background-loop.js';
import type { JobRunner } from './jobs.js';

export class OutboxRelay {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly runner: JobRunner,
    private readonly options: {
      pollMs?: number;
      batch?: number;
      reconcileEveryMs?: number;
      reconcileAfterMs?: number;
    } = {},
  ) {
    this.loop = new BackgroundLoop(() => this.drain(), { pollMs: options.pollMs ?? 2000 });
    this.reconciler = new BackgroundLoop(() => this.reconcile(), { pollMs: options.reconcileEveryMs ?? 60_000 });
  }

  private readonly reconciler: BackgroundLoop;

  get lastError(): Error | null {
    return this.loop.lastError;
  }

  /**
   * Puts back to pending the rows handed over at least `olderThanMs` ago that the runner no longer
   * holds (Redis restarted without its data): they are sent again, once (deliveries table).
   */
  async reconcile(olderThanMs = this.options.reconcileAfterMs ?? 120_000): Promise<number> {
    const items = await this.repo.enqueuedItems(1000, olderThanMs);
    if (items.length === 0) return 0;
    const lost = await this.runner.lost(items);
    if (lost.length === 0) return 0;
    const n = await this.repo.requeue(lost);
    if (n > 0) this.wake();
    return n;
  }

  /** Hands every pending row over; returns how many. Throws when the runner refuses (e.g. Redis down). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.repo.relayPending(this.options.batch ?? 200, (items) =>
        this.runner.dispatchDeliveries(items),
      );
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
    if (this.runner.kind === 'in-process')
      await this.repo.requeue((await this.repo.enqueuedItems()).map((i) => i.jobId));
    this.loop.start();
    if (this.runner.kind === 'bullmq') this.reconciler.start();
  }

  async stop(): Promise<void> {
    await this.reconciler.stop();
    await this.loop.stop();
  }
}
