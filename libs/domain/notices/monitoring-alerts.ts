/**
 * The performance-monitoring alerts (MONITORING.md "Alerts") as a pure fold, beside the lag alerts
 * of alerts.ts and with the same machinery: (open alerts, monitoring answer at a month end) →
 * changes, evaluated at each month close for the month's last day as known on the close's knownOn,
 * stored with the lag alerts and delivered through the same subscriptions.
 *
 * Three kinds, each about one thing (`figures.about`):
 * - `divergence` (背离预警), per project: raised (yellow) when the project is flagged for divergence
 *   (|rate − average completion| ≥ the divergence threshold), cleared when it no longer is.
 * - `unexplained` (偏差未说明), per subject at yellow or red (the department, a unit, a project, a
 *   budget line): raised at the subject's level when its explanation status is `overdue` (open for
 *   more than 10 working days without an explanation), escalated yellow → red like a lag alert,
 *   cleared (`explained`) when an explanation dated on or after the alert's start is known, or
 *   (`recovered`) when the subject is no longer at yellow or red.
 * - `target-at-risk` (目标风险), per target: raised when its latest progress puts it at risk —
 *   `impossible` (red), or `possible` dated on or after the second-to-last checkpoint (yellow) —,
 *   escalated yellow → red, cleared when a later progress report is no longer at risk.
 *
 * Escalation and clearing follow the lag alerts: a worse level raises a new alert replacing the
 * open one (`replaced`); a better one that is still due keeps the open alert. A thing no longer in
 * the answer has its alerts cleared as `not_applicable`. A stream that does not take part in
 * performance monitoring (takesPartInMonitoring) gets none of these alerts: a v1 stream keeps
 * exactly its lag alerts.
 *
 * `subject` is whose the alert is (the unit of the project, subject or target; 'department' for
 * the department's own), so unit subscriptions and unit readers get their unit's alerts as for the
 * lag alerts; `subjectName` names what it is about. Ids are deterministic:
 * alert:{department}:{year}:{subject}:{kind}:{about}:{level}:{month}, `about` being
 * `task.{id}`, `indicator.{id}`, `unit.{id}`, `line.{id}` or `department`.
 */
import { Decimal, fixed2, roundRate } from '../decimal.js';
import type { DeviationCause, IsoDate, Likelihood } from '../events.js';
import type { AlertLevel, ExecutionReport } from '../execution/execution.js';
import { lastDayOfMonth } from '../dates.js';
import { dateCn, monthsCn, percent2, percentPointsAbs } from '../format.js';
import {
  averageCompletion,
  riskFrom,
  type DivergenceKind,
  type ExplanationStatus,
  type MonitoringReport,
  type ProjectMonitoring,
  type SubjectExplanation,
  type SubjectRef,
  type TargetStatus,
} from '../monitoring/monitoring.js';
import { recordedBy, type MonitoringState } from '../monitoring/monitoring-state.js';
import {
  alertChange,
  isLagAlert,
  type AlertChangeReason,
  type AlertEvaluation,
  type AlertSeverity,
  type MonitoringAlertChange,
  type MonitoringOpenAlert,
  type OpenAlert,
} from './alerts.js';
import { CAUSE_LABELS, DIVERGENCE_LABELS, LEVEL_WORDS, LIKELIHOOD_LABELS } from './monitoring-labels.js';

export type MonitoringAlertKind = 'divergence' | 'unexplained' | 'target-at-risk';
export const MONITORING_ALERT_KINDS: readonly MonitoringAlertKind[] = ['divergence', 'unexplained', 'target-at-risk'];

/** What a monitoring alert is about. */
export interface AlertAbout {
  kind: 'department' | 'unit' | 'line' | 'task' | 'indicator';
  /** Null for the department. */
  id: string | null;
  name: string;
}

