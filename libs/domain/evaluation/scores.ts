/** Scoring of one criterion: by rule (computed), from AssessmentRecorded (judged) or as the sum of its sub-items. */
import { Decimal, ZERO, fixed2, sum } from '../decimal.js';
import type { ExecutionFacts } from '../execution/facts.js';
import type { EvaluationState } from './evaluation-state.js';
import type { CriterionDef, CriterionHow } from './framework.js';
import { ruleFor } from './rules.js';

export interface CriterionScore {
  id: string;
  name: string;
  weight: string;
  level1: string;
  level2: string;
  how: CriterionHow;
  /** Exact score. */
  score: Decimal;
  /** The score shown to 2 decimals. */
  display: string;
  /** How the score came about, in words (the rule's formula, the judgement's evidence, or the sum of sub-items). */
  basis: string;
  inputs: Record<string, string>;
  /** Judged criteria: the assessor's evidence. */
  evidence?: string;
  /** Ids of the events the score came from. */
  sources: string[];
  /** The score is 0 because an input or a judgement is missing (or is partly so, for a composite). */
  missing: boolean;
  items?: CriterionScore[];
}

export interface ScoringContext {
  facts: ExecutionFacts;
  state: EvaluationState;
}

/** A score in words: exact when it has at most 2 decimals (`4`, `0.5`), else shown to 2 (`4.70`). */
export function scoreText(score: Decimal): string {
  return score.decimalPlaces() <= 2 ? score.toFixed() : fixed2(score);
}

function base(def: CriterionDef) {
  return { id: def.id, name: def.name, weight: def.weight, level1: def.level1, level2: def.level2, how: def.how };
}

function judged(def: CriterionDef, state: EvaluationState): CriterionScore {
  const a = state.assessments.get(def.id);
  if (!a) {
    return {
      ...base(def),
      score: ZERO,
      display: fixed2(ZERO),
      basis: '尚无评定（AssessmentRecorded），暂得0分',
      inputs: {},
      sources: [],
      missing: true,
    };
  }
  const recorded = new Decimal(a.score);
  const score = Decimal.min(new Decimal(def.weight), Decimal.max(ZERO, recorded));
  const clamped = score.eq(recorded)
    ? ''
    : `（评定分 ${a.score} 超出 [0, ${def.weight}]，按 ${scoreText(score)} 分计）`;
  return {
    ...base(def),
    score,
    display: fixed2(score),
    basis: `评定 ${scoreText(score)} 分${clamped}：${a.evidence}`,
    inputs: { score: a.score },
    evidence: a.evidence,
    sources: [a.eventId],
    missing: false,
  };
}

function computed(def: CriterionDef, ctx: ScoringContext): CriterionScore {
  const rule = ruleFor(def.id);
  if (!rule) throw new Error(`no scoring rule is registered for computed criterion "${def.id}" (${def.name})`);
  const r = rule({ facts: ctx.facts, state: ctx.state, criterion: def });
  return {
    ...base(def),
    score: r.score,
    display: fixed2(r.score),
    basis: r.formula,
    inputs: r.inputs,
    sources: r.sources,
    missing: r.missing !== undefined,
  };
}

function composite(def: CriterionDef, ctx: ScoringContext): CriterionScore {
  const items = (def.items ?? []).map((item) => scoreCriterion(item, ctx));
  const score = sum(items.map((i) => i.score));
  return {
    ...base(def),
    score,
    display: fixed2(score),
    basis: `${items.map((i) => `${i.name} ${scoreText(i.score)}`).join(' + ')} = ${scoreText(score)}分`,
    inputs: Object.fromEntries(items.map((i) => [i.id, i.display])),
    sources: [...new Set(items.flatMap((i) => i.sources))],
    missing: items.some((i) => i.missing),
    items,
  };
}

export function scoreCriterion(def: CriterionDef, ctx: ScoringContext): CriterionScore {
  switch (def.how) {
    case 'judged':
      return judged(def, ctx.state);
    case 'computed':
      return computed(def, ctx);
    case 'composite':
      return composite(def, ctx);
  }
}
