import { StreamLocks } from './stream-locks.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('StreamLocks', () => {
  test('holders of one stream run one at a time, in arrival order', async () => {
    const locks = new StreamLocks();
    const log: string[] = [];
    const run = async (name: string, streams: string[], hold: number) => {
      const release = await locks.acquire(streams);
      log.push(`${name}+`);
      for (let i = 0; i < hold; i++) await tick();
      log.push(`${name}-`);
      release();
    };
    await Promise.all([run('a', ['s1'], 3), run('b', ['s1'], 1), run('c', ['s1'], 1)]);
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(locks.busy).toBe(0);
  });

  test('different streams run in parallel', async () => {
    const locks = new StreamLocks();
    const log: string[] = [];
    const run = async (name: string, stream: string) => {
      const release = await locks.acquire([stream]);
      log.push(`${name}+`);
      await tick();
      log.push(`${name}-`);
      release();
    };
    await Promise.all([run('a', 's1'), run('b', 's2')]);
    expect(log.slice(0, 2).sort()).toEqual(['a+', 'b+']);
  });

  test('batches over several streams in opposite orders do not deadlock', async () => {
    const locks = new StreamLocks();
    let done = 0;
    const run = async (streams: string[]) => {
      for (let i = 0; i < 50; i++) {
        const release = await locks.acquire(streams);
        await tick();
        release();
      }
      done++;
    };
    await Promise.all([run(['a', 'b', 'c']), run(['c', 'b', 'a']), run(['b', 'a']), run(['c'])]);
    expect(done).toBe(4);
    expect(locks.busy).toBe(0);
  });

  test('release is idempotent and a released stream is free again', async () => {
    const locks = new StreamLocks();
    const r1 = await locks.acquire(['s', 's']);
    r1();
    r1();
    const r2 = await locks.acquire(['s']);
    r2();
    expect(locks.busy).toBe(0);
  });
});
