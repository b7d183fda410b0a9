import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { BackgroundLoop } from './background-loop.js';

/**
 * The loop under fake timers: `applied` says what each run returns (events applied; the last value
 * repeats), `starts` when each run started (ms from the start).
 */
describe('BackgroundLoop', () => {
  let starts: number[];
  let loop: BackgroundLoop;
  const t0 = Date.UTC(2026, 10, 29, 8, 0, 0);

  beforeEach(() => {
    jest.useFakeTimers({ now: t0 });
    starts = [];
  });

  afterEach(async () => {
    await loop.stop();
    jest.useRealTimers();
  });

  const run = async (options: { pollMs: number; minIntervalMs?: number }, applied: number[]) => {
    loop = new BackgroundLoop(async () => {
      starts.push(Date.now() - t0);
      return applied[Math.min(starts.length - 1, applied.length - 1)];
    }, options);
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
  };

  const wakeEvery = async (ms: number, times: number) => {
    for (let i = 0; i < times; i++) {
      await jest.advanceTimersByTimeAsync(ms);
      loop.wake();
    }
  };

  test('without a least interval, every wake is served at once', async () => {
    await run({ pollMs: 10_000 }, [5]);
    await wakeEvery(20, 3);
    await jest.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([0, 20, 40, 60]);
  });

  test('after a run that applied events, wakes within the least interval are served by one run at its end', async () => {
    await run({ pollMs: 10_000, minIntervalMs: 200 }, [2000, 8000, 0]);
    // Five wakes in the first 100 ms (an ingest committing batch after batch): one more run, at 200 ms.
    await wakeEvery(20, 5);
    await jest.advanceTimersByTimeAsync(99);
    expect(starts).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 200]);
    // That run applied events too: a wake right after it waits for 400 ms.
    await wakeEvery(10, 1);
    await jest.advanceTimersByTimeAsync(189);
    expect(starts).toEqual([0, 200]);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 200, 400]);
    // The third found nothing: the next wake is served at once, and so is the one after it.
    await wakeEvery(5, 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([0, 200, 400, 405]);
    await wakeEvery(5, 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([0, 200, 400, 405, 410]);
    // With nothing waking it, the poll still comes after pollMs.
    await jest.advanceTimersByTimeAsync(10_000);
    expect(starts).toEqual([0, 200, 400, 405, 410, 10_410]);
  });

  test('a run that found nothing (the start, a quiet spell) lets the first wake through at once', async () => {
    await run({ pollMs: 10_000, minIntervalMs: 250 }, [0, 3000, 0]);
    await wakeEvery(30, 1); // the first ingest batch after the start
    await jest.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([0, 30]);
    await wakeEvery(30, 2); // more batches: served once, 250 ms after the busy run started
    await jest.advanceTimersByTimeAsync(189);
    expect(starts).toEqual([0, 30]);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 30, 280]);
  });

  test('a wake during a busy run is served the least interval after that run’s start', async () => {
    let release!: () => void;
    loop = new BackgroundLoop(
      async () => {
        starts.push(Date.now() - t0);
        if (starts.length === 1) await new Promise<void>((r) => (release = r));
        return 1;
      },
      { pollMs: 10_000, minIntervalMs: 300 },
    );
    loop.start();
    await jest.advanceTimersByTimeAsync(100);
    loop.wake(); // while the first run is still working
    await jest.advanceTimersByTimeAsync(50);
    release(); // the first run ends at 150 ms
    await jest.advanceTimersByTimeAsync(149);
    expect(starts).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 300]);
  });

  test('stop() ends the wait for the least interval at once', async () => {
    await run({ pollMs: 10_000, minIntervalMs: 60_000 }, [1]);
    loop.wake();
    await jest.advanceTimersByTimeAsync(10);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(true);
    await stopping;
    expect(starts).toEqual([0]);
    expect(loop.isRunning).toBe(false);
  });
});
