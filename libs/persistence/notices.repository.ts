/**
 * Month closes, issued notices (NoticeIssued records, with revisions) and alerts.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AlertChange, OpenAlert } from '#domain/notices/alerts.js';
import { maskRecipients, type Recipient } from '#domain/notices/channels.js';
import { required } from '#domain/required.js';
import type { Database } from './database.js';

type Trx = Transaction<Database>;

export interface MonthCloseRow {
  stream: string;
  month: number;
  knownOn: string | null;
  streamVersion: number;
  projectionPosition: number;
  alertsEvaluated: boolean;
  closedAt: string;
  closedBy: string;
}

export interface IssuedNotice {
  noticeId: string;
  revision: number;
  stream: string;
  department: string;
  year: number;
  subject: string;
  month: number;
  title: string;
  markdown: string;
  html: string;
  content: unknown;
  /** Channel and masked target of each subscription it was sent to (never a URL or a key). */
  recipients: Recipient[];
  computedFrom: unknown;
  reason: string | null;
  issuedAt: string;
}

/** A stored alert: a lag alert or a monitoring alert (OpenAlert's kinds), with its state. */
export type AlertRecord = OpenAlert & {
  status: 'open' | 'cleared';
  replaces: string | null;
  replacedBy: string | null;
  cleared: { month: number; on: string; reason: string; figures: unknown; message: string } | null;
};

const iso = (v: string) => new Date(v).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export class NoticesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Locks the (stream, month) close row, creating it on first close; returns the previous row if any. */
  async lockMonth(
    trx: Trx,
    row: Omit<MonthCloseRow, 'closedAt' | 'alertsEvaluated'>,
  ): Promise<{ existing: MonthCloseRow | null }> {
    const before = await trx
      .selectFrom('month_closes')
      .selectAll()
      .where('stream_id', '=', row.stream)
      .where('month', '=', row.month)
      .forUpdate()
      .executeTakeFirst();
    if (before) return { existing: toClose(before) };
    await trx
      .insertInto('month_closes')
      .values({
        stream_id: row.stream,
        month: row.month,
        known_on: row.knownOn,
        stream_version: row.streamVersion,
        projection_position: row.projectionPosition,
        closed_by: row.closedBy,
      })
      .execute();
    return { existing: null };
  }

  async updateMonth(
    trx: Trx,
    stream: string,
    month: number,
    set: {
      knownOn: string | null;
      streamVersion: number;
      projectionPosition: number;
      alertsEvaluated?: boolean;
      closedBy: string;
    },
  ): Promise<void> {
    await trx
      .updateTable('month_closes')
      .set({
        known_on: set.knownOn,
        stream_version: set.streamVersion,
        projection_position: set.projectionPosition,
        closed_by: set.closedBy,
        ...(set.alertsEvaluated !== undefined ? { alerts_evaluated: set.alertsEvaluated } : {}),
      })
      .where('stream_id', '=', stream)
      .where('month', '=', month)
      .execute();
  }

  /** The latest month whose alerts were evaluated (0 when none). */
  async lastAlertMonth(trx: Trx, stream: string): Promise<number> {
    const r = await trx
      .selectFrom('month_closes')
      .select((eb) => eb.fn.max<number>('month').as('m'))
      .where('stream_id', '=', stream)
      .where('alerts_evaluated', '=', true)
      .executeTakeFirst();
    return Number(r?.m ?? 0);
  }

  async months(stream: string): Promise<MonthCloseRow[]> {
    const rows = await this.db
      .selectFrom('month_closes')
      .selectAll()
      .where('stream_id', '=', stream)
      .orderBy('month')
      .execute();
    return rows.map(toClose);
  }

  async latestRevision(trx: Trx, noticeId: string): Promise<number> {
    const r = await trx
      .selectFrom('notices')
      .select((eb) => eb.fn.max<number>('revision').as('r'))
      .where('notice_id', '=', noticeId)
      .executeTakeFirst();
    return Number(r?.r ?? 0);
  }

  async insertNotice(trx: Trx, n: Omit<IssuedNotice, 'issuedAt'>): Promise<void> {
    await trx
      .insertInto('notices')
      .values({
        notice_id: n.noticeId,
        revision: n.revision,
        stream_id: n.stream,
        department: n.department,
        year: n.year,
        subject: n.subject,
        month: n.month,
        title: n.title,
        markdown: n.markdown,
        html: n.html,
        content: JSON.stringify(n.content),
        recipients: JSON.stringify(n.recipients),
        computed_from: JSON.stringify(n.computedFrom),
        reason: n.reason,
      })
      .execute();
  }

  /** Latest revision of each notice of a stream, optionally for one month / subject. */
  async listNotices(
    stream: string,
    filter: { month?: number; subject?: string; limit?: number } = {},
    executor: Trx | Kysely<Database> = this.db,
  ): Promise<IssuedNotice[]> {
    let q = executor
      .selectFrom('notices as n')
      .selectAll('n')
      .where('n.stream_id', '=', stream)
      .where(({ eb, selectFrom }) =>
        eb(
          'n.revision',
          '=',
          selectFrom('notices as m')
            .select((e) => e.fn.max('m.revision').as('r'))
            .whereRef('m.notice_id', '=', 'n.notice_id'),
        ),
      );
    if (filter.month !== undefined) q = q.where('n.month', '=', filter.month);
    if (filter.subject !== undefined) q = q.where('n.subject', '=', filter.subject);
    const rows = await q
      .orderBy('n.month', 'desc')
      .orderBy('n.subject')
      .limit(filter.limit ?? 500)
      .execute();
    return rows.map(toNotice);
  }

  async getNotice(noticeId: string, revision?: number): Promise<IssuedNotice | null> {
    let q = this.db.selectFrom('notices').selectAll().where('notice_id', '=', noticeId);
    q = revision !== undefined ? q.where('revision', '=', revision) : q.orderBy('revision', 'desc');
    const row = await q.limit(1).executeTakeFirst();
    return row ? toNotice(row) : null;
  }

  async openAlerts(trx: Trx | Kysely<Database>, stream: string): Promise<OpenAlert[]> {
    const rows = await trx
      .selectFrom('alerts')
      .selectAll()
      .where('stream_id', '=', stream)
      .where('status', '=', 'open')
      .orderBy('created_at')
      .orderBy('alert_id')
      .execute();
    return rows.map((r) => toAlert(r));
  }

  async applyAlertChanges(
    trx: Trx,
    stream: string,
    changes: { raised: AlertChange[]; cleared: AlertChange[] },
  ): Promise<void> {
    for (const c of changes.cleared) {
      await trx
        .updateTable('alerts')
        .set({
          status: 'cleared',
          cleared_month: c.month,
          cleared_on: c.date,
          cleared_reason: c.reason,
          cleared_figures: JSON.stringify(c.figures),
          cleared_message: c.message,
          replaced_by: c.replacedBy,
        })
        .where('alert_id', '=', c.alertId)
        .execute();
    }
    for (const c of changes.raised) {
      await trx
        .insertInto('alerts')
        .values({
          alert_id: c.alertId,
          stream_id: stream,
          department: c.department,
          year: c.year,
          subject: c.subject,
          subject_name: c.subjectName,
          kind: c.kind,
          level: c.level,
          month: c.month,
          raised_on: c.date,
          figures: JSON.stringify(c.figures),
          message: c.message,
          replaces: c.replaces,
        })
        .onConflict((oc) => oc.column('alert_id').doNothing())
        .execute();
    }
  }

  async listAlerts(stream: string, status: 'open' | 'cleared' | 'all', subject?: string): Promise<AlertRecord[]> {
    let q = this.db.selectFrom('alerts').selectAll().where('stream_id', '=', stream);
    if (status !== 'all') q = q.where('status', '=', status);
    if (subject) q = q.where('subject', '=', subject);
    const rows = await q.orderBy('month', 'desc').orderBy('subject').orderBy('kind').execute();
    return rows.map((r) => ({
      ...toAlert(r),
      status: r.status as 'open' | 'cleared',
      replaces: r.replaces,
      replacedBy: r.replaced_by,
      cleared:
        r.status === 'cleared'
          ? {
              month: Number(r.cleared_month),
              // Set together with status 'cleared' (applyAlertChanges).
              on: required(r.cleared_on, 'the date of a cleared alert'),
              reason: required(r.cleared_reason, 'the reason of a cleared alert'),
              figures: json(r.cleared_figures),
              message: r.cleared_message ?? '',
            }
          : null,
    }));
  }
}

