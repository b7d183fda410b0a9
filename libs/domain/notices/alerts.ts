/**
 * Early lag alerts as a pure fold: (open alerts, execution report of a month end) → changes.
 *
 * Subjects: the department ('department') and every unit (its unit id). Two kinds:
 * - `level`: raised when the alert level worsens to yellow or red. yellow → red raises a new red
 *   alert that replaces the yellow one (the yellow one is cleared with reason 'replaced'). An
 *   open red alert stays open while the level is yellow (nothing is raised for an improvement)
 *   and is cleared only when the level is back to green.
 * - `forecast`: raised when the run-rate forecast says the next checkpoint will be missed
 *   (forecast.willMissCheckpoint; level = the projected level), escalated yellow → red the same
 *   way, cleared when the forecast no longer misses (or there is no checkpoint left).
 * Alerts of subjects without budget (level null) are cleared as 'not_applicable'.
 * Alert ids are deterministic: alert:{department}:{year}:{subject}:{kind}:{level}:{month}.
 *
 * The performance-monitoring alerts (`divergence`, `unexplained`, `target-at-risk`) are folded by
 * monitoring-alerts.ts with the same machinery and stored beside these: this fold leaves them alone.
 */
import { Decimal, fixed2, money } from '../decimal.js';
import type { IsoDate } from '../events.js';
import type { AlertLevel, ExecutionReport, Forecast, Standing } from '../execution/execution.js';
import { dateCn, percent2, percentPointsAbs, yuanWan } from '../format.js';
import { checkpointTarget, noCheckpointLeft } from './checkpoint-text.js';
import type { MonitoringAlertFigures, MonitoringAlertKind } from './monitoring-alerts.js';
import { LEVEL_LABELS } from './notice.js';

/** The lag alerts of this fold. */
export type LagAlertKind = 'level' | 'forecast';
export type AlertKind = LagAlertKind | MonitoringAlertKind;
export type AlertSeverity = Exclude<AlertLevel, 'green'>;

const LAG_KINDS: readonly string[] = ['level', 'forecast'] satisfies LagAlertKind[];

export interface AlertFigures {
  month: number;
  rate: string | null;
  schedule: string;
  lag: string | null;
  level: AlertLevel | null;
  runRate: string;
  runRateMonths: number;
  /**
   * The next checkpoint the forecast looks at (quarter 1..4 at a quarter end, else null); null
   * after the last one (in December for a quarterly schedule).
   */
  checkpoint: { quarter: number | null; date: IsoDate; percent: string } | null;
  projectedRate: string | null;
  projectedLevel: AlertLevel | null;
  willMissCheckpoint: boolean;
  /**
   * Present (true) when the stream's checkpoints are not the four quarter ends (YearOpened.checkpoints,
   * v1.1); absent for a quarterly schedule.
   */
  customSchedule?: true;
}

interface OpenAlertBase {
  id: string;
  department: string;
  year: number;
  /**
   * 'department' or a unit id: whose it is (subscriptions and unit readers go by it). For a
   * monitoring alert, the unit of the project, subject or target it is about.
   */
  subject: string;
  /** Name of what it is about: the department or unit; for a monitoring alert the project, subject or target. */
  subjectName: string;
  level: AlertSeverity;
  /** Month whose figures raised it. */
  month: number;
  raisedOn: IsoDate;
  message: string;
}

export interface LagOpenAlert extends OpenAlertBase {
  kind: LagAlertKind;
  /** The figures that triggered it. */
  figures: AlertFigures;
}

export interface MonitoringOpenAlert extends OpenAlertBase {
  kind: MonitoringAlertKind;
  /** The figures that triggered it. */
  figures: MonitoringAlertFigures;
}

export type OpenAlert = LagOpenAlert | MonitoringOpenAlert;

/** `explained`: an unexplained-deviation alert whose subject got its explanation (monitoring-alerts.ts). */
export type AlertChangeReason = 'worsened' | 'escalated' | 'recovered' | 'replaced' | 'not_applicable' | 'explained';

interface AlertChangeBase {
  /** Delivery id: the alert id when raised, `{alert id}:cleared` when cleared. */
  id: string;
  change: 'raised' | 'cleared';
  reason: AlertChangeReason;
  alertId: string;
  department: string;
  year: number;
  subject: string;
  subjectName: string;
  /** The alert's level (for a cleared alert: the level it had). */
  level: AlertSeverity;
  /** Month and date of the evaluation that made the change. */
  month: number;
  date: IsoDate;
  message: string;
  /** Raised red alert: the yellow one it replaces. */
  replaces: string | null;
  /** Cleared yellow alert: the red one replacing it. */
  replacedBy: string | null;
}

export interface LagAlertChange extends AlertChangeBase {
  kind: LagAlertKind;
  /** Figures at the change (for a raised alert: the triggering figures). */
  figures: AlertFigures;
  alert: LagOpenAlert;
}

export interface MonitoringAlertChange extends AlertChangeBase {
  kind: MonitoringAlertKind;
  /** Figures at the change (for a raised alert: the triggering figures). */
  figures: MonitoringAlertFigures;
  alert: MonitoringOpenAlert;
}

