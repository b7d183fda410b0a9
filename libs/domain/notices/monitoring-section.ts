/**
 * The performance-monitoring section of a unit's monthly notice (月度支出情况通报): the unit's
 * deviations still without an explanation (unexplained or overdue) and its measures due by the end
 * of the next month or overdue, from the monitoring answer at the month's last day. Only present
 * when there is something to list, so a v1 stream's notices (and any month with nothing to list)
 * read exactly as before.
 * Pure: the caller passes the monitoring answer in.
 */
import { lastDayOfMonth } from '../dates.js';
import type { ActionStatus, IsoDate, SubjectKind } from '../events.js';
import type { MonitoringReport } from '../monitoring/monitoring.js';

export interface NoticeDeviation {
  subject: { kind: SubjectKind; id: string | null; name: string };
  level: 'yellow' | 'red';
  /** When its alert opened (the first month end of the yellow/red run). */
  since: IsoDate;
  /** Working days after `since` up to and including the month's end. */
  workingDaysOpen: number;
  /** unexplained: not yet 10 working days; overdue: more. */
  status: 'unexplained' | 'overdue';
}

export interface NoticeMeasure {
  /** The DeviationExplained stating the measure. */
  eventId: string;
  subject: { kind: SubjectKind | 'indicator'; id: string | null; name: string };
  measure: string;
  due: IsoDate;
  /** The latest follow-up known (CorrectiveActionReported); null: none reported (未报送). */
  status: ActionStatus | null;
  statusOn: IsoDate | null;
  /** Past due (before the month's end) and not done. */
  overdue: boolean;
}

export interface NoticeMonitoring {
  deviations: NoticeDeviation[];
  measures: NoticeMeasure[];
  /** The measures listed are due on or before this date (the next month's last day), or overdue. */
  dueBy: IsoDate;
}

/** The last day of the month after the one `date` ends (December → January 31 of the next year). */
export function nextMonthEnd(date: IsoDate): IsoDate {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month === 12 ? lastDayOfMonth(year + 1, 1) : lastDayOfMonth(year, month + 1);
}

/**
 * What a unit's notice lists, from the monitoring answer as of the month's last day (the whole
 * department's; the unit's items are picked here); null when there is nothing to list.
 * - deviations: the explanations about the unit, its projects and its lines whose status is
 *   `unexplained` or `overdue`, in the answer's order;
 * - measures: the measures about them with a due date that is overdue (past due and not done), or
 *   due from the month's end through the end of the next month (whatever their status), in stream order.
 */
export function unitMonitoringSection(report: MonitoringReport, unit: string): NoticeMonitoring | null {
  const dueBy = nextMonthEnd(report.asOf);
  const deviations: NoticeDeviation[] = report.explanations
    .filter((e) => e.subject.unit === unit && e.status !== 'explained')
    .map((e) => ({
      subject: { kind: e.subject.kind as SubjectKind, id: e.subject.id, name: e.subject.name },
      level: e.level,
      since: e.since,
      workingDaysOpen: e.workingDaysOpen,
      status: e.status as NoticeDeviation['status'],
    }));
  const measures: NoticeMeasure[] = report.measures.flatMap((m) => {
    if (m.subject.unit !== unit || m.due === null) return [];
    const due = m.due;
    if (!m.overdue && (due < report.asOf || due > dueBy)) return [];
    return [
      {
        eventId: m.eventId,
        subject: { kind: m.subject.kind, id: m.subject.id, name: m.subject.name },
        measure: m.measure,
        due,
        status: m.status?.status ?? null,
        statusOn: m.status?.on ?? null,
        overdue: m.overdue,
      },
    ];
  });
  if (deviations.length === 0 && measures.length === 0) return null;
  return { deviations, measures, dueBy };
}
