/** Indicator attainment (年度绩效指标完成情况) and the effect-score suggestion drawn from it. */
import { Decimal, fixed2 } from '../decimal.js';
import type { EvaluationState, IndicatorState } from './evaluation-state.js';
import type { FrameworkDef } from './framework.js';
import { IndicatorError, judgeIndicator, parseTarget } from './indicators.js';

export type IndicatorStatus = 'met' | 'not_met' | 'not_applicable' | 'not_reported' | 'invalid';

export interface IndicatorResult {
  indicator: string;
  level1: string;
  level2: string;
  name: string;
  target: string;
  actual: string | null;
  met?: boolean;
  status: IndicatorStatus;
  /** Why the indicator could not be judged (status 'invalid'). */
  problem?: string;
  sources: string[];
}

export interface IndicatorAttainment {
  indicators: IndicatorResult[];
  defined: number;
  /** Defined and not 不适用 (unreported and unreadable ones count as applicable, not met). */
  applicable: number;
  met: number;
}

export interface EffectSuggestion {
  criterion: string;
  weight: string;
  score: Decimal | null;
  display: string | null;
  formula: string;
}

function resultOf(i: IndicatorState): IndicatorResult {
  const base = { indicator: i.indicator, level1: i.level1, level2: i.level2, name: i.name, target: i.target };
  const sources = i.report ? [i.definedBy, i.report.eventId] : [i.definedBy];
  const met = i.report?.met;
  try {
    if (!i.report) {
      const status = parseTarget(i.target).kind === 'not_applicable' ? 'not_applicable' : 'not_reported';
      return { ...base, actual: null, status, sources };
    }
    const status = judgeIndicator(i.target, i.report.actual, met);
    return { ...base, actual: i.report.actual, ...(met === undefined ? {} : { met }), status, sources };
  } catch (e) {
    if (!(e instanceof IndicatorError)) throw e;
    return { ...base, actual: i.report?.actual ?? null, status: 'invalid', problem: e.message, sources };
  }
}

export function indicatorAttainment(state: EvaluationState): IndicatorAttainment {
  const indicators = [...state.indicators.values()].map(resultOf);
  return {
    indicators,
    defined: indicators.length,
    applicable: indicators.filter((i) => i.status !== 'not_applicable').length,
    met: indicators.filter((i) => i.status === 'met').length,
  };
}

/** weight × met / applicable for the framework's indicator criterion (e.g. 25 × 11 / 12 = 22.92). */
export function effectSuggestion(framework: FrameworkDef, attainment: IndicatorAttainment): EffectSuggestion | null {
  const id = framework.indicatorCriterion;
  const def = id ? framework.criteria.find((c) => c.id === id) : undefined;
  if (!def) return null;
  const { met, applicable } = attainment;
  if (applicable === 0) {
    return {
      criterion: def.id,
      weight: def.weight,
      score: null,
      display: null,
      formula: '尚无适用的绩效指标，无法给出建议分',
    };
  }
  const score = new Decimal(def.weight).times(met).div(applicable);
  return {
    criterion: def.id,
    weight: def.weight,
    score,
    display: fixed2(score),
    formula: `${def.name}建议分 = ${def.weight} × 达成指标 ${met} / 适用指标 ${applicable} = ${fixed2(score)}分`,
  };
}