export type AlertChange = LagAlertChange | MonitoringAlertChange;

/** The change record of `alert` raised or cleared by the evaluation at `at` (both folds make them alike). */
export function alertChange<A extends LagOpenAlert | MonitoringOpenAlert, F>(
  kind: 'raised' | 'cleared',
  alert: A,
  reason: AlertChangeReason,
  figures: F,
  message: string,
  at: { month: number; date: IsoDate },
  link: { replaces?: string; replacedBy?: string } = {},
): AlertChangeBase & { kind: A['kind']; figures: F; alert: A } {
  return {
    id: kind === 'raised' ? alert.id : `${alert.id}:cleared`,
    change: kind,
    reason,
    alertId: alert.id,
    department: alert.department,
    year: alert.year,
    subject: alert.subject,
    subjectName: alert.subjectName,
    kind: alert.kind,
    level: alert.level,
    month: at.month,
    date: at.date,
    figures,
    message,
    replaces: link.replaces ?? null,
    replacedBy: link.replacedBy ?? null,
    alert,
  };
}

/** Whether an alert (or a change) is one of this fold's lag alerts (`level`, `forecast`). */
export function isLagAlert<T extends { kind: AlertKind }>(a: T): a is Extract<T, { kind: LagAlertKind }> {
  return LAG_KINDS.includes(a.kind);
}

export interface AlertEvaluation<C extends AlertChange = AlertChange> {
  raised: C[];
  cleared: C[];
  /** The open set after the step (every kind, every stream). */
  open: OpenAlert[];
}

export function alertId(
  department: string,
  year: number,
  subject: string,
  kind: LagAlertKind,
  level: AlertSeverity,
  month: number,
): string {
  return `alert:${department}:${year}:${subject}:${kind}:${level}:${month}`;
}

const SEVERITY: Record<AlertSeverity, number> = { yellow: 1, red: 2 };

interface Subject {
  subject: string;
  name: string;
  standing: Standing;
  forecast: Forecast;
}

function figuresOf(month: number, s: Standing, f: Forecast, quarterly: boolean): AlertFigures {
  const cp = f.nextCheckpoint;
  return {
    month,
    rate: s.rate === null ? null : fixed2(s.rate),
    schedule: fixed2(s.schedule),
    lag: s.lag === null ? null : fixed2(s.lag),
    level: s.level,
    runRate: money(f.runRate),
    runRateMonths: f.runRateMonths,
    checkpoint: cp ? { quarter: cp.quarter, date: cp.date, percent: fixed2(cp.percent) } : null,
    projectedRate: cp?.projectedRate ? fixed2(cp.projectedRate) : null,
    projectedLevel: cp?.projectedLevel ?? null,
    willMissCheckpoint: f.willMissCheckpoint,
    ...(quarterly ? {} : { customSchedule: true as const }),
  };
}

/** What the subject's figures call for: the alert level, or null when no alert of the kind is due. */
function due(kind: LagAlertKind, f: AlertFigures): AlertSeverity | null {
  if (kind === 'level') return f.level === 'yellow' || f.level === 'red' ? f.level : null;
  if (!f.willMissCheckpoint) return null;
  return f.projectedLevel === 'yellow' || f.projectedLevel === 'red' ? f.projectedLevel : null;
}

function standingText(f: AlertFigures): string {
  if (f.rate === null || f.lag === null) return `截至${f.month}月末无预算`;
  const lag = new Decimal(f.lag);
  const cmp = lag.isZero()
    ? `与序时进度${percent2(f.schedule)}持平`
    : `${lag.gt(0) ? '低于' : '高于'}序时进度${percent2(f.schedule)}共${percentPointsAbs(lag)}个百分点`;
  return `截至${f.month}月末预算执行率${percent2(f.rate)}，${cmp}`;
}

function projectionText(f: AlertFigures): string {
  const cp = f.checkpoint;
  if (!cp || f.projectedRate === null)
    return `按近${f.runRateMonths}个月月均支出${yuanWan(f.runRate)}测算，${noCheckpointLeft(!f.customSchedule)}`;
  const gap = new Decimal(cp.percent).minus(f.projectedRate);
  const target = checkpointTarget(cp, cp.percent);
  const cmp = gap.gt(0) ? `低于${target}${percentPointsAbs(gap)}个百分点` : `可达到${target}`;
  return `按近${f.runRateMonths}个月月均支出${yuanWan(f.runRate)}测算，预计${dateCn(cp.date)}执行率${percent2(f.projectedRate)}，${cmp}`;
}

function raisedMessage(
  name: string,
  kind: LagAlertKind,
  level: AlertSeverity,
  reason: AlertChangeReason,
  f: AlertFigures,
): string {
  const label = LEVEL_LABELS[level];
  if (kind === 'level') {
    const verb = reason === 'escalated' ? `由黄色预警升级为${label}` : `触发${label}`;
    return `${name}${standingText(f)}，${verb}。`;
  }
  const verb = reason === 'escalated' ? `进度预测预警由黄色升级为${label}` : `触发进度预测${label}`;
  return `${name}${projectionText(f)}，${verb}。`;
}