/** A project's spending against its targets (divergence alerts). */
export interface DivergenceFigures {
  /** The project's execution rate; null without budget. */
  rate: string | null;
  /** Average completion ratio of its numeric targets with progress; null when none has one. */
  completion: string | null;
  /** rate − completion, in points; null when either is missing. */
  difference: string | null;
  /** The divergence threshold in points. */
  threshold: string;
  /** The divergence's kind when flagged, else null. */
  direction: DivergenceKind | null;
}

/** A subject's deviation and its explanation (unexplained alerts). */
export interface DeviationFigures {
  /** The subject's level at the month's end; null without budget (or when it is gone). */
  level: AlertLevel | null;
  rate: string | null;
  /** When its yellow/red alert opened; null when it is not at yellow or red. */
  since: IsoDate | null;
  /** Working days after `since` up to and including the month's end; null when not at yellow or red. */
  workingDaysOpen: number | null;
  /** The explanation status; null when not at yellow or red. */
  status: ExplanationStatus | null;
  /** The explanation that explains the current alert (status `explained`), else null. */
  explanation: { eventId: string; asOf: IsoDate; cause: DeviationCause } | null;
}

/** A target's latest progress (target-at-risk alerts). */
export interface TargetRiskFigures {
  /** 年度指标值 as printed. */
  target: string;
  progress: {
    eventId: string;
    asOf: IsoDate;
    actual: string;
    expectedYearEnd: string | null;
    likelihood: Likelihood;
  } | null;
  /** From this date a `possible` puts the target at risk (the second-to-last checkpoint). */
  riskFrom: IsoDate | null;
  atRisk: boolean;
}

export interface MonitoringAlertFigures {
  month: number;
  /** The month's last day: the date the monitoring answer is as of. */
  asOf: IsoDate;
  about: AlertAbout;
  /** The unit whose it is (null: the department's) and its name. */
  unit: string | null;
  unitName: string | null;
  /** Present on divergence alerts. */
  divergence?: DivergenceFigures;
  /** Present on unexplained alerts. */
  deviation?: DeviationFigures;
  /** Present on target-at-risk alerts. */
  target?: TargetRiskFigures;
}

/** What the fold reads at a month end. */
export interface MonitoringAlertInput {
  /** monitoringReport at the month's last day as known on the close's knownOn; null: the stream does not take part. */
  monitoring: MonitoringReport | null;
  /** executionReport (fiscal) at the same day and knownOn: the rates of the department, units and lines. */
  execution: ExecutionReport;
}

/**
 * Whether a stream takes part in performance monitoring as known on `knownOn`: it has a budget line
 * or a target tied to a project, a progress report, an explanation or a follow-up recorded by then.
 * A v1 stream (none of these) gets no monitoring alerts and no monitoring section in its notices.
 */
export function takesPartInMonitoring(state: MonitoringState, knownOn: IsoDate | null): boolean {
  const known = (item: { knownOn: IsoDate }) => recordedBy(item, knownOn);
  for (const l of state.lineProjects.values()) if (known(l)) return true;
  for (const t of state.targets.values()) if (t.task !== null && known(t)) return true;
  for (const reports of state.progress.values()) if (reports.some(known)) return true;
  if (state.explanations.some(known)) return true;
  for (const actions of state.actions.values()) if (actions.some(known)) return true;
  return false;
}

/** `task.p-seed`, `unit.field`, `indicator.i-seed-sat`, `department`. */
export function aboutKey(about: Pick<AlertAbout, 'kind' | 'id'>): string {
  return about.kind === 'department' ? 'department' : `${about.kind}.${about.id ?? ''}`;
}

export function monitoringAlertId(
  department: string,
  year: number,
  subject: string,
  kind: MonitoringAlertKind,
  about: Pick<AlertAbout, 'kind' | 'id'>,
  level: AlertSeverity,
  month: number,
): string {
  return `alert:${department}:${year}:${subject}:${kind}:${aboutKey(about)}:${level}:${month}`;
}

