/**
 * Month close: after a month's spending is in, issue one notice per business unit and one
 * department summary, evaluate early alerts, and queue their deliveries, all in one transaction
 * (notices, alerts and outbox rows commit together). Closing a month again is a no-op unless a
 * re-issue is asked for with a reason; a re-issue is a new revision with its own job ids.
 *
 * For a stream that takes part in performance monitoring (contract v1.1), the monitoring answer at
 * the month's last day, as known on the close's knownOn, adds the monitoring alerts (divergence,
 * unexplained, target-at-risk) to the lag alerts and a section to each unit's notice that has
 * something to list; a v1 stream's notices and alerts are exactly as before.
 */
import type { HolidayCalendar } from '#domain/calendar/holiday-calendar.js';
import { lastDayOfMonth } from '#domain/dates.js';
import { executionReport, knownBy } from '#domain/execution/execution.js';
import type { ExecutionFacts } from '#domain/execution/facts.js';
import { streamId } from '#domain/events.js';
import { MONITORING_EVENT_TYPES, monitoringStateFrom } from '#domain/monitoring/monitoring-state.js';
import { monitoringReport, type MonitoringReport } from '#domain/monitoring/monitoring.js';
import { evaluateAlerts, type AlertChange } from '#domain/notices/alerts.js';
import { evaluateMonitoringAlerts, takesPartInMonitoring } from '#domain/notices/monitoring-alerts.js';
import { unitMonitoringSection } from '#domain/notices/monitoring-section.js';
import {
  dingtalkPayload,
  logLine,
  maskTarget,
  titleOf,
  webhookPayload,
  wecomPayload,
  type Deliverable,
} from '#domain/notices/channels.js';
import { buildDepartmentNotice, buildUnitNotice, withMonitoring, type Notice } from '#domain/notices/notice.js';
import { renderNoticeHtml, renderNoticeMarkdown } from '#domain/notices/render.js';
import type { DeliveryRepository, NewOutboxItem, Subscription } from '#persistence/delivery.repository.js';
import type { EventsRepository } from '#persistence/events.repository.js';
import type { ExecutionRepository } from '#persistence/execution.repository.js';
import type { NoticesRepository } from '#persistence/notices.repository.js';
import { loadHolidayCalendar } from '../calendar/calendar.loader.js';
import { InvalidInputError, yearNotOpened } from '../common/errors.js';
import { EXECUTION_PROJECTION, type ExecutionProjector } from '../execution/execution.projector.js';

export interface CloseMonthOptions {
  /** Figures as known on this date (replays of past years); default: everything known now. */
  knownOn?: string | null;
  /** Issue new revisions of notices already issued for the month. */
  reissue?: boolean;
  reason?: string;
  /** Who closed: 'api', 'cli', 'schedule', 'replay'. */
  closedBy: string;
  /** Today (Asia/Shanghai), passed in: a month that has not ended cannot be closed. */
  today: string;
}

export interface CloseMonthResult {
  stream: string;
  month: number;
  status: 'closed' | 'reissued' | 'already-closed';
  notices: { id: string; revision: number; subject: string; title: string; level: string | null }[];
  alerts: { raised: AlertChange[]; cleared: AlertChange[]; evaluated: boolean };
  deliveries: number;
}

/** Which subscriptions receive an item about `subject` ('department' or a unit id). */
export function recipientsFor(subs: Subscription[], subject: string): Subscription[] {
  return subs.filter((s) => s.subject === '*' || s.subject === subject);
}

export function payloadFor(channel: Subscription['channel'], item: Deliverable): unknown {
  switch (channel) {
    case 'webhook':
      return webhookPayload(item);
    case 'wecom':
      return wecomPayload(item);
    case 'dingtalk':
      return dingtalkPayload(item);
    case 'log':
      return { line: logLine(item), title: titleOf(item) };
  }
}

