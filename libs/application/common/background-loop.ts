/**
 * Runs `work` again and again in the background: immediately when woken, otherwise every
 * `pollMs` (and every `errorPollMs` after a failure, keeping the error for status reports).
 *
 * With `minIntervalMs`, a run that did something (`work` resolved to a number above 0, or to true)
 * is followed by the next one no sooner than that long after it started, even when woken sooner:
 * wakes that arrive meanwhile are served by one later run. A projector woken by every committed
 * ingest batch then reads what several batches wrote in one go instead of each on its own (fewer,
 * larger batches: each touched read-model row is rewritten once per run, not once per ingest
 * batch). After a run that found nothing to do, the next wake is served at once.
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
        let busy = false;
        try {
          const result = await this.work();
          busy = result === true || (typeof result === 'number' && result > 0);
          this.lastError = null;
        } catch (e) {
          this.lastError = e as Error;
        }
        if (!this.running) break;
        if (!this.pendingWake || this.lastError) {
          const wait = this.lastError
            ? Math.max(this.options.pollMs, this.options.errorPollMs ?? 2000)
            : this.options.pollMs;
          await this.sleep(wait, true);
        }
        // Woken (or polled) sooner than minIntervalMs after a busy run started: wait out the rest.
        const rest = busy ? started + (this.options.minIntervalMs ?? 0) - Date.now() : 0;
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
