import { readFileSync } from 'node:fs';
import { occurredOnDate } from '../dates.js';
import { Decimal, fixed2 } from '../decimal.js';
import type { EventInput } from '../events.js';
import { factsFromEvents, type DatedEvent } from '../execution/facts.js';
import { evaluationStateFromEvents } from './evaluation-state.js';
import { evaluate, gradeFor, type Evaluation } from './evaluate.js';
import { DEFAULT_FRAMEWORK } from './framework.js';
import { agrees } from './reconcile.js';
import type { CriterionScore } from './scores.js';

import { SAMPLE } from '../testing/sample.fixture.js';
const sample: DatedEvent[] = readFileSync(SAMPLE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as EventInput)
  .map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt)! }));

function evaluateEvents(events: DatedEvent[]): Evaluation {
  return evaluate({
    framework: DEFAULT_FRAMEWORK,
    facts: factsFromEvents(events),
    state: evaluationStateFromEvents(events),
  });
}

function criterion(e: Evaluation, id: string): CriterionScore {
  const found =
    e.criteria.find((c) => c.id === id) ?? e.criteria.flatMap((c) => c.items ?? []).find((c) => c.id === id);
  if (!found) throw new Error(`no criterion ${id}`);
  return found;
}

describe('the sample stream (yantian-emergency 2023)', () => {
  const e = evaluateEvents(sample);

  test('total, grade and subtotals', () => {
    expect(e.totalDisplay).toBe('91.70');
    expect(e.total.toFixed(6)).toBe('91.703417');
    expect(e.grade).toBe('优');
    expect(e.level1.map((g) => [g.id, g.display])).toEqual([
      ['decision', '18.00'],
      ['management', '19.00'],
      ['performance', '54.70'],
    ]);
    expect(Object.fromEntries(e.level2.map((g) => [g.id, g.display]))).toEqual({
      'decision.budget': '10.00',
      'decision.goals': '8.00',
      'management.funds': '8.00',
      'management.projects': '4.00',
      'management.assets': '3.00',
      'management.staff': '1.00',
      'management.rules': '3.00',
      'performance.economy': '4.00',
      'performance.efficiency': '18.70',
      'performance.effect': '25.00',
      'performance.fairness': '7.00',
    });
    const sumOfCriteria = e.criteria.reduce((s, c) => s.plus(c.score), new Decimal(0));
    expect(e.total.eq(sumOfCriteria)).toBe(true);
    expect(e.criteria).toHaveLength(21);
    expect(e.status).toBe('final');
    expect([e.range.min.eq(e.total), e.range.max.eq(e.total), e.grades]).toEqual([true, true, ['优']]);
  });

  test('预算执行率: terms 0.834, 0.7984, 0.9815, 0.9451, average part 1.1445, criterion 4.70', () => {
    const c = criterion(e, 'performance.efficiency.execution');
    expect(c.inputs).toMatchObject({
      q1Rate: '20.85',
      q2Rate: '39.92',
      q3Rate: '73.61',
      q4Rate: '94.51',
      q1Term: '0.834',
      q2Term: '0.7984',
      q3Term: '0.9815',
      q4Term: '0.9451',
      averageRate: '57.2225',
      averagePart: '1.1445',
    });
    // 0.834 + 0.7984 + 73.61/75 + 0.9451 + 57.2225 × 2 / 100, exactly
    const exact = new Decimal('0.834').plus('0.7984').plus(new Decimal('73.61').div(75)).plus('0.9451').plus('1.14445');
    expect(c.score.eq(exact)).toBe(true);
    expect(c.score.toFixed(6)).toBe('4.703417');
    expect(c.display).toBe('4.70');
    expect(c.sources).toContain('525c7624-d737-979e-5338-642ee70138e4');
  });

  test('公用经费控制率: 三公 → 2, 日常公用 99.99% → 2, criterion 4', () => {
    const c = criterion(e, 'performance.economy.public_funds');
    expect(c.display).toBe('4.00');
    expect(c.inputs).toMatchObject({
      threePublicSpent: '503975.70',
      threePublicBudget: '504000.00',
      routinePublicSpent: '1263391.60',
      routinePublicBudget: '1263507.00',
      routinePublicRate: '99.99',
    });
    // 503,975.70 / 504,000.00 = 99.99518 %: half-up to 0.01 pp that is 100.00 (the printed sheet truncates to 99.99);
    // both lie in 90–100 % and score 2.
    expect(c.inputs.threePublicRate).toBe('100.00');
    expect(c.basis).toContain(
      '→ 2分；日常公用经费控制率 = 实际支出 1,263,391.60 / 预算 1,263,507.00 = 99.99% 在90%–100%之间 → 2分',
    );
  });

  test('编外人员控制率 71/94 = 75.53% → 0; 资金调整 7.75% → 1', () => {
    const contract = criterion(e, 'management.staff.contract');
    expect(contract.inputs).toMatchObject({ external: '71', total: '94', rate: '75.53' });
    expect(contract.display).toBe('0.00');
    const adjustment = criterion(e, 'management.funds.compliance.adjustment');
    expect(adjustment.inputs).toMatchObject({ adjusted: '4095000.00', initialBudget: '52858098.65', rate: '7.75' });
    expect(adjustment.basis).toContain('4,095,000.00');
    expect(adjustment.basis).toContain('52,858,098.65 = 7.75% ≤ 10% → 1分');
    expect(adjustment.display).toBe('1.00');
    expect(adjustment.sources).toHaveLength(13);
  });

  test('the composite 财务合规性 lists its three sub-items', () => {
    const c = criterion(e, 'management.funds.compliance');
    expect(c.items!.map((i) => [i.id, i.how, i.display])).toEqual([
      ['management.funds.compliance.spending', 'judged', '1.00'],
      ['management.funds.compliance.adjustment', 'computed', '1.00'],
      ['management.funds.compliance.accounting', 'judged', '1.00'],
    ]);
    expect(c.display).toBe('3.00');
  });

  test('judged criteria carry evidence and the event they came from', () => {
    const c = criterion(e, 'decision.goals.clarity');
    expect(c.display).toBe('5.00');
    expect(c.evidence).toBe('绩效指标细化可衡量，部分目标值测算依据不足');
    expect(c.sources).toEqual(['cc6e365c-7bc2-5786-52e5-bc2922fd5c84']);
    expect(e.criteria.every((x) => !x.missing)).toBe(true);
  });

  test('computed criteria from reports', () => {
    const displays = Object.fromEntries(e.criteria.map((c) => [c.id, c.display]));
    expect(displays).toMatchObject({
      'management.funds.procurement': '2.00',
      'management.funds.disclosure': '3.00',
      'management.assets.utilization': '1.00',
      'management.staff.funded': '1.00',
      'performance.efficiency.key_work': '8.00',
      'performance.efficiency.timeliness': '6.00',
      'performance.fairness.petitions': '3.00',
      'performance.fairness.satisfaction': '4.00',
    });
  });

  test('indicators: 15 defined, 12 applicable, 11 met; suggestion 22.92', () => {
    expect([e.indicators.defined, e.indicators.applicable, e.indicators.met]).toEqual([15, 12, 11]);
    const status = Object.fromEntries(e.indicators.indicators.map((i) => [i.indicator, i.status]));
    expect(status['cost-exec']).toBe('not_met');
    expect(status['out-chem-firms']).toBe('met');
    expect(status['time-geo']).toBe('met');
    expect(status['out-inspections']).toBe('met');
    expect(status['sat-public']).toBe('met');
    expect(status['eff-social']).toBe('met');
    expect(e.indicators.indicators.filter((i) => i.status === 'not_applicable').map((i) => i.indicator)).toEqual([
      'eff-economic',
      'eff-sustain',
      'eff-eco',
    ]);
    expect(e.effectSuggestion!.display).toBe('22.92');
    expect(e.effectSuggestion!.score!.eq(new Decimal(25).times(11).div(12))).toBe(true);
    expect(e.effectSuggestion!.formula).toContain('25 × 达成指标 11 / 适用指标 12 = 22.92分');
  });

  test('reconciliation: exactly two score findings and the total', () => {
    const r = e.reconciliation!;
    expect(r.findings.map((f) => [f.criterion, f.kind, f.submitted, f.computed])).toEqual([
      ['decision.goals.completeness', 'exceeds_weight', '5', '3.00'],
      ['performance.fairness.satisfaction', 'differs', '6', '4.00'],
    ]);
    expect(r.findings[0]!.reason).toContain('超过该指标分值 3 分');
    expect(r.findings[1]!.reason).toBe(
      '自评 6 分，但按规则应得 4 分：满意度 90%（区直各部门和群众问卷）在90%–95%之间 → 4分',
    );
    expect(r).toMatchObject({
      submittedTotal: '95.7',
      sumOfSubmitted: '95.7',
      computedTotal: '91.70',
      submittedGrade: '优',
      computedGrade: '优',
    });
    expect(r.totalFindings.map((f) => [f.kind, f.submitted, f.expected])).toEqual([
      ['total_vs_computed', '95.7', '91.70'],
    ]);
    expect(r.totalFindings[0]!.reason).toContain('91.70');
  });
});