/* ---------------------------------------------------------------------------------------- */
/* Messages                                                                                 */

/** The bracketed word that starts each message: 【背离预警】, 【偏差未说明】, 【目标风险】. */
export const MONITORING_ALERT_LABELS: Record<MonitoringAlertKind, string> = {
  divergence: '背离预警',
  unexplained: '偏差未说明',
  'target-at-risk': '目标风险',
};

/** The words of a title: "高标准农田建设项目背离预警（2025年7月）". */
export const MONITORING_ALERT_TITLES: Record<MonitoringAlertKind, string> = {
  divergence: '背离预警',
  unexplained: '偏差未说明预警',
  'target-at-risk': '目标风险预警',
};

const pct = (v: string | null) => (v === null ? '—' : percent2(v));

/** "支出进度60.20%，绩效目标平均完成45.00%，相差15.20个百分点". */
function divergenceText(d: DivergenceFigures): string {
  const diff = d.difference === null ? '—' : percentPointsAbs(d.difference);
  return `支出进度${pct(d.rate)}，绩效目标平均完成${pct(d.completion)}，相差${diff}个百分点`;
}

/** "（1—7月完成85%，全年预计86%）"; "（截至7月15日完成…）" for a progress dated within a month. */
function progressText(p: NonNullable<TargetRiskFigures['progress']>): string {
  const month = Number(p.asOf.slice(5, 7));
  const monthEnd = lastDayOfMonth(Number(p.asOf.slice(0, 4)), month) === p.asOf;
  const period = monthEnd ? monthsCn(month) : `截至${dateCn(p.asOf)}`;
  const expected = p.expectedYearEnd === null ? '' : `，全年预计${p.expectedYearEnd}`;
  return `（${period}完成${p.actual}${expected}）`;
}

function likelihoodText(t: TargetRiskFigures): string {
  if (t.progress === null) return '尚无进度报告';
  return `完成目标可能性为“${LIKELIHOOD_LABELS[t.progress.likelihood]}”${progressText(t.progress)}`;
}

/** The message of a raised monitoring alert (see the file comment for examples). */
export function monitoringRaisedMessage(
  kind: MonitoringAlertKind,
  name: string,
  level: AlertSeverity,
  reason: AlertChangeReason,
  f: MonitoringAlertFigures,
): string {
  const head = `【${MONITORING_ALERT_LABELS[kind]}】${name}`;
  switch (kind) {
    case 'divergence': {
      const d = required(f.divergence);
      const what = d.direction ? `（${DIVERGENCE_LABELS[d.direction]}）` : '';
      return `${head}：${divergenceText(d)}${what}`;
    }
    case 'unexplained': {
      const d = required(f.deviation);
      const word = reason === 'escalated' ? `${LEVEL_WORDS[level]}，由黄色升级` : LEVEL_WORDS[level];
      return `${head}执行率${pct(d.rate)}（${word}），预警已持续${d.workingDaysOpen ?? 0}个工作日未报送偏差说明`;
    }
    case 'target-at-risk':
      return `${head}：${likelihoodText(required(f.target))}`;
  }
}

