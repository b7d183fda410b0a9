/**
 * Runs `work` again and again in the background: immediately when woken, otherwise every
 * `pollMs` (and every `errorPollMs` after a failure, keeping the error for status reports).
 *
 * With `minIntervalMs`, runs start at least that long apart even when woken sooner: wakes that
 * arrive meanwhile are served by one later run. A projector woken by every committed ingest batch
 * then reads what several batches wrote in one go instead of each on its own (fewer, larger
 * batches: each touched read-model row is rewritten once per run, not once per ingest batch). The
 * first wake after a quiet period is served at once.
 */
export class BackgroundLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  lastError: Error | null = null;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly options: { pollMs: number; errorPollMs?: number; minIntervalMs?: number },
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.pendingWake = false;
        const started = Date.now();
        try {
          await this.work();
          this.lastError = null;
        } catch (e) {
          this.lastError = e as Error;
        }
        if (!this.running) break;
        if (!(this.pendingWake && !this.lastError)) {
          const wait = this.lastError ? Math.max(this.options.pollMs, this.options.errorPollMs ?? 2000) : this.options.pollMs;
          await this.sleep(wait, true);
        }
        // Woken (or polled) sooner than minIntervalMs after the last run started: wait out the rest.
        const rest = started + (this.options.minIntervalMs ?? 0) - Date.now();
        if (rest > 0 && this.running) await this.sleep(rest, false);
      }
    })();
  }

  /** Waits `ms`; wake() ends the wait early when `wakeable`, stop() always does. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = wakeable
        ? done
        : () => {
            if (!this.running) done();
          };
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
  }
}