describe('a running evaluation before year end', () => {
  const known = sample.filter((ev) => ev.occurredOn <= '2023-09-30');
  const e = evaluate({
    framework: DEFAULT_FRAMEWORK,
    facts: factsFromEvents(known),
    state: evaluationStateFromEvents(known),
    asOf: '2023-09-30',
  });

  test('scores what is known and says what is not yet due or missing (forecast.spec.ts has the figures)', () => {
    expect(e.status).toBe('forecast');
    expect(e.reconciliation).toBeNull();
    const judged = criterion(e, 'decision.budget.rationality');
    expect([judged.display, judged.missing, judged.notDue]).toEqual(['0.00', false, true]);
    expect(judged.basis).toContain('尚未到期');
    const satisfaction = criterion(e, 'performance.fairness.satisfaction');
    expect([satisfaction.display, satisfaction.notDue]).toEqual(['0.00', true]);
    expect(satisfaction.basis).toContain('SatisfactionMeasured');
    expect(criterion(e, 'management.funds.compliance').notDue).toBe(true);
    expect(criterion(e, 'performance.efficiency.execution').inputs.q2Rate).toBe('39.92');
    expect(e.indicators).toMatchObject({ defined: 15, applicable: 12, met: 0 });
    expect(e.indicators.indicators.find((i) => i.indicator === 'cost-exec')!.status).toBe('not_reported');
    expect(e.grade).toBeNull();
    expect(e.grades).toEqual(['差', '中', '良', '优']);
  });
});