function toClose(r: Database['month_closes'] extends infer T ? { [K in keyof T]: unknown } : never): MonthCloseRow {
  return {
    stream: r.stream_id as string,
    month: Number(r.month),
    knownOn: (r.known_on as string | null) ?? null,
    streamVersion: Number(r.stream_version),
    projectionPosition: Number(r.projection_position),
    alertsEvaluated: Boolean(r.alerts_evaluated),
    closedAt: iso(r.closed_at as string),
    closedBy: r.closed_by as string,
  };
}

function toNotice(r: { [K in keyof Database['notices']]: unknown }): IssuedNotice {
  return {
    noticeId: r.notice_id as string,
    revision: Number(r.revision),
    stream: r.stream_id as string,
    department: r.department as string,
    year: Number(r.year),
    subject: r.subject as string,
    month: Number(r.month),
    title: r.title as string,
    markdown: r.markdown as string,
    html: r.html as string,
    content: json(r.content),
    // Rows issued before recipients were stored masked still hold URLs: masked when read.
    recipients: maskRecipients(json(r.recipients)),
    computedFrom: json(r.computed_from),
    reason: (r.reason as string | null) ?? null,
    issuedAt: iso(r.issued_at as string),
  };
}

/** A row as an alert: its `figures` are those of its kind (a lag alert's or a monitoring alert's), as stored. */
function toAlert(r: { [K in keyof Database['alerts']]: unknown }): OpenAlert {
  return {
    id: r.alert_id as string,
    department: r.department as string,
    year: Number(r.year),
    subject: r.subject as string,
    subjectName: r.subject_name as string,
    kind: r.kind as OpenAlert['kind'],
    level: r.level as OpenAlert['level'],
    month: Number(r.month),
    raisedOn: r.raised_on as string,
    figures: json(r.figures),
    message: r.message as string,
  } as OpenAlert;
}
