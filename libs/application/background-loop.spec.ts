import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { BackgroundLoop } from './background-loop.js';

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

  const run = async (options: { pollMs: number; minIntervalMs?: number }) => {
    loop = new BackgroundLoop(async () => {
      starts.push(Date.now() - t0);
    }, options);
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
  };

  test('without a least interval, every wake is served at once', async () => {
    await run({ pollMs: 10_000 });
    for (let i = 1; i <= 3; i++) {
      await jest.advanceTimersByTimeAsync(20);
      loop.wake();
      await jest.advanceTimersByTimeAsync(0);
    }
    expect(starts).toEqual([0, 20, 40, 60]);
  });

  test('wakes within the least interval are served by one run at its end; a wake after a quiet period at once', async () => {
    await run({ pollMs: 10_000, minIntervalMs: 200 });
    expect(starts).toEqual([0]);
    // Five wakes in the first 100 ms (an ingest committing batch after batch): one more run, at 200 ms.
    for (let i = 0; i < 5; i++) {
      await jest.advanceTimersByTimeAsync(20);
      loop.wake();
    }
    await jest.advanceTimersByTimeAsync(99);
    expect(starts).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 200]);
    // Quiet for a second, then one wake: served at once.
    await jest.advanceTimersByTimeAsync(1000);
    loop.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([0, 200, 1200]);
    // With nothing waking it, the poll still comes after pollMs.
    await jest.advanceTimersByTimeAsync(10_000);
    expect(starts).toEqual([0, 200, 1200, 11_200]);
  });

  test('a wake during a run is served after the least interval from that run’s start', async () => {
    let release!: () => void;
    loop = new BackgroundLoop(
      async () => {
        starts.push(Date.now() - t0);
        if (starts.length === 1) await new Promise<void>((r) => (release = r));
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
    await run({ pollMs: 10_000, minIntervalMs: 60_000 });
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
