import { streamId } from '#domain/events.js';
import { decide, evolve, initialStreamState, type StreamState } from '#domain/stream.js';
import { validateEvent } from '#domain/validation.js';
import {
  countEvents,
  generateEvents,
  generateNdjson,
  monitoringEventsPerDepartment,
  type GenerateOptions,
  type WireEvent,
} from './generate.js';

const PLAIN: GenerateOptions = { departments: 3, units: 4, lines: 3, seed: 11 };
const MONITORED: GenerateOptions = { ...PLAIN, monitoring: { projects: 5, indicators: 4 } };

function countByType(events: Iterable<WireEvent>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
}

describe('bench data generator with monitoring events (contract v1.1)', () => {
  it('adds the structural count of monitoring events and leaves every other event as it was', () => {
    const plain = [...generateEvents(PLAIN)];
    const monitored = [...generateEvents(MONITORED)];
    expect(monitored.length).toBe(countEvents(MONITORED));
    expect(monitored.length - plain.length).toBe(3 * monitoringEventsPerDepartment(MONITORED.monitoring!));
    const added = new Set([
      'TaskPlanned',
      'IndicatorDefined',
      'IndicatorProgressReported',
      'DeviationExplained',
      'CorrectiveActionReported',
    ]);
    const kept = monitored
      .filter((e) => !added.has(e.type) || e.id.split('-')[3]!.startsWith('8'))
      .map((e) => (e.type === 'BudgetAllocated' ? { ...e, data: { ...e.data, task: undefined } } : e));
    expect(JSON.stringify(kept)).toBe(
      JSON.stringify(
        plain.map((e) => (e.type === 'BudgetAllocated' ? { ...e, data: { ...e.data, task: undefined } } : e)),
      ),
    );
    const types = countByType(monitored);
    expect(types.IndicatorProgressReported).toBe(3 * 5 * 4 * 12);
    expect(monitored.filter((e) => e.type === 'BudgetAllocated' && e.data.task !== undefined).length).toBeGreaterThan(
      0,
    );
  });

  it.each(['stream', 'month'] as const)(
    'produces events that pass validateEvent and the stream rules (%s order), ids unique',
    (order) => {
      const states = new Map<string, StreamState>();
      const ids = new Set<string>();
      for (const e of generateEvents({ ...MONITORED, order })) {
        const r = validateEvent(JSON.parse(JSON.stringify(e)));
        if (!r.ok) throw new Error(`${e.type} ${e.id}: ${JSON.stringify(r.errors)}`);
        expect(ids.has(e.id)).toBe(false);
        ids.add(e.id);
        const s = streamId(e.department, e.year);
        const state = states.get(s) ?? states.set(s, initialStreamState()).get(s)!;
        const refused = decide(state, r.event);
        if (refused.length) throw new Error(`${e.type} ${e.id}: ${JSON.stringify(refused)}`);
        evolve(state, r.event);
      }
      expect(states.size).toBe(MONITORED.departments);
      for (const state of states.values()) expect(state.closed).toBe(true);
    },
  );

  it('is deterministic and slices like the plain generator', () => {
    const whole = [...generateNdjson(MONITORED)];
    expect([...generateNdjson(MONITORED)]).toEqual(whole);
    const sliced = [0, 1, 2].flatMap((d) => [...generateNdjson({ ...MONITORED, from: d, to: d + 1 })]);
    expect(sliced).toEqual(whole);
  });
});