/** The message of a cleared monitoring alert. */
export function monitoringClearedMessage(
  alert: Pick<MonitoringOpenAlert, 'kind' | 'subjectName'>,
  reason: AlertChangeReason,
  f: MonitoringAlertFigures,
  replacedBy: string | null,
): string {
  const name = alert.subjectName;
  const head = `【${MONITORING_ALERT_LABELS[alert.kind]}解除】${name}`;
  if (reason === 'replaced') return `${head}：已升级为红色预警（${replacedBy ?? ''}），原预警关闭`;
  switch (alert.kind) {
    case 'divergence': {
      const d = f.divergence;
      if (reason === 'not_applicable' && (!d || d.rate === null || d.completion === null))
        return d ? `${head}：已无可比较的支出进度和绩效目标完成情况` : `${head}已不在本期统计范围内`;
      return `${head}：${divergenceText(required(d))}，未达背离阈值${new Decimal(required(d).threshold).toFixed()}个百分点`;
    }
    case 'unexplained': {
      const d = f.deviation;
      if (!d) return `${head}已不在本期统计范围内`;
      if (reason === 'explained' && d.explanation)
        return `${head}：已报送偏差说明（${dateCn(d.explanation.asOf)}，偏差原因：${CAUSE_LABELS[d.explanation.cause]}）`;
      if (d.level === 'yellow' || d.level === 'red') {
        const days = d.workingDaysOpen ?? 0;
        return `${head}：预警自${dateCn(d.since ?? f.asOf)}起重新计算，已持续${days}个工作日`;
      }
      if (d.rate === null) return `${head}：不再计算预算执行率`;
      return `${head}：执行率${pct(d.rate)}，已恢复正常`;
    }
    case 'target-at-risk': {
      const t = f.target;
      if (!t) return `${head}已不在本期统计范围内`;
      return `${head}：${likelihoodText(t)}`;
    }
  }
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the figures of a monitoring alert of this kind are missing');
  return value;
}

/* ---------------------------------------------------------------------------------------- */
/* The fold                                                                                 */

interface Candidate {
  kind: MonitoringAlertKind;
  key: string;
  /** 'department' or a unit id. */
  subject: string;
  name: string;
  /** The level due now; null: no alert of the kind is due (its open ones are cleared with clearReason). */
  wanted: AlertSeverity | null;
  clearReason: AlertChangeReason;
  figures: MonitoringAlertFigures;
}

const SEVERITY: Record<AlertSeverity, number> = { yellow: 1, red: 2 };

const rateStr = (d: Decimal | null) => (d === null ? null : fixed2(d));

function divergenceFigures(p: ProjectMonitoring, threshold: Decimal): DivergenceFigures {
  const completion = averageCompletion(p.targets);
  return {
    rate: rateStr(p.rate),
    completion: rateStr(completion),
    difference: p.rate === null || completion === null ? null : fixed2(roundRate(p.rate.minus(completion))),
    threshold: fixed2(threshold),
    direction: p.divergence?.kind ?? null,
  };
}

function targetFigures(t: TargetStatus, from: IsoDate | null): TargetRiskFigures {
  const p = t.progress;
  return {
    target: t.target,
    progress: p
      ? {
          eventId: p.eventId,
          asOf: p.asOf,
          actual: p.actual,
          expectedYearEnd: p.expectedYearEnd,
          likelihood: p.likelihood,
        }
      : null,
    riskFrom: from,
    atRisk: t.atRisk,
  };
}

/** Where an explanation's subject stands at the month end (its rate and level); null when it is not in the answer. */
function standingOf(
  kind: AlertAbout['kind'],
  id: string | null,
  input: { monitoring: MonitoringReport; execution: ExecutionReport },
): { rate: Decimal | null; level: AlertLevel | null } | null {
  const { monitoring, execution } = input;
  switch (kind) {
    case 'department':
      return execution.total;
    case 'unit':
      return execution.units.find((u) => u.unit === id) ?? null;
    case 'line':
      return execution.lines.find((l) => l.line === id) ?? null;
    case 'task':
      return monitoring.projects.find((p) => p.task === id) ?? null;
    case 'indicator':
      return null;
  }
}

function deviationFigures(
  e: SubjectExplanation | null,
  standing: { rate: Decimal | null; level: AlertLevel | null } | null,
): DeviationFigures {
  const x = e?.status === 'explained' ? e.explanation : null;
  return {
    level: standing?.level ?? null,
    rate: standing ? rateStr(standing.rate) : null,
    since: e?.since ?? null,
    workingDaysOpen: e?.workingDaysOpen ?? null,
    status: e?.status ?? null,
    explanation: x ? { eventId: x.eventId, asOf: x.asOf, cause: x.cause } : null,
  };
}

