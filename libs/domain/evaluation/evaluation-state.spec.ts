import { readFileSync } from 'node:fs';
import { occurredOnDate } from '../dates.js';
import type { EventDataByType, EventInput, EventType } from '../events.js';
import type { DatedEvent } from '../execution/facts.js';
import { generateEvents } from '#bench/generate.js';
import {
  evaluationStateFromEvents,
  evolveEvaluation,
  initialEvaluationState,
  type EvaluationState,
} from './evaluation-state.js';

import { SAMPLE } from '../testing/sample.fixture.js';
const sample: DatedEvent[] = readFileSync(SAMPLE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as EventInput)
  .map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt)! }));

/** Folding one event at a time with evolveEvaluation: the definition the linear fold must match. */
function stepwise(events: DatedEvent[]): EvaluationState {
  return events.reduce(evolveEvaluation, initialEvaluationState());
}

/** States compared by value, Maps as entry lists in insertion order (the order sources are listed in). */
const json = (s: EvaluationState) => JSON.stringify(s, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));

function generated(opts: { units: number; lines: number; seed: number }): DatedEvent[] {
  return [...generateEvents({ departments: 1, ...opts })].map((e) => ({
    ...(e as unknown as DatedEvent),
    occurredOn: occurredOnDate(e.occurredAt)!,
  }));
}

let seq = 0;
function ev<T extends EventType>(type: T, data: EventDataByType[T], occurredAt = '2023-12-31'): DatedEvent {
  seq += 1;
  return {
    id: `s${seq}`,
    type,
    department: 'test',
    year: 2023,
    occurredAt,
    occurredOn: occurredAt,
    data,
  } as DatedEvent;
}

describe('evolveEvaluation on the sample', () => {
  const state = evaluationStateFromEvents(sample);

  test('collects tasks, indicators and reports with their event ids', () => {
    expect(state.tasks.size).toBe(7);
    const hazard = state.tasks.get('kw-hazard')!;
    expect(hazard).toMatchObject({
      kind: 'key_work',
      due: '2023-12-31',
      completedOn: '2023-12-25',
      plannedBy: 'f1bd07e5-c1f7-1875-9530-1a1ca8ebc214',
    });
    expect(hazard.completedBy).toBe('c1164b37-c90c-839e-3b41-2c9be0398b80');
    expect(state.indicators.size).toBe(15);
    expect(state.indicators.get('cost-exec')!.report).toMatchObject({
      actual: '94.5%',
      eventId: '22cadd1b-f995-7df8-7287-fc444f5f0883',
    });
    expect(state.headcount?.value).toMatchObject({ authorized: 25, onStaff: 23, directHires: 21, dispatched: 50 });
    expect(state.headcount?.eventId).toBe('a3e78564-89b6-5b70-c6f8-b16588359ad2');
    expect(state.procurement?.value.policyCompliant).toBe(true);
    expect(state.satisfaction?.value.rate).toBe('90');
    expect(state.petitions?.value.received).toBe(36);
    expect(state.disclosure?.value).toEqual({ budget: 'on_time', finalAccounts: 'on_time' });
    expect(state.assets?.value.total).toBe('3860000.00');
    expect(state.assessments.size).toBe(11);
    expect(state.submission).toMatchObject({
      total: '95.7',
      grade: '优',
      eventId: '3971c0f3-36bb-b175-81e9-54e300ca6813',
    });
    expect(state.openedBy).toBe('525c7624-d737-979e-5338-642ee70138e4');
  });

  test('places a spending correction on the corrected record’s line', () => {
    expect(state.lineEvents.get('safety')!.spending).toContain('dd514433-7c68-f415-d5c8-a03f83f21924');
    expect(state.lineEvents.get('staff-pers')!.budget).toEqual([
      'b604693d-c403-daf1-a622-94deefed3798',
      '5f96312b-0da0-85ca-b4f3-b30b9e85d991',
    ]);
  });
});

