/**
 * The Chinese words the dashboard shows for the monitoring answer's codes (docs/monitoring.md):
 * the wire keeps the codes (`funding`, `possible`, `in_progress`…), the pages never show them.
 */
import type { ActionStatus, DeviationCause, Likelihood, SubjectKind } from '#domain/events.js';

/** 偏差原因 (the monitoring table's five categories). */
export const CAUSE_TEXT: Record<DeviationCause, string> = {
  funding: '经费保障',
  policy: '制度保障',
  staffing: '人员保障',
  equipment: '硬件条件保障',
  other: '其他',
};

/** 完成目标可能性. */
export const LIKELIHOOD_TEXT: Record<Likelihood, string> = {
  certain: '确定能',
  possible: '有可能',
  impossible: '完全不可能',
};

/** 整改状态 of a measure's follow-up. */
export const ACTION_TEXT: Record<ActionStatus, string> = {
  in_progress: '进行中',
  done: '已完成',
  abandoned: '已放弃',
};

/** Whether a subject at yellow or red is explained. */
export const EXPLANATION_STATUS_TEXT: Record<'explained' | 'unexplained' | 'overdue', string> = {
  explained: '已说明',
  unexplained: '未说明',
  overdue: '逾期未说明',
};

/** What an explanation (or a measure) is about. */
export const SUBJECT_KIND_TEXT: Record<SubjectKind | 'indicator', string> = {
  department: '部门整体',
  unit: '科室',
  task: '项目',
  line: '预算明细',
  indicator: '绩效指标',
};

/** Which way a project's spending and its targets' completion diverge. */
export const DIVERGENCE_TEXT: Record<'spending_ahead' | 'work_ahead', string> = {
  spending_ahead: '钱花了事没干（支出快于目标完成）',
  work_ahead: '事干了钱没花（目标完成快于支出）',
};

export const DIVERGENCE_SHORT: Record<'spending_ahead' | 'work_ahead', string> = {
  spending_ahead: '支出快于目标',
  work_ahead: '目标快于支出',
};

/** What each form files, as the confirmation after it says. */
export const FILED_TEXT: Record<'explanation' | 'progress' | 'action', string> = {
  explanation: '偏差说明已提交。',
  progress: '进度填报已提交。',
  action: '整改进展已提交。',
};
