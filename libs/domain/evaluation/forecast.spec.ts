/**
 * Final, incomplete and forecast: what a total is before every input is in. Figures worked by hand
 * from the sample (docs/framework.md, "Forecast and final") and the fixtures of
 * libs/domain/testing/evaluation.fixture.ts.
 */
import { Decimal } from '../decimal.js';
import type { DatedEvent } from '../execution/facts.js';
import { factsFromEvents } from '../execution/facts.js';
import {
  almostEmptyYear,
  dated,
  knownOn,
  sampleWire,
  sampleWithMidYearReports,
  sampleWithout,
} from '../testing/evaluation.fixture.js';
import { evaluationStateFromEvents } from './evaluation-state.js';
import { evaluate, gradesBetween, type Evaluation } from './evaluate.js';
import { DEFAULT_FRAMEWORK, criteriaById, type FrameworkDef } from './framework.js';
import { midYearOf } from './rules.js';
import type { CriterionScore } from './scores.js';

const sample = dated(sampleWire());

function run(events: DatedEvent[], asOf?: string): Evaluation {
  return evaluate({
    framework: DEFAULT_FRAMEWORK,
    facts: factsFromEvents(events),
    state: evaluationStateFromEvents(events),
    ...(asOf ? { asOf } : {}),
  });
}

/** The sample as known on `date`, evaluated as of that date. */
const asKnownOn = (date: string, events = sample) => run(knownOn(events, date), date);

function criterion(e: Evaluation, id: string): CriterionScore {
  const found = e.criteria.flatMap((c) => [c, ...(c.items ?? [])]).find((c) => c.id === id);
  if (!found) throw new Error(`no criterion ${id}`);
  return found;
}

/** [score, max] of a criterion, exact. */
const span = (e: Evaluation, id: string) => [criterion(e, id).score.toFixed(), criterion(e, id).max.toFixed()];

/** The judged criteria and sub-items of the framework (11), not yet due before the year is closed. */
const JUDGED = [...criteriaById(DEFAULT_FRAMEWORK).values()].filter((c) => c.how === 'judged').map((c) => c.id);

describe('the sample year end: final, as before', () => {
  const e = run(sample);
  test('final 91.70 优, one figure, nothing missing or not yet due', () => {
    expect(e.status).toBe('final');
    expect(e.asOf).toBeNull();
    expect(e.totalDisplay).toBe('91.70');
    expect(e.range.min.eq(e.total)).toBe(true);
    expect(e.range.max.eq(e.total)).toBe(true);
    expect([e.grade, e.grades]).toEqual(['优', ['优']]);
    expect([e.missing, e.notDue]).toEqual([[], []]);
    for (const c of e.criteria.flatMap((x) => [x, ...(x.items ?? [])])) {
      expect(c.max.eq(c.score)).toBe(true);
      expect([c.missing, c.notDue, c.pending]).toEqual([false, false, null]);
    }
  });
  test('the reconciliation is as before (the computed grade decided)', () => {
    expect(e.reconciliation).toMatchObject({
      computedTotal: '91.70',
      computedMax: '91.70',
      computedGrade: '优',
      computedGrades: ['优'],
    });
    expect(e.reconciliation!.totalFindings.map((f) => f.kind)).toEqual(['total_vs_computed']);
  });
  test('mid-year reports placed before the year-end ones leave the year end unchanged', () => {
    expect(run(dated(sampleWithMidYearReports())).total.eq(e.total)).toBe(true);
  });
});

