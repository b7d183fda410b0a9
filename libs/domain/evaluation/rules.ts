/**
 * The scoring rules, registered by criterion id. The evaluation looks a computed criterion's rule
 * up here, so another framework that reuses these criteria is data only (framework.ts).
 */
import type { FrameworkDef } from './framework.js';
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

export const RULES: Readonly<Record<string, Rule>> = {
  'management.funds.procurement': procurementRule,
  'management.funds.compliance.adjustment': adjustmentRule,
  'management.funds.disclosure': disclosureRule,
  'management.assets.utilization': assetsUtilizationRule,
  'management.staff.funded': staffFundedRule,
  'management.staff.contract': staffContractRule,
  'performance.economy.public_funds': publicFundsRule,
  'performance.efficiency.execution': executionRule,
  'performance.efficiency.key_work': keyWorkRule,
  'performance.efficiency.timeliness': timelinessRule,
  'performance.fairness.petitions': petitionsRule,
  'performance.fairness.satisfaction': satisfactionRule,
};

export function ruleFor(criterionId: string): Rule | undefined {
  return Object.hasOwn(RULES, criterionId) ? RULES[criterionId] : undefined;
}

/** Computed criteria (and sub-items) of a framework that have no registered rule. */
export function missingRules(framework: FrameworkDef): string[] {
  return [...criteriaById(framework).values()].filter((c) => c.how === 'computed' && !ruleFor(c.id)).map((c) => c.id);
}
