import { streamId } from '#domain/events.js';
import { decide, evolve, initialStreamState, type StreamState } from '#domain/stream.js';
import { validateEvent } from '#domain/validation.js';
import { existsSync } from 'node:fs';
import {
  countEvents,
  generateEvents,
  generateNdjson,
  ndjsonBodies,
  splitDepartments,
  type GenerateOptions,
  type WireEvent,
} from './generate.js';

const SMALL: GenerateOptions = { departments: 4, units: 3, lines: 2, seed: 7 };

function take<T>(it: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of it) {
    if (out.length >= n) break;
    out.push(x);
  }
  return out;
}

function countByType(events: Iterable<WireEvent>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
}

describe('bench data generator', () => {
  it('is deterministic: same seed, same first events and same counts', () => {
    expect(take(generateNdjson(SMALL), 50)).toEqual(take(generateNdjson(SMALL), 50));
    expect(countByType(generateEvents(SMALL))).toEqual(countByType(generateEvents(SMALL)));
    expect([...generateEvents(SMALL)].length).toBe(countEvents(SMALL));
  });

  it('prepares request bodies of the batch size holding exactly the generated lines, in order', async () => {
    const lines = [...generateNdjson(SMALL)];
    const prepared = await ndjsonBodies(SMALL, 100);
    const bodies: string[] = [];
    for (let i = prepared.count - 1; i >= 0; i--) bodies.unshift((await prepared.read(i)).toString('utf8')); // any order of reads
    await prepared.close();
    expect(prepared.count).toBe(Math.ceil(lines.length / 100));
    expect(bodies.map((b) => b.split('\n').length)).toEqual([
      ...Array(prepared.count - 1).fill(100),
      lines.length - 100 * (prepared.count - 1),
    ]);
    expect(bodies.join('\n')).toBe(lines.join('\n'));
  });

  it('removes the prepared bodies file on close', async () => {
    const prepared = await ndjsonBodies(SMALL, 1000);
    expect(existsSync(prepared.file)).toBe(true);
    await prepared.close();
    expect(existsSync(prepared.file)).toBe(false);
    await expect(prepared.read(0)).rejects.toThrow();
  });

  it('changes with the seed, not with the slicing or the order', () => {
    expect(take(generateNdjson({ ...SMALL, seed: 8 }), 5)).not.toEqual(take(generateNdjson(SMALL), 5));
    const whole = [...generateNdjson(SMALL)];
    const sliced = splitDepartments(SMALL.departments, 3).flatMap((r) => [...generateNdjson({ ...SMALL, ...r })]);
    expect(sliced).toEqual(whole);
    const byMonth = [...generateNdjson({ ...SMALL, order: 'month' })];
    expect([...byMonth].sort()).toEqual([...whole].sort());
    expect(byMonth).not.toEqual(whole);
  });

  it('yields the structural count, with every event type the issue asks for', () => {
    const types = countByType(generateEvents(SMALL));
    const perDept = { units: 3, lines: 6 };
    expect(types.YearOpened).toBe(4);
    expect(types.UnitRegistered).toBe(4 * perDept.units);
    expect(types.BudgetAllocated).toBe(4 * perDept.lines);
    expect(types.SpendingRecorded).toBe(4 * perDept.lines * 12);
    expect(types.SpendingPlanned).toBe(4 * perDept.units * 12);
    expect(types.SpendingCorrected).toBeGreaterThan(0);
    expect(types.BudgetAdjusted).toBeGreaterThan(0);
    expect(countEvents({ departments: 1000, units: 20, lines: 42 })).toBeGreaterThan(10_000_000);
  });

  it.each(['stream', 'month'] as const)(
    'produces events that pass validateEvent and the stream rules (%s order)',
    (order) => {
      const states = new Map<string, StreamState>();
      const ids = new Set<string>();
      for (const e of generateEvents({ ...SMALL, order })) {
        const r = validateEvent(JSON.parse(JSON.stringify(e)));
        if (!r.ok) throw new Error(`${e.type} ${e.id}: ${JSON.stringify(r.errors)}`);
        expect(ids.has(e.id)).toBe(false);
        ids.add(e.id);
        const s = streamId(e.department, e.year);
        const state = states.get(s) ?? states.set(s, initialStreamState()).get(s)!;
        expect(decide(state, r.event)).toEqual([]);
        evolve(state, r.event);
      }
      expect(states.size).toBe(SMALL.departments);
      for (const state of states.values()) expect(state.closed).toBe(true);
    },
  );

  it('generates lazily: the first event of a 10M-event city costs no more than a small run', () => {
    const it = generateEvents({ departments: 1000, units: 20, lines: 42 });
    const first = it.next();
    expect(first.done).toBe(false);
    expect(first.value.type).toBe('YearOpened');
  });
});