describe('a closed year with inputs missing is incomplete', () => {
  test('without AssetsReported and the assessment of 绩效指标明确性: 85.70—93.70, 良—优, no grade', () => {
    const e = run(dated(sampleWithout({ types: ['AssetsReported'], assessments: ['decision.goals.clarity'] })));
    expect(e.status).toBe('incomplete');
    const total = new Decimal('91.703416666666666666666666666666666666667');
    // min: 固定资产利用率 (1) and 绩效指标明确性 (assessed 5) count 0: 91.7034166… − 1 − 5 = 85.7034166…
    expect(e.range.min.eq(total.minus(6))).toBe(true);
    // max: both at their full weight: 85.7034166… + 1 + 7 = 93.7034166…
    expect(e.range.max.eq(total.plus(2))).toBe(true);
    expect([e.range.min.toFixed(2), e.range.max.toFixed(2)]).toEqual(['85.70', '93.70']);
    expect([e.grade, e.grades]).toEqual([null, ['良', '优']]);
    expect(e.missing.map((m) => [m.criterion, m.reason])).toEqual([
      ['decision.goals.clarity', '尚未评定（AssessmentRecorded）'],
      ['management.assets.utilization', '缺少：资产报告（AssetsReported）'],
    ]);
    expect(e.notDue).toEqual([]);
    expect(span(e, 'decision.goals.clarity')).toEqual(['0', '7']);
    expect(criterion(e, 'decision.goals.clarity').basis).toBe('尚无评定（AssessmentRecorded），暂得0分');
    // The submitted 95.7 优 is above the most the year can reach; 优 is still possible.
    expect(e.reconciliation!.totalFindings.map((f) => [f.kind, f.expected])).toEqual([
      ['total_vs_computed', '85.70—93.70'],
    ]);
    expect(e.reconciliation).toMatchObject({ computedGrade: null, computedGrades: ['良', '优'], computedMax: '93.70' });
  });

  test('without AssetsReported only: 90.70—91.70, the grade 优 is decided but the result is incomplete', () => {
    const e = run(dated(sampleWithout({ types: ['AssetsReported'] })));
    expect(e.status).toBe('incomplete');
    expect([e.range.min.toFixed(4), e.range.max.toFixed(4)]).toEqual(['90.7034', '91.7034']);
    expect([e.grade, e.grades]).toEqual(['优', ['优']]);
    expect(e.missing.map((m) => m.criterion)).toEqual(['management.assets.utilization']);
  });

  test('a closed year with almost nothing: 5.61—98.61, no grade, 21 of 23 criteria and sub-items missing', () => {
    const e = run(dated(almostEmptyYear()));
    expect(e.status).toBe('incomplete');
    // 预算执行率 0.8 + 0.8 + 70/75 + 0.95 + 56.25% × 2 = 1.125 → 4.608333…; 资金调整 1.
    const execution = new Decimal('0.8').plus('0.8').plus(new Decimal(70).div(75)).plus('0.95').plus('1.125');
    expect(criterion(e, 'performance.efficiency.execution').score.eq(execution)).toBe(true);
    expect(e.range.min.eq(execution.plus(1))).toBe(true);
    // Everything else at its full weight: 100 − 6 + 4.608333… (预算执行率 is decided).
    expect(e.range.max.eq(execution.plus(94))).toBe(true);
    expect([e.range.min.toFixed(2), e.range.max.toFixed(2)]).toEqual(['5.61', '98.61']);
    expect([e.grade, e.grades]).toEqual([null, ['差', '中', '良', '优']]);
    expect(e.missing).toHaveLength(21);
    // 公用经费控制率 has no 公用经费 budget at all: both parts missing, 0 of at most 6.
    expect(span(e, 'performance.economy.public_funds')).toEqual(['0', '6']);
    expect(criterion(e, 'performance.economy.public_funds').pending).toContain('routine_public');
  });
});

