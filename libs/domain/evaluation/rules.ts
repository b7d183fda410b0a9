/**
 * The scoring rules, registered by criterion id. The evaluation looks a computed criterion's rule
 * up here, so another framework that reuses these criteria is data only (framework.ts).
 */
import type { CriterionDef, FrameworkDef, MidYear } from './framework.js';
import { criteriaById } from './framework.js';
import type { Rule } from './rule-kit.js';
import {
  adjustmentRule,
  assetsUtilizationRule,
  disclosureRule,
  procurementRule,
  staffContractRule,
  staffFundedRule,
} from './rules-management.js';
import {
  executionRule,
  keyWorkRule,
  petitionsRule,
  publicFundsRule,
  satisfactionRule,
  timelinessRule,
} from './rules-performance.js';

export type { Rule, RuleContext, RuleResult } from './rule-kit.js';
export * from './rules-management.js';
export * from './rules-performance.js';

/** A rule and what its criterion means during the year (framework.ts, MidYear). */
export interface RuleDef {
  rule: Rule;
  midYear: MidYear;
}

export const RULES: Readonly<Record<string, RuleDef>> = {
  'management.funds.procurement': { rule: procurementRule, midYear: 'so_far' },
  'management.funds.compliance.adjustment': { rule: adjustmentRule, midYear: 'so_far' },
  'management.funds.disclosure': { rule: disclosureRule, midYear: 'on_report' },
  'management.assets.utilization': { rule: assetsUtilizationRule, midYear: 'so_far' },
  'management.staff.funded': { rule: staffFundedRule, midYear: 'so_far' },
  'management.staff.contract': { rule: staffContractRule, midYear: 'so_far' },
  'performance.economy.public_funds': { rule: publicFundsRule, midYear: 'year_end' },
  'performance.efficiency.execution': { rule: executionRule, midYear: 'so_far' },
  'performance.efficiency.key_work': { rule: keyWorkRule, midYear: 'so_far' },
  'performance.efficiency.timeliness': { rule: timelinessRule, midYear: 'so_far' },
  'performance.fairness.petitions': { rule: petitionsRule, midYear: 'on_report' },
  'performance.fairness.satisfaction': { rule: satisfactionRule, midYear: 'on_report' },
};

export function ruleFor(criterionId: string): Rule | undefined {
  return Object.hasOwn(RULES, criterionId) ? RULES[criterionId]?.rule : undefined;
}

/** What a criterion means during the year: its own midYear, else its rule's; judged ones `on_report`. */
export function midYearOf(def: CriterionDef): MidYear {
  if (def.midYear) return def.midYear;
  if (def.how === 'judged') return 'on_report';
  return (Object.hasOwn(RULES, def.id) ? RULES[def.id]?.midYear : undefined) ?? 'so_far';
}

/** Computed criteria (and sub-items) of a framework that have no registered rule. */
export function missingRules(framework: FrameworkDef): string[] {
  return [...criteriaById(framework).values()].filter((c) => c.how === 'computed' && !ruleFor(c.id)).map((c) => c.id);
}
