import { UnavailableError } from '../common/errors.js';
import { ImportGate } from './import-gate.js';

/** A piece of work that finishes when told to. */
function job<T>(value: T) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  return { run: async () => (await done, value), finish: () => finish() };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('one import at a time', () => {
  test('the others wait in line and run in turn, first come first served', async () => {
    const gate = new ImportGate({ concurrent: 1, queued: 2, waitMs: 60_000 });
    const order: string[] = [];
    const a = job('a');
    const b = job('b');
    const c = job('c');
    const pa = gate.run(async () => (order.push('a'), a.run()));
    const pb = gate.run(async () => (order.push('b'), b.run()));
    const pc = gate.run(async () => (order.push('c'), c.run()));
    await tick();
    expect(order).toEqual(['a']);
    expect(gate.load).toEqual({ running: 1, waiting: 2 });
    a.finish();
    expect(await pa).toBe('a');
    await tick();
    expect(order).toEqual(['a', 'b']);
    b.finish();
    c.finish();
    expect(await Promise.all([pb, pc])).toEqual(['b', 'c']);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  test('a full queue answers 503 (retryable) at once, and a failed import frees its turn', async () => {
    const gate = new ImportGate({ concurrent: 1, queued: 1, waitMs: 60_000 });
    const a = job('a');
    const pa = gate.run(() => a.run());
    const pb = gate.run(async () => {
      throw new Error('bad file');
    });
    const refused = gate.run(async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    await expect(refused).rejects.toMatchObject({ status: 503, retryable: true });
    await expect(refused).rejects.toThrow(/busy with imports: 1 being read and 1 waiting/);
    a.finish();
    await pa;
    await expect(pb).rejects.toThrow('bad file');
    expect(await gate.run(async () => 'next')).toBe('next');
  });

  test('a wait that runs out answers 503 (retryable) and leaves the line', async () => {
    const gate = new ImportGate({ concurrent: 1, queued: 4, waitMs: 20 });
    const a = job('a');
    const pa = gate.run(() => a.run());
    await expect(gate.run(async () => 'late')).rejects.toMatchObject({ status: 503, retryable: true });
    expect(gate.load).toEqual({ running: 1, waiting: 0 });
    a.finish();
    await pa;
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });
});
