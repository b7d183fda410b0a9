/**
 * Scoring frameworks as versioned data. A framework lists its criteria (ids, names, weights,
 * level-1 and level-2 groups) and says for each whether a rule computes it or an assessor judges it.
 * Rules are looked up by criterion id (see rules.ts); adding another jurisdiction's framework
 * means adding data here, not touching the rules engine.
 */

export type CriterionHow = 'judged' | 'computed' | 'composite';

/**
 * What a criterion means before the year is closed (a forecast, scored as of an evaluation date):
 * - `so_far`: scored from the figures so far; the rule itself leaves out what is not yet due on the
 *   date (quarters whose end has not come, tasks whose due date has not passed);
 * - `year_end`: a ratio of the whole year: not yet due before the year's last day;
 * - `on_report`: from a report made once a year, or an assessment: not yet due until it is recorded.
 * Computed criteria take their rule's (rules.ts), judged ones `on_report`; a criterion may say
 * otherwise. Once the year is closed everything is due: what has no input is missing.
 */
export type MidYear = 'so_far' | 'year_end' | 'on_report';

export interface CriterionDef {
  id: string;
  name: string;
  /** Points, as a decimal string. */
  weight: string;
  level1: string;
  level2: string;
  how: CriterionHow;
  /** For composite criteria: the sub-items, each judged or computed, whose scores add up. */
  items?: CriterionDef[];
  /** What the criterion means during the year, when not its rule's (or for judged, `on_report`). */
  midYear?: MidYear;
}

export interface GroupDef {
  id: string;
  name: string;
  weight: string;
}

export interface FrameworkDef {
  id: string;
  version: string;
  name: string;
  level1: GroupDef[];
  level2: GroupDef[];
  criteria: CriterionDef[];
  /** Grade thresholds, highest first: total ≥ min gives the grade. */
  grades: { grade: string; min: string }[];
  /**
   * The judged criterion for which the evaluation suggests weight × met / applicable indicators
   * (绩效指标完成情况); absent: no suggestion.
   */
  indicatorCriterion?: string;
}

const c = (
  id: string,
  name: string,
  weight: string,
  level1: string,
  level2: string,
  how: CriterionHow,
  items?: CriterionDef[],
): CriterionDef => ({ id, name, weight, level1, level2, how, ...(items ? { items } : {}) });

/** 部门整体支出绩效评价共性指标体系, as used in the Yantian reference report (FRAMEWORK.md). */
export const SHENZHEN_DEPARTMENT_2023: FrameworkDef = {
  id: 'shenzhen-department-overall',
  version: '2023.1',
  name: '部门整体支出绩效评价共性指标体系',
  level1: [
    { id: 'decision', name: '部门决策', weight: '20' },
    { id: 'management', name: '部门管理', weight: '20' },
    { id: 'performance', name: '部门绩效', weight: '60' },
  ],
  level2: [
    { id: 'decision.budget', name: '预算编制', weight: '10' },
    { id: 'decision.goals', name: '目标设置', weight: '10' },
    { id: 'management.funds', name: '资金管理', weight: '8' },
    { id: 'management.projects', name: '项目管理', weight: '4' },
    { id: 'management.assets', name: '资产管理', weight: '3' },
    { id: 'management.staff', name: '人员管理', weight: '2' },
    { id: 'management.rules', name: '制度管理', weight: '3' },
    { id: 'performance.economy', name: '经济性', weight: '6' },
    { id: 'performance.efficiency', name: '效率性', weight: '20' },
    { id: 'performance.effect', name: '效果性', weight: '25' },
    { id: 'performance.fairness', name: '公平性', weight: '9' },
  ],
  criteria: [
    c('decision.budget.rationality', '预算编制合理性', '5', 'decision', 'decision.budget', 'judged'),
    c('decision.budget.compliance', '预算编制规范性', '5', 'decision', 'decision.budget', 'judged'),
    c('decision.goals.completeness', '绩效目标完整性', '3', 'decision', 'decision.goals', 'judged'),
    c('decision.goals.clarity', '绩效指标明确性', '7', 'decision', 'decision.goals', 'judged'),
    c('management.funds.procurement', '政府采购执行情况', '2', 'management', 'management.funds', 'computed'),
    c('management.funds.compliance', '财务合规性', '3', 'management', 'management.funds', 'composite', [
      c('management.funds.compliance.spending', '资金支出规范性', '1', 'management', 'management.funds', 'judged'),
      c(
        'management.funds.compliance.adjustment',
        '资金调整、调剂规范性',
        '1',
        'management',
        'management.funds',
        'computed',
      ),
      c('management.funds.compliance.accounting', '会计核算规范性', '1', 'management', 'management.funds', 'judged'),
    ]),
    c('management.funds.disclosure', '预决算信息公开', '3', 'management', 'management.funds', 'computed'),
    c('management.projects.procedure', '项目实施程序', '2', 'management', 'management.projects', 'judged'),
    c('management.projects.supervision', '项目监管', '2', 'management', 'management.projects', 'judged'),
    c('management.assets.safety', '资产管理安全性', '2', 'management', 'management.assets', 'judged'),
    c('management.assets.utilization', '固定资产利用率', '1', 'management', 'management.assets', 'computed'),
    c('management.staff.funded', '财政供养人员控制率', '1', 'management', 'management.staff', 'computed'),
    c('management.staff.contract', '编外人员控制率', '1', 'management', 'management.staff', 'computed'),
    c('management.rules', '管理制度健全性', '3', 'management', 'management.rules', 'judged'),
    c('performance.economy.public_funds', '公用经费控制率', '6', 'performance', 'performance.economy', 'computed'),
    c('performance.efficiency.execution', '预算执行率', '6', 'performance', 'performance.efficiency', 'computed'),
    c('performance.efficiency.key_work', '重点工作完成情况', '8', 'performance', 'performance.efficiency', 'computed'),
    c('performance.efficiency.timeliness', '项目完成及时性', '6', 'performance', 'performance.efficiency', 'computed'),
    c('performance.effect', '社会效益、经济效益、生态效益等', '25', 'performance', 'performance.effect', 'judged'),
    c('performance.fairness.petitions', '群众信访办理情况', '3', 'performance', 'performance.fairness', 'computed'),
    c(
      'performance.fairness.satisfaction',
      '公众或服务对象满意度',
      '6',
      'performance',
      'performance.fairness',
      'computed',
    ),
  ],
  grades: [
    { grade: '优', min: '90' },
    { grade: '良', min: '80' },
    { grade: '中', min: '60' },
    { grade: '差', min: '0' },
  ],
  indicatorCriterion: 'performance.effect',
};

export const FRAMEWORKS: readonly FrameworkDef[] = [SHENZHEN_DEPARTMENT_2023];
export const DEFAULT_FRAMEWORK = SHENZHEN_DEPARTMENT_2023;

/** Every criterion and sub-item, flattened, keyed by id. */
export function criteriaById(framework: FrameworkDef): Map<string, CriterionDef> {
  const out = new Map<string, CriterionDef>();
  const walk = (list: CriterionDef[]) => {
    for (const def of list) {
      out.set(def.id, def);
      if (def.items) walk(def.items);
    }
  };
  walk(framework.criteria);
  return out;
}

/** Criteria (or sub-items) whose score comes from AssessmentRecorded. */
export function judgedCriteria(framework: FrameworkDef): Map<string, CriterionDef> {
  return new Map([...criteriaById(framework)].filter(([, def]) => def.how === 'judged'));
}