function candidatesOf(
  monitoring: MonitoringReport,
  execution: ExecutionReport,
  open: readonly MonitoringOpenAlert[],
  month: number,
): Candidate[] {
  const unitNames = new Map(execution.units.map((u) => [u.unit, u.name]));
  const base = (about: AlertAbout, unit: string | null): MonitoringAlertFigures => ({
    month,
    asOf: monitoring.asOf,
    about,
    unit,
    unitName: unit === null ? null : (unitNames.get(unit) ?? unit),
  });
  const out: Candidate[] = [];

  for (const p of monitoring.projects) {
    const about: AlertAbout = { kind: 'task', id: p.task, name: p.title };
    const d = divergenceFigures(p, monitoring.thresholds.divergence);
    const comparable = d.rate !== null && d.completion !== null;
    out.push({
      kind: 'divergence',
      key: aboutKey(about),
      subject: p.unit,
      name: p.title,
      wanted: p.divergence ? 'yellow' : null,
      clearReason: comparable ? 'recovered' : 'not_applicable',
      figures: { ...base(about, p.unit), unitName: p.unitName, divergence: d },
    });
  }

  const reportInput = { monitoring, execution };
  const seen = new Set<string>();
  const subjectAbout = (s: SubjectRef): AlertAbout => ({
    kind: s.kind,
    id: s.kind === 'department' ? null : s.id,
    name: s.name,
  });
  for (const e of monitoring.explanations) {
    const about = subjectAbout(e.subject);
    const key = aboutKey(about);
    seen.add(key);
    out.push({
      kind: 'unexplained',
      key,
      subject: e.subject.unit ?? 'department',
      name: e.subject.name,
      wanted: e.status === 'overdue' ? e.level : null,
      clearReason: e.status === 'explained' ? 'explained' : 'recovered',
      figures: {
        ...base(about, e.subject.unit),
        deviation: deviationFigures(e, standingOf(about.kind, about.id, reportInput)),
      },
    });
  }
  // Open unexplained alerts of subjects no longer at yellow or red: recovered while the subject is
  // still in the answer (its figures now), otherwise left to the not_applicable sweep.
  for (const a of open) {
    if (a.kind !== 'unexplained' || seen.has(aboutKey(a.figures.about))) continue;
    const { about } = a.figures;
    const standing = standingOf(about.kind, about.id, reportInput);
    if (standing === null) continue;
    seen.add(aboutKey(about));
    out.push({
      kind: 'unexplained',
      key: aboutKey(about),
      subject: a.subject,
      name: a.subjectName,
      wanted: null,
      clearReason: standing.level === null ? 'not_applicable' : 'recovered',
      figures: { ...base(about, a.figures.unit), deviation: deviationFigures(null, standing) },
    });
  }

  const from = riskFrom(monitoring.checkpoints);
  const targets: { t: TargetStatus; unit: string | null; unitName: string | null }[] = [
    ...monitoring.projects.flatMap((p) => p.targets.map((t) => ({ t, unit: p.unit, unitName: p.unitName }))),
    ...monitoring.departmentTargets.map((t) => ({ t, unit: null, unitName: null })),
  ];
  for (const { t, unit, unitName } of targets) {
    const about: AlertAbout = { kind: 'indicator', id: t.indicator, name: t.name };
    out.push({
      kind: 'target-at-risk',
      key: aboutKey(about),
      subject: unit ?? 'department',
      name: t.name,
      wanted: t.atRisk ? (t.progress?.likelihood === 'impossible' ? 'red' : 'yellow') : null,
      clearReason: t.progress === null ? 'not_applicable' : 'recovered',
      figures: { ...base(about, unit), unitName, target: targetFigures(t, from) },
    });
  }
  return out;
}