describe('evaluationStateFromEvents (linear fold)', () => {
  test('equals folding the sample with evolveEvaluation', () => {
    expect(json(evaluationStateFromEvents(sample))).toBe(json(stepwise(sample)));
  });

  test.each([
    { units: 3, lines: 2, seed: 1 },
    { units: 5, lines: 4, seed: 7 },
    { units: 20, lines: 2, seed: 42 },
  ])('equals folding a generated stream with evolveEvaluation ($units units × $lines lines, seed $seed)', (opts) => {
    const events = generated(opts);
    expect(events.filter((e) => e.type === 'SpendingCorrected').length).toBeGreaterThan(0);
    expect(json(evaluationStateFromEvents(events))).toBe(json(stepwise(events)));
  });

  test('equals the stepwise fold after every prefix (also with corrections of unknown records and late reports)', () => {
    const events = [
      ...generated({ units: 2, lines: 2, seed: 3 }).slice(0, 120),
      ev('SpendingCorrected', { corrects: 'no-such-record', amount: '-1.00', reason: 'x' }),
      ev('IndicatorReported', { indicator: 'missing', actual: '1', asOf: '2023-12-31' }),
    ];
    for (let n = 0; n <= events.length; n += 7)
      expect(json(evaluationStateFromEvents(events.slice(0, n)))).toBe(json(stepwise(events.slice(0, n))));
  });

  test('a step after the fold leaves the folded state untouched', () => {
    const events = generated({ units: 2, lines: 2, seed: 5 });
    const folded = evaluationStateFromEvents(events);
    const before = json(folded);
    const record = events.find((e) => e.type === 'SpendingRecorded')!;
    const next = evolveEvaluation(
      folded,
      ev('SpendingRecorded', { ...(record.data as { line: string; source: 'fiscal'; month: string; amount: string }) }),
    );
    evolveEvaluation(
      next,
      ev('BudgetAdjusted', {
        line: (record.data as { line: string }).line,
        source: 'fiscal',
        amount: '5.00',
        effectiveOn: '2023-07-01',
        reason: 'r',
      }),
    );
    expect(json(folded)).toBe(before);
    expect(next.lineEvents.get((record.data as { line: string }).line)!.spending.length).toBe(
      folded.lineEvents.get((record.data as { line: string }).line)!.spending.length + 1,
    );
  });
});

describe('evolveEvaluation', () => {
  test('returns a new state and leaves the old one untouched', () => {
    const s0 = initialEvaluationState();
    const s1 = evolveEvaluation(
      s0,
      ev('TaskPlanned', { task: 't', unit: 'u', kind: 'project', title: 'T', due: '2023-06-30' }),
    );
    const s2 = evolveEvaluation(s1, ev('TaskCompleted', { task: 't', completedOn: '2023-06-01' }));
    expect(s0.tasks.size).toBe(0);
    expect(s1.tasks.get('t')!.completedOn).toBeNull();
    expect(s2.tasks.get('t')!.completedOn).toBe('2023-06-01');
  });

  test('the latest report, assessment and submission win', () => {
    const events = [
      ev('AssessmentRecorded', { criterion: 'management.rules', score: '2', evidence: 'a' }),
      ev('AssessmentRecorded', { criterion: 'management.rules', score: '3', evidence: 'b' }),
      ev('SatisfactionMeasured', { rate: '80', method: 'm1' }),
      ev('SatisfactionMeasured', { rate: '96', method: 'm2' }),
      ev('SelfEvaluationSubmitted', { scores: {}, total: '90', grade: '优' }),
      ev('SelfEvaluationSubmitted', { scores: {}, total: '85', grade: '良' }),
    ];
    const s = evaluationStateFromEvents(events);
    expect(s.assessments.get('management.rules')).toMatchObject({ score: '3', evidence: 'b', eventId: events[1]!.id });
    expect(s.satisfaction).toMatchObject({ value: { rate: '96' }, eventId: events[3]!.id });
    expect(s.submission).toMatchObject({ total: '85', eventId: events[5]!.id });
  });

  test('a report for an unknown indicator or task is ignored; a redefinition keeps the report', () => {
    const def = ev('IndicatorDefined', { indicator: 'i', level1: 'a', level2: 'b', name: 'n', target: '≥1个' });
    const s = evaluationStateFromEvents([
      ev('IndicatorReported', { indicator: 'x', actual: '1个', asOf: '2023-12-31' }),
      ev('TaskCompleted', { task: 'x', completedOn: '2023-12-31' }),
      def,
      ev('IndicatorReported', { indicator: 'i', actual: '2个', asOf: '2023-12-31', met: true }),
      ev('IndicatorDefined', { indicator: 'i', level1: 'a', level2: 'b', name: 'n', target: '≥2个' }),
    ]);
    expect([...s.indicators.keys()]).toEqual(['i']);
    expect(s.indicators.get('i')).toMatchObject({ target: '≥2个', report: { actual: '2个', met: true } });
    expect(s.tasks.size).toBe(0);
  });
});
