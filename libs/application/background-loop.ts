/**
 * Runs `work` again and again in the background: immediately when woken, otherwise every
 * `pollMs` (and every `errorPollMs` after a failure, keeping the error for status reports).
 */
export class BackgroundLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  lastError: Error | null = null;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly options: { pollMs: number; errorPollMs?: number },
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
        try {
          await this.work();
          this.lastError = null;
        } catch (e) {
          this.lastError = e as Error;
        }
        if (!this.running) break;
        if (this.pendingWake && !this.lastError) continue;
        const wait = this.lastError ? Math.max(this.options.pollMs, this.options.errorPollMs ?? 2000) : this.options.pollMs;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
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