/**
 * One step of the monitoring alert fold. `previous` is the open set after the last step (lag alerts
 * and alerts of other streams pass through untouched); `input.execution` is executionReport at the
 * month's last day (as for evaluateAlerts) and `input.monitoring` the monitoring answer at the same
 * day and knownOn, or null when the stream does not take part in monitoring (its monitoring
 * alerts, if any, are then cleared as not_applicable). `at.month` must be the report's month.
 */
export function evaluateMonitoringAlerts(
  previous: readonly OpenAlert[],
  input: MonitoringAlertInput,
  at: { month: number; date: IsoDate },
): AlertEvaluation<MonitoringAlertChange> {
  const { execution, monitoring } = input;
  if (at.month !== execution.throughMonth || (monitoring && monitoring.throughMonth !== at.month)) {
    throw new Error(
      `at.month ${at.month} does not match the reports' month ${execution.throughMonth} (asOf ${execution.asOf})`,
    );
  }
  const { department, year } = execution;
  const ours = (a: OpenAlert): a is MonitoringOpenAlert =>
    a.department === department && a.year === year && !isLagAlert(a);
  const mine = previous.filter(ours);
  const raised: MonitoringAlertChange[] = [];
  const cleared: MonitoringAlertChange[] = [];
  const open: OpenAlert[] = previous.filter((a) => !ours(a));

  const change = (
    kind: 'raised' | 'cleared',
    alert: MonitoringOpenAlert,
    reason: AlertChangeReason,
    figures: MonitoringAlertFigures,
    message: string,
    link: { replaces?: string; replacedBy?: string } = {},
  ): MonitoringAlertChange => alertChange(kind, alert, reason, figures, message, at, link);
  const clear = (
    a: MonitoringOpenAlert,
    reason: AlertChangeReason,
    f: MonitoringAlertFigures,
    replacedBy: string | null = null,
  ) =>
    cleared.push(
      change(
        'cleared',
        a,
        reason,
        f,
        monitoringClearedMessage(a, reason, f, replacedBy),
        replacedBy ? { replacedBy } : {},
      ),
    );

  const candidates = monitoring ? candidatesOf(monitoring, execution, mine, at.month) : [];
  const handled = new Set<MonitoringOpenAlert>();
  for (const c of candidates) {
    const current = mine.filter((a) => a.kind === c.kind && aboutKey(a.figures.about) === c.key);
    for (const a of current) handled.add(a);
    if (c.wanted === null) {
      for (const a of current) clear(a, c.clearReason, c.figures);
      continue;
    }
    const worst = current.reduce((m, a) => Math.max(m, SEVERITY[a.level]), 0);
    if (SEVERITY[c.wanted] <= worst) {
      open.push(...current);
      continue;
    }
    const reason: AlertChangeReason = current.length ? 'escalated' : 'worsened';
    const alert: MonitoringOpenAlert = {
      id: monitoringAlertId(department, year, c.subject, c.kind, c.figures.about, c.wanted, at.month),
      department,
      year,
      subject: c.subject,
      subjectName: c.name,
      kind: c.kind,
      level: c.wanted,
      month: at.month,
      raisedOn: at.date,
      figures: c.figures,
      message: monitoringRaisedMessage(c.kind, c.name, c.wanted, reason, c.figures),
    };
    const replaces = current.map((a) => a.id).join(',') || undefined;
    raised.push(change('raised', alert, reason, c.figures, alert.message, replaces ? { replaces } : {}));
    for (const a of current) clear(a, 'replaced', c.figures, alert.id);
    open.push(alert);
  }

  // Open alerts about things no longer in the answer (or of a stream no longer taking part).
  for (const a of mine) {
    if (handled.has(a)) continue;
    const f: MonitoringAlertFigures = {
      month: at.month,
      asOf: execution.asOf,
      about: a.figures.about,
      unit: a.figures.unit,
      unitName: a.figures.unitName,
    };
    clear(a, 'not_applicable', f);
  }
  return { raised, cleared, open };
}
