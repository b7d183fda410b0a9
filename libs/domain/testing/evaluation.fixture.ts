/**
 * Test support (not production code): event lists for the self-evaluation's final, incomplete and
 * forecast cases, as wire events (ingest them as they are) and dated for the domain (`dated`).
 *
 * - `sampleWire()`: the reference sample, every event as in samples/yantian-emergency-2023.jsonl;
 * - `sampleWithout(...)`: the sample with some events left out (its AssetsReported, an assessment);
 * - `asDepartment(events, id)`: the same events as another department's (to ingest next to the sample);
 * - `sampleWithMidYearReports()`: the sample plus a HeadcountReported and a ProcurementReported
 *   recorded on 2023-07-05, placed before the year-end reports (so the year end is unchanged);
 * - `almostEmptyYear()`: a closed year with almost nothing in it (YearOpened, one unit, two lines,
 *   four spending records, YearClosed): the figures are worked in its comment.
 */
import { readFileSync } from 'node:fs';
import { occurredOnDate } from '../dates.js';
import type { EventInput } from '../events.js';
import type { DatedEvent } from '../execution/facts.js';
import { required } from '../required.js';
import { SAMPLE } from './sample.fixture.js';

/** The sample's events as sent (wire contract v1). */
export function sampleWire(): EventInput[] {
  return readFileSync(SAMPLE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EventInput);
}

/** The events with their record date (occurredOn, Asia/Shanghai), as the domain folds them. */
export function dated(events: readonly EventInput[]): DatedEvent[] {
  return events.map((e) => ({ ...e, occurredOn: required(occurredOnDate(e.occurredAt), `${e.id}'s date`) }));
}

/** The events recorded on or before `date` ("as known on"). */
export function knownOn(events: readonly DatedEvent[], date: string): DatedEvent[] {
  return events.filter((e) => e.occurredOn <= date);
}

/**
 * The sample without the events of `types` and without the AssessmentRecorded of `assessments`
 * (criterion ids). Without AssetsReported and the assessment of decision.goals.clarity (5 of 7),
 * the closed year misses 固定资产利用率 (1 point) and 绩效指标明确性 (7 points).
 */
export function sampleWithout(opts: { types?: readonly string[]; assessments?: readonly string[] }): EventInput[] {
  const types = new Set(opts.types ?? []);
  const assessments = new Set(opts.assessments ?? []);
  return sampleWire().filter(
    (e) => !types.has(e.type) && !(e.type === 'AssessmentRecorded' && assessments.has(e.data.criterion)),
  );
}

/**
 * The events as another department's, to ingest next to the sample: the department replaced, every
 * id prefixed with it (ids are unique across the log), corrections pointing at the renamed records.
 */
export function asDepartment(events: readonly EventInput[], department: string): EventInput[] {
  const rename = (id: string) => {
    const out = `${department}-${id}`;
    if (out.length > 64) throw new Error(`asDepartment: "${out}" is longer than an id may be`);
    return out;
  };
  return events.map((e) =>
    e.type === 'SpendingCorrected'
      ? { ...e, department, id: rename(e.id), data: { ...e.data, corrects: rename(e.data.corrects) } }
      : { ...e, department, id: rename(e.id) },
  );
}

/** A HeadcountReported and a ProcurementReported recorded on 2023-07-05 (as of 2023-06-30). */
export function midYearReports(): EventInput[] {
  const base = { department: 'yantian-emergency', year: 2023, occurredAt: '2023-07-05' } as const;
  return [
    {
      ...base,
      id: 'fx-midyear-headcount',
      type: 'HeadcountReported',
      // The year-end figures: 23 / 25 = 92% → 1; 71 / 94 = 75.53% → 0.
      data: { asOf: '2023-06-30', authorized: 25, onStaff: 23, directHires: 21, dispatched: 50, retired: 2 },
    },
    {
      ...base,
      id: 'fx-midyear-procurement',
      type: 'ProcurementReported',
      // 3,250,000.00 / 6,500,000.00 = 50% → 0.5, policy 1: 1.5.
      data: { planned: '6500000.00', actual: '3250000.00', policyCompliant: true },
    },
  ];
}

/**
 * The sample with the mid-year reports placed before its year-end reports (stream order decides
 * which report is the latest: the year-end ones still win, the year end is unchanged).
 */
export function sampleWithMidYearReports(): EventInput[] {
  const sample = sampleWire();
  const at = sample.findIndex((e) => e.type === 'HeadcountReported');
  if (at < 0) throw new Error('the sample has no HeadcountReported');
  return [...sample.slice(0, at), ...midYearReports(), ...sample.slice(at)];
}

export const ALMOST_EMPTY = { department: 'almost-empty', year: 2024 } as const;

/**
 * A closed year with almost nothing (like a department that only loaded its ledger): YearOpened,
 * one unit, a fiscal line of 1,000,000.00 (economic `other`, so no 公用经费 budget) and an other-source
 * line, spending 200,000 (March), 200,000 (June), 300,000 (September), 250,000 (December), YearClosed.
 *
 * 预算执行率: Q1 20% / 25 = 0.8, Q2 40% / 50 = 0.8, Q3 70% / 75 = 0.9333…, Q4 95% / 100 = 0.95;
 * average (20 + 40 + 70 + 95) / 4 = 56.25% × 2 = 1.125; score 4.608333… (max 6 − 4.608333… open: 0).
 * 资金调整: no adjustment, 0% ≤ 10% → 1. Every other criterion misses its input or judgement (21 of
 * the 23 criteria and sub-items): min 5.608333… (5.61), max 100 − 6 + 4.608333… = 98.608333… (98.61).
 */
export function almostEmptyYear(): EventInput[] {
  const { department, year } = ALMOST_EMPTY;
  let n = 0;
  const ev = (type: EventInput['type'], occurredAt: string, data: Record<string, unknown>) =>
    ({ id: `fx-empty-${String(++n).padStart(2, '0')}`, type, department, year, occurredAt, data }) as EventInput;
  const spend = (month: number, amount: string) =>
    ev('SpendingRecorded', `${year}-${String(month + 1).padStart(2, '0')}-05`, {
      line: 'ops',
      source: 'fiscal',
      month: `${year}-${String(month).padStart(2, '0')}`,
      amount,
    });
  return [
    ev('YearOpened', `${year}-01-02`, { departmentName: '几乎空白的部门' }),
    ev('UnitRegistered', `${year}-01-02`, { unit: 'office', name: '办公室' }),
    ev('BudgetAllocated', `${year}-01-05`, {
      line: 'ops',
      unit: 'office',
      name: '日常运转',
      category: 'basic',
      economic: 'other',
      source: 'fiscal',
      amount: '1000000.00',
    }),
    ev('BudgetAllocated', `${year}-01-05`, {
      line: 'ops-other',
      unit: 'office',
      name: '日常运转（其他资金）',
      category: 'basic',
      economic: 'other',
      source: 'other',
      amount: '100000.00',
    }),
    spend(3, '200000.00'),
    spend(6, '200000.00'),
    spend(9, '300000.00'),
    ev('SpendingRecorded', `${year}-12-28`, {
      line: 'ops',
      source: 'fiscal',
      month: `${year}-12`,
      amount: '250000.00',
    }),
    ev('YearClosed', `${year + 1}-01-31`, {}),
  ];
}
