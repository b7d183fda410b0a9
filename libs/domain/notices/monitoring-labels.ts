/**
 * The Chinese words of the performance-monitoring items the alerts and notices print (MONITORING.md,
 * the monitoring table's wording): likelihood (完成目标可能性), deviation cause (偏差原因), follow-up
 * status (整改进展) and the two kinds of divergence.
 */
import type { ActionStatus, DeviationCause, Likelihood } from '../events.js';
import type { DivergenceKind, ExplanationStatus } from '../monitoring/monitoring.js';

export const LIKELIHOOD_LABELS: Record<Likelihood, string> = {
  certain: '确定能',
  possible: '有可能',
  impossible: '完全不可能',
};

export const CAUSE_LABELS: Record<DeviationCause, string> = {
  funding: '经费保障',
  policy: '制度保障',
  staffing: '人员保障',
  equipment: '硬件条件保障',
  other: '其他',
};

/** The latest follow-up of a measure; none is 未报送. */
export function actionStatusLabel(status: ActionStatus | null): string {
  switch (status) {
    case 'in_progress':
      return '进行中';
    case 'done':
      return '已完成';
    case 'abandoned':
      return '已放弃';
    case null:
      return '未报送';
  }
}

/** spending_ahead: 钱花了事没干; work_ahead: 事干了钱没花. */
export const DIVERGENCE_LABELS: Record<DivergenceKind, string> = {
  spending_ahead: '钱花了事没干',
  work_ahead: '事干了钱没花',
};

/** An explanation's status as the notices print it (explained subjects are not listed). */
export const EXPLANATION_STATUS_LABELS: Record<ExplanationStatus, string> = {
  explained: '已说明',
  unexplained: '未报送',
  overdue: '逾期未报送',
};

/** The level word inside an alert's brackets: 红色, 黄色. */
export const LEVEL_WORDS = { yellow: '黄色', red: '红色', green: '正常' } as const;