function clearedMessage(
  name: string,
  alert: LagOpenAlert,
  reason: AlertChangeReason,
  f: AlertFigures,
  replacedBy: string | null,
): string {
  const label = LEVEL_LABELS[alert.level];
  const what = alert.kind === 'level' ? label : `进度预测${label}`;
  if (reason === 'replaced') return `${name}${what}已升级为红色预警（${replacedBy}），原预警关闭。`;
  if (reason === 'not_applicable') {
    if (alert.kind === 'forecast' && f.rate !== null) return `${name}${projectionText(f)}，${what}解除。`;
    return `${name}${standingText(f)}，不再计算预算执行率，${what}解除。`;
  }
  if (alert.kind === 'level') return `${name}${standingText(f)}，恢复正常，${what}解除。`;
  const within =
    f.checkpoint && f.projectedRate !== null && new Decimal(f.checkpoint.percent).gt(f.projectedRate)
      ? '，差距在预警阈值以内'
      : '';
  return `${name}${projectionText(f)}${within}，${what}解除。`;
}

/**
 * One step of the alert fold. `previous` is the open set after the last step (alerts of other
 * streams pass through untouched); `report` is executionReport at the month's last day;
 * `at.month` must equal report.throughMonth, `at.date` is the evaluation date.
 */
export function evaluateAlerts(
  previous: readonly OpenAlert[],
  report: ExecutionReport,
  at: { month: number; date: IsoDate },
): AlertEvaluation<LagAlertChange> {
  if (at.month !== report.throughMonth) {
    throw new Error(
      `at.month ${at.month} does not match the report's month ${report.throughMonth} (asOf ${report.asOf})`,
    );
  }
  const { department, year } = report;
  // The monitoring alerts of the stream are monitoring-alerts.ts's: they pass through untouched.
  const ours = (a: OpenAlert): a is LagOpenAlert => a.department === department && a.year === year && isLagAlert(a);
  const subjects: Subject[] = [
    { subject: 'department', name: report.departmentName, standing: report.total, forecast: report.total.forecast },
    ...report.units.map((u) => ({ subject: u.unit, name: u.name, standing: u as Standing, forecast: u.forecast })),
  ];
  const raised: LagAlertChange[] = [];
  const cleared: LagAlertChange[] = [];
  const open: OpenAlert[] = previous.filter((a) => !ours(a));

  const change = (
    kind: 'raised' | 'cleared',
    alert: LagOpenAlert,
    reason: AlertChangeReason,
    figures: AlertFigures,
    message: string,
    link: { replaces?: string; replacedBy?: string } = {},
  ): LagAlertChange => alertChange(kind, alert, reason, figures, message, at, link);

  const clear = (
    a: LagOpenAlert,
    reason: AlertChangeReason,
    f: AlertFigures,
    name: string,
    replacedBy: string | null = null,
  ) =>
    cleared.push(
      change('cleared', a, reason, f, clearedMessage(name, a, reason, f, replacedBy), replacedBy ? { replacedBy } : {}),
    );

  for (const s of subjects) {
    const figures = figuresOf(at.month, s.standing, s.forecast, report.quarterly);
    for (const kind of ['level', 'forecast'] as const) {
      const current = previous.filter(ours).filter((a) => a.subject === s.subject && a.kind === kind);
      const wanted = due(kind, figures);
      if (wanted === null) {
        const applicable = figures.level !== null && (kind === 'level' || figures.checkpoint !== null);
        for (const a of current) clear(a, applicable ? 'recovered' : 'not_applicable', figures, s.name);
        continue;
      }
      const worst = current.reduce((m, a) => Math.max(m, SEVERITY[a.level]), 0);
      if (SEVERITY[wanted] <= worst) {
        open.push(...current);
        continue;
      }
      const reason: AlertChangeReason = current.length ? 'escalated' : 'worsened';
      const alert: LagOpenAlert = {
        id: alertId(department, year, s.subject, kind, wanted, at.month),
        department,
        year,
        subject: s.subject,
        subjectName: s.name,
        kind,
        level: wanted,
        month: at.month,
        raisedOn: at.date,
        figures,
        message: raisedMessage(s.name, kind, wanted, reason, figures),
      };
      const replaces = current.map((a) => a.id).join(',') || undefined;
      raised.push(change('raised', alert, reason, figures, alert.message, replaces ? { replaces } : {}));
      for (const a of current) clear(a, 'replaced', figures, s.name, alert.id);
      open.push(alert);
    }
  }

  // Open alerts of subjects no longer in the report (no longer in the stream or filtered out).
  const known = new Set(subjects.map((s) => s.subject));
  for (const a of previous.filter(ours)) {
    if (known.has(a.subject)) continue;
    const f: AlertFigures = { ...a.figures, month: at.month };
    cleared.push(
      change('cleared', a, 'not_applicable', f, `${a.subjectName}已不在本期统计范围内，${LEVEL_LABELS[a.level]}解除。`),
    );
  }
  return { raised, cleared, open };
}
