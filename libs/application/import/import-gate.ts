/**
 * One import at a time per API process: reading a workbook takes up to about 300 MB at the bounds of
 * IMPORT_LIMITS, so imports run one after another. Others wait their turn in a short queue (first
 * come, first served) for a bounded time; when the queue is full, or the wait runs out, the upload is
 * answered 503 with `retryable: true` and nothing is read or stored.
 */
import { UnavailableError } from '../common/errors.js';
import { count, IMPORT_LIMITS } from './limits.js';

export interface GateLimits {
  /** Imports running at once. */
  concurrent: number;
  /** Imports that may wait for a turn. */
  queued: number;
  /** How long one waits at most (ms). */
  waitMs: number;
}

export const DEFAULT_GATE: GateLimits = {
  concurrent: IMPORT_LIMITS.concurrentImports,
  queued: IMPORT_LIMITS.queuedImports,
  waitMs: IMPORT_LIMITS.queueWaitMs,
};

interface Waiter {
  go(): void;
  timer: ReturnType<typeof setTimeout>;
}

export class ImportGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: GateLimits = DEFAULT_GATE) {}

  /** Imports running now and waiting (for tests and logs). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `work` in its turn; 503 (retryable) when the queue is full or the turn does not come in time. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private turn(): Promise<void> {
    if (this.running < this.limits.concurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.queued)
      return Promise.reject(
        new UnavailableError(
          `the server is busy with imports: ${count(this.limits.concurrent)} being read and ${count(this.waiting.length)} waiting ` +
            `(an API process reads ${count(this.limits.concurrent)} import at a time and queues ${count(this.limits.queued)}); nothing was read, retry in a few seconds`,
        ),
      );
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        go: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(
            new UnavailableError(
              `the import waited ${count(this.limits.waitMs / 1000)} s for its turn (an API process reads ${count(this.limits.concurrent)} import at a time); nothing was read, retry in a few seconds`,
            ),
          );
        }, this.limits.waitMs),
      };
      waiter.timer.unref?.();
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The turn passes straight to the next in line: the running count stays.
    if (next) next.go();
    else this.running--;
  }
}
