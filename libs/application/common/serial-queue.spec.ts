import { serialQueue } from './serial-queue.js';

test('tasks run one at a time, in order, failures included', async () => {
  const queue = serialQueue();
  const log: string[] = [];
  let running = 0;
  const task =
    (name: string, ms: number, fail = false) =>
    async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
  const results = await Promise.allSettled([queue(task('a', 20)), queue(task('b', 1, true)), queue(task('c', 5))]);
  expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
    'a',
    'b',
    'c',
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});