describe('the sample as known on 2023-06-30: a forecast of the figures so far', () => {
  const e = asKnownOn('2023-06-30');

  test('status, evaluation date and the range 2.74—98.74 without a grade', () => {
    expect(e.status).toBe('forecast');
    expect(e.asOf).toBe('2023-06-30');
    // min: 预算执行率 1.73875 + 资金调整 1; max: every other criterion at its weight, 100 − 6 + 4.73875.
    expect([e.range.min.toFixed(), e.range.max.toFixed()]).toEqual(['2.73875', '98.73875']);
    expect(e.total.eq(e.range.min)).toBe(true);
    expect([e.grade, e.grades]).toEqual([null, ['差', '中', '良', '优']]);
  });

  test('预算执行率: two quarters reached; the average part scaled by 2/4; 1.5 open per quarter not reached', () => {
    const c = criterion(e, 'performance.efficiency.execution');
    // Q1 10,958,822.27 / 52,560,298.65 = 20.85% → 0.834; Q2 16,828,305.07 / 52,560,298.65 = 32.02%
    // (June's spending is recorded on 07-05) → 0.6404; average (20.85 + 32.02) / 2 = 26.435% × 2 × 2/4 = 0.26435.
    expect(c.inputs).toEqual({
      q1Rate: '20.85',
      q1Schedule: '25',
      q1Term: '0.834',
      q2Rate: '32.02',
      q2Schedule: '50',
      q2Term: '0.6404',
      quartersReached: '2',
      averageRate: '26.435',
      averagePart: '0.2644',
    });
    expect(c.score.toFixed()).toBe('1.73875');
    expect(c.max.toFixed()).toBe('4.73875'); // + 2 × 1.5
    expect([c.notDue, c.missing, c.pending]).toEqual([true, false, '尚未到期：三季度、四季度尚未到季末']);
    expect(c.basis).toContain('已到季末的 2 个季度平均执行率 (20.85% + 32.02%) / 2 = 26.435%，× 2分 × 2/4 ≈ 0.2644');
    expect(c.basis).toContain('最高 4.74分');
  });

  test('资金调整 so far: no adjustment yet, 0% → 1, decided', () => {
    expect(span(e, 'management.funds.compliance.adjustment')).toEqual(['1', '1']);
    expect(criterion(e, 'management.funds.compliance.adjustment').inputs.adjustments).toBe('0');
  });

  test('not yet due: 公用经费控制率, tasks not past due, yearly reports, every judged criterion', () => {
    const publicFunds = criterion(e, 'performance.economy.public_funds');
    expect([publicFunds.score.toFixed(), publicFunds.max.toFixed(), publicFunds.notDue]).toEqual(['0', '6', true]);
    expect(publicFunds.basis).toContain('按全年数据计算，年度结束（2023-12-31）后计分');
    expect(span(e, 'performance.efficiency.key_work')).toEqual(['0', '8']);
    expect(criterion(e, 'performance.efficiency.key_work').basis).toContain('尚未到期 4 项');
    expect(span(e, 'performance.efficiency.timeliness')).toEqual(['0', '6']);
    for (const id of [
      'performance.fairness.satisfaction',
      'performance.fairness.petitions',
      'management.funds.disclosure',
    ])
      expect([criterion(e, id).notDue, criterion(e, id).missing]).toEqual([true, false]);
    expect(criterion(e, 'performance.fairness.satisfaction').pending).toBe(
      '尚未到期：待满意度调查结果（SatisfactionMeasured）',
    );
    for (const id of JUDGED) {
      const c = criterion(e, id);
      expect([c.score.toFixed(), c.max.toFixed(), c.notDue, c.missing]).toEqual(['0', c.weight, true, false]);
      expect(c.pending).toBe('尚未到期：年度结束后评定（AssessmentRecorded）');
    }
    // 18 not yet due: 11 judged, 预决算公开, 公用经费, 预算执行率 (partly), 重点工作, 项目完成及时性, 信访, 满意度.
    expect(e.notDue).toHaveLength(18);
  });

  test('missing: staffing, procurement and assets are meaningful mid-year but not reported yet', () => {
    expect(e.missing.map((m) => [m.criterion, m.reason])).toEqual([
      ['management.funds.procurement', '缺少：政府采购执行情况（ProcurementReported）'],
      ['management.assets.utilization', '缺少：资产报告（AssetsReported）'],
      ['management.staff.funded', '缺少：人员情况报告（HeadcountReported）'],
      ['management.staff.contract', '缺少：人员情况报告（HeadcountReported）'],
    ]);
  });
});

describe('the sample as known on 2023-09-30', () => {
  const e = asKnownOn('2023-09-30');

  test('预算执行率 with three quarters: 3.01975, at most 4.51975', () => {
    const c = criterion(e, 'performance.efficiency.execution');
    // Q1 0.834; Q2 20,982,071.22 / 52,560,298.65 = 39.92% → 0.7984; Q3 28,644,056.65 / 48,465,298.65 = 59.10%
    // (September's spending is recorded on 10-05; the budget lowered on 07-15) → 0.788;
    // average part (20.85 + 39.92 + 59.10) / 200 = 0.59935 (the average 39.9567% × 2 × 3/4).
    expect(c.inputs).toMatchObject({
      q2Rate: '39.92',
      q3Rate: '59.10',
      q3Term: '0.788',
      quartersReached: '3',
      averageRate: '39.9567',
      averagePart: '0.5994',
    });
    expect([c.score.toFixed(), c.max.toFixed()]).toEqual(['3.01975', '4.51975']);
    expect(c.inputs.q4Rate).toBeUndefined();
  });

  test('资金调整 so far: the four July adjustments, 7.75% → 1', () => {
    const c = criterion(e, 'management.funds.compliance.adjustment');
    expect(c.inputs).toMatchObject({ adjusted: '4095000.00', rate: '7.75' });
    expect(span(e, 'management.funds.compliance.adjustment')).toEqual(['1', '1']);
  });

  test('range 4.02—98.52: 预算执行率 3.01975 + 资金调整 1; max 100 − 6 + 4.51975', () => {
    expect([e.range.min.toFixed(), e.range.max.toFixed()]).toEqual(['4.01975', '98.51975']);
    expect(e.grade).toBeNull();
  });

  test('with staffing and procurement reported mid-year they count: 6.52—97.02', () => {
    const m = asKnownOn('2023-09-30', dated(sampleWithMidYearReports()));
    expect(span(m, 'management.staff.funded')).toEqual(['1', '1']); // 23 / 25 = 92% ≤ 100%
    expect(span(m, 'management.staff.contract')).toEqual(['0', '0']); // 71 / 94 = 75.53% > 10%
    expect(span(m, 'management.funds.procurement')).toEqual(['1.5', '1.5']); // 50% × 1 + policy 1
    // min 4.01975 + 1 + 0 + 1.5; max 98.51975 − 1 (编外 decided at 0) − 0.5 (采购 decided at 1.5)
    expect([m.range.min.toFixed(), m.range.max.toFixed()]).toEqual(['6.51975', '97.01975']);
    expect(m.missing.map((x) => x.criterion)).toEqual(['management.assets.utilization']);
  });
});