function outboxItems(
  stream: string,
  kind: 'notice' | 'alert',
  itemId: string,
  jobBase: string,
  item: Deliverable,
  subs: Subscription[],
): NewOutboxItem[] {
  return subs.map((s) => ({
    jobId: `${jobBase}:s${s.id}`,
    channel: s.channel,
    subscriptionId: s.id,
    stream,
    kind,
    itemId,
    url: s.url,
    payload: payloadFor(s.channel, item),
  }));
}

export class MonthCloseService {
  private readonly listeners: ((r: CloseMonthResult) => void)[] = [];

  constructor(
    private readonly events: EventsRepository,
    private readonly execution: ExecutionRepository,
    private readonly projector: ExecutionProjector,
    private readonly notices: NoticesRepository,
    private readonly delivery: DeliveryRepository,
    /** Working days for the explanation period (the monitoring answers' calendar). */
    private readonly calendar: HolidayCalendar = loadHolidayCalendar(),
  ) {}

  /** Called after a close committed outbox rows (relay wake-up). */
  onClosed(listener: (r: CloseMonthResult) => void): void {
    this.listeners.push(listener);
  }

  async close(department: string, year: number, month: number, opts: CloseMonthOptions): Promise<CloseMonthResult> {
    if (!Number.isInteger(month) || month < 1 || month > 12) {
      throw new InvalidInputError('month must be 1..12', [
        { index: 0, path: 'month', reason: `must be a month number 1..12, got ${month}` },
      ]);
    }
    const monthEnd = lastDayOfMonth(year, month);
    if (monthEnd >= opts.today) {
      throw new InvalidInputError('the month has not ended', [
        {
          index: 0,
          path: 'month',
          reason: `${year}-${String(month).padStart(2, '0')} ends on ${monthEnd}; it can be closed from the next day`,
        },
      ]);
    }
    if (opts.reissue && !opts.reason?.trim()) {
      throw new InvalidInputError('a re-issue needs a reason', [
        { index: 0, path: 'reason', reason: 'is required when reissue=true' },
      ]);
    }
    const stream = streamId(department, year);
    // The read model must hold every event of the stream committed so far before figures are computed.
    const streamVersion = await this.events.streamVersion(stream);
    if (streamVersion === 0) throw yearNotOpened(department, year);
    await this.projector.catchUpStream(stream, streamVersion);
    const facts = await this.execution.loadFacts(stream);
    const knownOn = opts.knownOn ?? null;
    if (!facts?.meta || (knownOn && facts.meta.openedOn > knownOn)) throw yearNotOpened(department, year, knownOn);
    const projectionPosition = (await this.execution.checkpoint(EXECUTION_PROJECTION))?.position ?? 0;
    const date = knownOn ?? opts.today;
    // The monitoring events up to the same version (only those types, one statement).
    const monitoringState = monitoringStateFrom(
      await this.events.readStreamTypes(stream, MONITORING_EVENT_TYPES, streamVersion),
    );
    const monitoringAt = (): MonitoringReport | null =>
      takesPartInMonitoring(monitoringState, knownOn)
        ? monitoringReport(facts, monitoringState, { asOf: monthEnd, knownOn }, this.calendar)
        : null;

    const result = await this.notices.transaction(async (trx) => {
      const { existing } = await this.notices.lockMonth(trx, {
        stream,
        month,
        knownOn,
        streamVersion,
        projectionPosition,
        closedBy: opts.closedBy,
      });
      if (existing && !opts.reissue) {
        const issued = await this.notices.listNotices(stream, { month }, trx);
        return {
          stream,
          month,
          status: 'already-closed' as const,
          notices: issued.map((n) => ({
            id: n.noticeId,
            revision: n.revision,
            subject: n.subject,
            title: n.title,
            level: levelOf(n.content),
          })),
          alerts: { raised: [], cleared: [], evaluated: false },
          deliveries: 0,
        };
      }
      const subs = await this.delivery.subscriptionsFor(trx, department);
      const monitoring = monitoringAt();
      const built = this.buildNotices(facts, month, knownOn, monitoring);
      const outbox: NewOutboxItem[] = [];
      const out: CloseMonthResult['notices'] = [];
      const computedFrom = { stream, streamVersion, throughVersion: streamVersion, projectionPosition, knownOn, month };
      for (const notice of built) {
        const subject = notice.kind === 'unit' ? notice.unit : 'department';
        const revision = (await this.notices.latestRevision(trx, notice.id)) + 1;
        const recipients = recipientsFor(subs, subject);
        const title = titleOf(notice);
        await this.notices.insertNotice(trx, {
          noticeId: notice.id,
          revision,
          stream,
          department,
          year,
          subject,
          month,
          title,
          markdown: renderNoticeMarkdown(notice),
          html: renderNoticeHtml(notice),
          content: notice,
          // Masked: robot keys and webhook paths are for the delivery handler (outbox, subscription),
          // not for everyone who reads the notice.
          recipients: recipients.map((s) => ({
            subscription: s.id,
            channel: s.channel,
            target: maskTarget(s.channel, s.url),
          })),
          computedFrom,
          reason: existing ? (opts.reason ?? null) : null,
        });
        const jobBase = revision === 1 ? notice.id : `${notice.id}:r${revision}`;
        outbox.push(...outboxItems(stream, 'notice', notice.id, jobBase, notice, recipients));
        out.push({ id: notice.id, revision, subject, title, level: notice.figures.level });
      }
      // Alerts move forward month by month: a late close of an earlier month does not re-run them.
      let alerts: CloseMonthResult['alerts'] = { raised: [], cleared: [], evaluated: false };
      if (month > (await this.notices.lastAlertMonth(trx, stream))) {
        const report = executionReport(facts, { asOf: monthEnd, knownOn, source: 'fiscal' });
        const openAlerts = await this.notices.openAlerts(trx, stream);
        const lag = evaluateAlerts(openAlerts, report, { month, date });
        const mon = evaluateMonitoringAlerts(openAlerts, { monitoring, execution: report }, { month, date });
        const evaluation = { raised: [...lag.raised, ...mon.raised], cleared: [...lag.cleared, ...mon.cleared] };
        await this.notices.applyAlertChanges(trx, stream, evaluation);
        for (const change of [...evaluation.cleared, ...evaluation.raised]) {
          outbox.push(
            ...outboxItems(stream, 'alert', change.alertId, change.id, change, recipientsFor(subs, change.subject)),
          );
        }
        alerts = { raised: evaluation.raised, cleared: evaluation.cleared, evaluated: true };
      }
      await this.notices.updateMonth(trx, stream, month, {
        knownOn,
        streamVersion,
        projectionPosition,
        closedBy: opts.closedBy,
        ...(alerts.evaluated ? { alertsEvaluated: true } : {}),
      });
      const deliveries = await this.delivery.enqueueOutbox(trx, outbox);
      return {
        stream,
        month,
        status: existing ? ('reissued' as const) : ('closed' as const),
        notices: out,
        alerts,
        deliveries,
      };
    });
    if (result.deliveries > 0) for (const l of this.listeners) l(result);
    return result;
  }

  private buildNotices(
    facts: ExecutionFacts,
    month: number,
    knownOn: string | null,
    monitoring: MonitoringReport | null,
  ): Notice[] {
    return [
      buildDepartmentNotice(facts, { month, knownOn }),
      ...facts.units
        .filter((u) => knownBy(u, knownOn))
        .map((u) => {
          const notice = buildUnitNotice(facts, { unit: u.unit, month, knownOn });
          return monitoring ? withMonitoring(notice, unitMonitoringSection(monitoring, u.unit)) : notice;
        }),
    ];
  }
}

function levelOf(content: unknown): string | null {
  return (content as { figures?: { level?: string | null } })?.figures?.level ?? null;
}
