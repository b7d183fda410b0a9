/**
 * Completion ratio (完成率) of a numeric performance target from an in-year actual (MONITORING.md
 * "Projects"): for an at-least target (`≥5000亩`, a bare `72家`, `>90%`, `=100%`) actual ÷ target;
 * for an at-most target (`≤5%`, `30天内`, `<3次`) 100% when the actual meets it, else target ÷
 * actual; capped at 100%, never below 0, rounded half-up to 0.01 percentage point. Null when the
 * target is qualitative, 不适用 or unreadable, the actual has no number, or their units or periods
 * differ (the same comparability rules as the year-end judgement, evaluation/indicators.ts).
 * Pure: numbers are compared as Decimal.
 */
import { Decimal, HUNDRED, ZERO, roundRate } from '../decimal.js';
import {
  canonicalUnit,
  parseActual,
  parseTarget,
  type Comparator,
  type ParsedTarget,
} from '../evaluation/indicators.js';

export type TargetDirection = 'at_least' | 'at_most';

/** Which way a comparator points: `<=` and `<` are at-most targets, the others at-least. */
export function directionOf(comparator: Comparator): TargetDirection {
  return comparator === '<=' || comparator === '<' ? 'at_most' : 'at_least';
}

/** The target when it is a number with a comparison (quantitative), else null (also when unreadable). */
export function numericTarget(target: string): Extract<ParsedTarget, { kind: 'quantitative' }> | null {
  try {
    const t = parseTarget(target);
    return t.kind === 'quantitative' ? t : null;
  } catch {
    return null;
  }
}

/** Whether a target is numeric (counts in a project's average completion). */
export function isNumericTarget(target: string): boolean {
  return numericTarget(target) !== null;
}

function meets(actual: Decimal, comparator: Comparator, target: Decimal): boolean {
  switch (comparator) {
    case '<=':
      return actual.lte(target);
    case '<':
      return actual.lt(target);
    case '>=':
      return actual.gte(target);
    case '>':
      return actual.gt(target);
    case '=':
      return actual.eq(target);
  }
}

const cap = (ratio: Decimal) => roundRate(Decimal.min(HUNDRED, Decimal.max(ZERO, ratio)));

/**
 * The completion ratio in percent (0.00–100.00), or null when it cannot be computed (see the
 * file comment). An at-least target of 0 is complete (100); an at-most target missed with an
 * actual of 0 (`<0`) is 0.
 */
export function completionRatio(target: string, actual: string): Decimal | null {
  const t = numericTarget(target);
  if (t === null) return null;
  let a;
  try {
    a = parseActual(actual);
  } catch {
    return null;
  }
  if (a.kind !== 'quantitative') return null;
  if (t.unit !== null && a.unit !== null && canonicalUnit(t.unit) !== canonicalUnit(a.unit)) return null;
  if (t.per !== null && a.per !== null && t.per !== a.per) return null;
  if (directionOf(t.comparator) === 'at_most') {
    if (meets(a.value, t.comparator, t.value)) return cap(HUNDRED);
    return a.value.isZero() ? cap(ZERO) : cap(t.value.div(a.value).times(100));
  }
  if (t.value.isZero()) return cap(HUNDRED);
  return cap(a.value.div(t.value).times(100));
}