describe('reconciliation details', () => {
  const base = sample.filter((ev) => ev.type !== 'SelfEvaluationSubmitted');
  const submitted = sample.find((ev) => ev.type === 'SelfEvaluationSubmitted')!;
  const withSheet = (scores: Record<string, string>, total: string, grade: '优' | '良' | '中' | '差') =>
    evaluateEvents([...base, { ...submitted, data: { scores, total, grade } } as DatedEvent]).reconciliation!;

  test('missing, unknown and sub-item scores; total and grade checks', () => {
    const r = withSheet(
      {
        'decision.budget.rationality': '5',
        'management.funds.compliance.spending': '1',
        'management.funds.compliance.adjustment': '0.5',
        'management.funds.compliance.accounting': '1',
        'x.unknown': '1',
      },
      '9',
      '良',
    );
    const kinds = r.findings.map((f) => `${f.criterion}:${f.kind}`);
    expect(kinds).toContain('management.funds.compliance.adjustment:differs');
    expect(kinds).toContain('x.unknown:unknown_criterion');
    expect(kinds).toContain('decision.goals.clarity:not_submitted');
    expect(kinds).not.toContain('management.funds.compliance:not_submitted');
    expect(r.findings.filter((f) => f.kind === 'not_submitted')).toHaveLength(19);
    expect(r.sumOfSubmitted).toBe('7.5');
    expect(r.totalFindings.map((f) => f.kind)).toEqual([
      'total_vs_sum',
      'total_vs_computed',
      'grade_vs_total',
      'grade_vs_computed',
    ]);
  });

  test('agreement at the submitted precision or at 2 decimals', () => {
    const computed = new Decimal('4.703416666');
    expect(agrees('4.7', computed)).toBe(true);
    expect(agrees('4.70', computed)).toBe(true);
    expect(agrees('4.703', computed)).toBe(true);
    expect(agrees('4.71', computed)).toBe(false);
    expect(agrees('5', computed)).toBe(false);
    expect(agrees('4', new Decimal(4))).toBe(true);
    expect(agrees('6', new Decimal(4))).toBe(false);
    expect(fixed2(computed)).toBe('4.70');
  });
});

describe('gradeFor', () => {
  test.each([
    ['90', '优'],
    ['89.99', '良'],
    ['80', '良'],
    ['79.99', '中'],
    ['60', '中'],
    ['59.99', '差'],
    ['0', '差'],
  ])('%s → %s', (total, grade) => {
    expect(gradeFor(DEFAULT_FRAMEWORK, new Decimal(total))).toBe(grade);
  });
});
