/**
 * Per-stream async mutexes inside one process. A batch decides its events against the cached
 * write model and evolves it before the database has committed them; a second batch of the same
 * stream must not decide on that uncommitted state, so it waits until the first is done (and, on
 * failure, has dropped the state). Batches of different streams run in parallel.
 *
 * `acquire` takes a batch's streams one by one in sorted order, so two batches sharing streams
 * cannot wait on each other in a cycle; each stream's waiters are served first come, first served.
 */
export class StreamLocks {
  /** Per stream, the promise the next acquirer waits for (resolved when the current holder releases). */
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits until every stream is free and holds them; call the returned function to release them all. */
  async acquire(streams: Iterable<string>): Promise<() => void> {
    const sorted = [...new Set(streams)].sort();
    const releases: (() => void)[] = [];
    for (const stream of sorted) releases.push(await this.acquireOne(stream));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const r of releases) r();
    };
  }

  /** Streams currently held or waited for (for tests: 0 when idle). */
  get busy(): number {
    return this.tails.size;
  }

  private async acquireOne(stream: string): Promise<() => void> {
    const previous = this.tails.get(stream);
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(stream, done);
    if (previous) await previous;
    return () => {
      // The last holder in line leaves no entry behind.
      if (this.tails.get(stream) === done) this.tails.delete(stream);
      release();
    };
  }
}