describe('late in the year and after it', () => {
  test('as known on 2023-12-31: every quarter reached, 公用经费 due, tasks decided', () => {
    const e = asKnownOn('2023-12-31');
    expect(e.status).toBe('forecast');
    // December's spending is recorded on 2024-01-05: Q4 84.40%, 公用经费 both 91.66% → 2 + 2.
    expect(criterion(e, 'performance.efficiency.execution').inputs.q4Rate).toBe('84.40');
    expect(span(e, 'performance.economy.public_funds')).toEqual(['4', '4']);
    expect(span(e, 'performance.efficiency.key_work')).toEqual(['8', '8']);
    expect(span(e, 'performance.efficiency.timeliness')).toEqual(['6', '6']);
    // Only the 11 judged criteria are open.
    expect(e.notDue.map((n) => n.criterion).sort()).toEqual([...JUDGED].sort());
  });

  test('as known on 2024-01-20: every input in, not closed: a forecast whose range decides 优', () => {
    const e = asKnownOn('2024-01-20');
    expect(e.status).toBe('forecast');
    expect(e.range.min.eq(e.range.max)).toBe(true);
    expect(e.totalDisplay).toBe('91.70');
    expect([e.grade, e.grades]).toEqual(['优', ['优']]);
  });
});

describe('grades and mid-year behaviour as data', () => {
  test('gradesBetween: the bands a range touches, lowest first', () => {
    const g = (min: string, max: string) => gradesBetween(DEFAULT_FRAMEWORK, new Decimal(min), new Decimal(max));
    expect(g('91.7', '91.7')).toEqual(['优']);
    expect(g('89.99', '90')).toEqual(['良', '优']);
    expect(g('59.99', '80')).toEqual(['差', '中', '良']);
    expect(g('60', '79.99')).toEqual(['中']);
  });

  test('each rule says what its criterion means mid-year; judged ones wait for their assessment', () => {
    const of = (id: string) => midYearOf(criteriaById(DEFAULT_FRAMEWORK).get(id)!);
    expect(of('performance.economy.public_funds')).toBe('year_end');
    expect(of('performance.efficiency.execution')).toBe('so_far');
    expect(of('management.staff.contract')).toBe('so_far');
    expect(of('performance.fairness.satisfaction')).toBe('on_report');
    expect(of('decision.budget.rationality')).toBe('on_report');
  });

  test('a framework may say otherwise: 公用经费控制率 scored on the figures so far', () => {
    const framework: FrameworkDef = {
      ...DEFAULT_FRAMEWORK,
      criteria: DEFAULT_FRAMEWORK.criteria.map((c) =>
        c.id === 'performance.economy.public_funds' ? { ...c, midYear: 'so_far' } : c,
      ),
    };
    const events = knownOn(sample, '2023-09-30');
    const e = evaluate({
      framework,
      facts: factsFromEvents(events),
      state: evaluationStateFromEvents(events),
      asOf: '2023-09-30',
    });
    // The figures so far are below 90% of the year's budget: the misleading 3 + 3 of a mid-year ratio.
    expect(span(e, 'performance.economy.public_funds')).toEqual(['6', '6']);
  });
});
