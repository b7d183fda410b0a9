/**
 * Follows the event log and keeps the execution read model. Each batch of events is applied and
 * the checkpoint saved in one transaction, so a crash resumes exactly after the last committed
 * batch (no double counting); several projector processes serialize on the checkpoint row.
 */
import { factsOf, type DatedEvent } from '../domain/execution/facts.js';
import type { StoredEvent } from '../domain/events.js';
import type { EventsRepository } from '../persistence/events.repository.js';
import type { ExecutionRepository, PositionedDelta } from '../persistence/execution.repository.js';
import { BackgroundLoop } from './background-loop.js';
import { UnavailableError } from './errors.js';

export const EXECUTION_PROJECTION = 'execution';

export interface ProjectorStatus {
  name: string;
  position: number;
  processed: number;
  headPosition: number;
  /** Events in the log not yet applied (by position; an estimate while writers are running). */
  behind: number;
  running: boolean;
}

export class ExecutionProjector {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly events: EventsRepository,
    private readonly repo: ExecutionRepository,
    private readonly options: { batchSize?: number; pollMs?: number } = {},
  ) {
    this.loop = new BackgroundLoop(() => this.catchUp(), { pollMs: options.pollMs ?? 1000 });
  }

  get lastError(): Error | null {
    return this.loop.lastError;
  }

  /** Applies the next batch; returns how many events it applied (0: caught up). */
  async step(): Promise<number> {
    const batchSize = this.options.batchSize ?? 2000;
    return this.repo.transaction(async (trx) => {
      const cp = await this.repo.lockCheckpoint(trx, EXECUTION_PROJECTION);
      const batch = await this.events.readAll(cp, batchSize, trx);
      if (batch.length === 0) return 0;
      const corrected = batch.filter((e) => e.type === 'SpendingCorrected').map((e) => (e.data as { corrects: string }).corrects);
      const known = await this.repo.lookupRecords(trx, corrected);
      const deltas: PositionedDelta[] = [];
      for (const e of batch) {
        for (const delta of factsOf(e as DatedEvent, (id) => known.get(id))) {
          if (delta.kind === 'spending' && delta.recordId) known.set(delta.recordId, { line: delta.fact.line, month: delta.fact.month });
          deltas.push({ stream: e.stream, position: e.position, delta });
        }
      }
      await this.repo.write(trx, deltas);
      const versions = new Map<string, number>();
      for (const e of batch) versions.set(e.stream, Math.max(versions.get(e.stream) ?? 0, e.version));
      await this.repo.markProjected(trx, versions);
      const last = batch[batch.length - 1] as StoredEvent;
      await this.repo.saveCheckpoint(trx, EXECUTION_PROJECTION, { transactionId: last.transactionId, position: last.position }, cp.processed + batch.length);
      return batch.length;
    });
  }

  /**
   * Catches up until the projection holds `version` of `stream` (every event committed before the
   * caller looked). Catch-up reads wait for older transactions anywhere on the server, so this
   * retries briefly; past `timeoutMs` it fails with a retryable error.
   */
  async catchUpStream(stream: string, version: number, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      await this.catchUp();
      if ((await this.repo.projectedVersion(stream)) >= version) return;
      if (Date.now() > until) throw new UnavailableError(`the execution projection has not caught up with ${stream} version ${version} within ${timeoutMs} ms; retry shortly`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async catchUp(onProgress?: (processed: number) => void): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      if (n === 0) return total;
      total += n;
      onProgress?.(total);
    }
  }

  /** Empties the read model and replays the whole log. */
  async rebuild(onProgress?: (processed: number) => void): Promise<number> {
    await this.repo.transaction((trx) => this.repo.reset(trx, EXECUTION_PROJECTION));
    return this.catchUp(onProgress);
  }

  async status(): Promise<ProjectorStatus> {
    const [cp, head] = await Promise.all([this.repo.checkpoint(EXECUTION_PROJECTION), this.events.lastPosition()]);
    const total = await this.events.count();
    const processed = cp?.processed ?? 0;
    return { name: EXECUTION_PROJECTION, position: cp?.position ?? 0, processed, headPosition: head, behind: Math.max(0, total - processed), running: this.loop.isRunning };
  }

  /** Signals new events (called after ingest commits). */
  wake(): void {
    this.loop.wake();
  }

  /** Runs in the background until stop(): catches up, then waits for wake() or the poll interval. */
  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
