/**
 * Moves outbox rows to the job runner. Rows are marked 'enqueued' only after the runner accepted
 * them (in the same transaction that locked them), so a Redis outage leaves them pending and they
 * go out once Redis is back; deterministic job ids make a repeated hand-over a no-op.
 */
import type { DeliveryRepository } from '../persistence/delivery.repository.js';
import type { JobRunner } from './jobs/jobs.js';

export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  lastError: Error | null = null;

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly runner: JobRunner,
    private readonly options: { pollMs?: number; batch?: number } = {},
  ) {}

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
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /**
   * Starts the relay loop. In-process runners first take back rows a previous process had accepted
   * but not finished (they are re-sent; the deliveries table stops a second delivery).
   */
  async start(): Promise<void> {
    if (this.running) return;
    if (this.runner.kind === 'in-process') await this.repo.requeue((await this.repo.enqueuedItems()).map((i) => i.jobId));
    this.running = true;
    const pollMs = this.options.pollMs ?? 2000;
    this.loop = (async () => {
      while (this.running) {
        this.pendingWake = false;
        try {
          await this.drain();
          this.lastError = null;
        } catch (e) {
          this.lastError = e as Error;
        }
        if (!this.running) break;
        if (this.pendingWake && !this.lastError) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
  }
}
