/**
 * Channel subscriptions, the delivery outbox and the record of completed deliveries.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.js';

type Trx = Transaction<Database>;

export type Channel = 'webhook' | 'wecom' | 'dingtalk' | 'log';
export const CHANNELS: readonly Channel[] = ['webhook', 'wecom', 'dingtalk', 'log'];

export interface Subscription {
  id: number;
  department: string;
  /** A unit id, 'department' (the department summary and its alerts) or '*' (everything). */
  subject: string;
  channel: Channel;
  url: string | null;
  active: boolean;
  createdAt: string;
  /** A DingTalk robot secret is stored (encrypted; never shown, read only when sending). */
  hasSecret: boolean;
}

export type OutboxStatus = 'pending' | 'enqueued' | 'delivered' | 'failed';

export interface OutboxItem {
  id: number;
  jobId: string;
  channel: Channel;
  subscriptionId: number | null;
  stream: string;
  kind: 'notice' | 'alert';
  itemId: string;
  url: string | null;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  enqueuedAt: string | null;
  finishedAt: string | null;
}

export type NewOutboxItem = Pick<
  OutboxItem,
  'jobId' | 'channel' | 'subscriptionId' | 'stream' | 'kind' | 'itemId' | 'url' | 'payload'
>;

function iso(v: string): string;
function iso(v: string | null): string | null;
function iso(v: string | null): string | null {
  return v === null ? null : new Date(v).toISOString();
}

function toSubscription(r: Record<string, unknown>): Subscription {
  return {
    id: Number(r.id),
    department: r.department as string,
    subject: r.subject as string,
    channel: r.channel as Channel,
    url: (r.url as string | null) ?? null,
    active: Boolean(r.active),
    createdAt: iso(r.created_at as string),
    hasSecret: r.secret_enc !== null && r.secret_enc !== undefined,
  };
}

function toOutbox(r: Record<string, unknown>): OutboxItem {
  return {
    id: Number(r.id),
    jobId: r.job_id as string,
    channel: r.channel as Channel,
    subscriptionId: r.subscription_id === null ? null : Number(r.subscription_id),
    stream: r.stream_id as string,
    kind: r.kind as 'notice' | 'alert',
    itemId: r.item_id as string,
    url: (r.url as string | null) ?? null,
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: iso(r.created_at as string),
    enqueuedAt: iso(r.enqueued_at as string | null),
    finishedAt: iso(r.finished_at as string | null),
  };
}

export class DeliveryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** `secretEnc`: a robot secret, already encrypted (libs/application/notices/secrets.ts). */
  async addSubscription(
    s: Pick<Subscription, 'department' | 'subject' | 'channel' | 'url'>,
    secretEnc: string | null = null,
  ): Promise<Subscription> {
    const row = await this.db
      .insertInto('subscriptions')
      .values({ ...s, secret_enc: secretEnc })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSubscription(row);
  }

  /** The encrypted robot secret of the subscription an outbox row goes to (null without one). */
  async secretForJob(jobId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('outbox as o')
      .innerJoin('subscriptions as s', 's.id', 'o.subscription_id')
      .select('s.secret_enc')
      .where('o.job_id', '=', jobId)
      .executeTakeFirst();
    return row?.secret_enc ?? null;
  }

  async listSubscriptions(department?: string, includeInactive = false): Promise<Subscription[]> {
    let q = this.db.selectFrom('subscriptions').selectAll();
    if (department) q = q.where('department', '=', department);
    if (!includeInactive) q = q.where('active', '=', true);
    return (await q.orderBy('id').execute()).map(toSubscription);
  }

  async deactivateSubscription(id: number): Promise<Subscription | null> {
    const row = await this.db
      .updateTable('subscriptions')
      .set({ active: false })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toSubscription(row) : null;
  }

  async subscriptionsFor(trx: Trx, department: string): Promise<Subscription[]> {
    return (
      await trx
        .selectFrom('subscriptions')
        .selectAll()
        .where('department', '=', department)
        .where('active', '=', true)
        .orderBy('id')
        .execute()
    ).map(toSubscription);
  }

  /** Adds outbox rows in the caller's transaction; a job id already in the outbox is left as it is. */
  async enqueueOutbox(trx: Trx, items: NewOutboxItem[]): Promise<number> {
    if (items.length === 0) return 0;
    const r = await trx
      .insertInto('outbox')
      .values(
        items.map((i) => ({
          job_id: i.jobId,
          channel: i.channel,
          subscription_id: i.subscriptionId,
          stream_id: i.stream,
          kind: i.kind,
          item_id: i.itemId,
          url: i.url,
          payload: JSON.stringify(i.payload),
        })),
      )
      .onConflict((oc) => oc.column('job_id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  }

  /**
   * Hands pending rows to `dispatch` (e.g. BullMQ add) and marks them enqueued, in one transaction
   * per call: if dispatch throws (Redis down) nothing is marked and the rows stay pending.
   */
  async relayPending(limit: number, dispatch: (items: OutboxItem[]) => Promise<void>): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('status', '=', 'pending')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      const items = rows.map(toOutbox);
      await dispatch(items);
      await trx
        .updateTable('outbox')
        .set({ status: 'enqueued', enqueued_at: sql`now()` as never })
        .where(
          'id',
          'in',
          items.map((i) => i.id),
        )
        .where('status', '=', 'pending')
        .execute();
      return items.length;
    });
  }

  async isDelivered(jobId: string): Promise<boolean> {
    return !!(await this.db.selectFrom('deliveries').select('job_id').where('job_id', '=', jobId).executeTakeFirst());
  }

  /** Records a delivery once; returns false when the job id was already recorded. */
  async markDelivered(jobId: string, channel: Channel, statusCode: number | null, attempts: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .insertInto('deliveries')
        .values({ job_id: jobId, channel, status_code: statusCode })
        .onConflict((oc) => oc.column('job_id').doNothing())
        .executeTakeFirst();
      await trx
        .updateTable('outbox')
        .set({ status: 'delivered', attempts, last_error: null, finished_at: sql`now()` as never })
        .where('job_id', '=', jobId)
        .execute();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    });
  }

  async recordAttempt(jobId: string, attempts: number, error: string, final: boolean): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({
        attempts,
        last_error: error.slice(0, 2000),
        ...(final ? { status: 'failed', finished_at: sql`now()` as never } : {}),
      })
      .where('job_id', '=', jobId)
      .where('status', '!=', 'delivered')
      .execute();
  }

  /** Puts failed (or stuck enqueued) rows back to pending so the relay sends them again. */
  async requeue(jobIds: string[] | 'failed'): Promise<number> {
    if (Array.isArray(jobIds) && jobIds.length === 0) return 0;
    let q = this.db.updateTable('outbox').set({ status: 'pending', enqueued_at: null, finished_at: null });
    q =
      jobIds === 'failed'
        ? q.where('status', '=', 'failed')
        : q.where('job_id', 'in', jobIds).where('status', 'in', ['failed', 'enqueued']);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Rows handed to an in-process runner that died before finishing them. */
  async enqueuedItems(limit = 1000, olderThanMs = 0): Promise<OutboxItem[]> {
    let q = this.db.selectFrom('outbox').selectAll().where('status', '=', 'enqueued');
    if (olderThanMs > 0)
      q = q.where('enqueued_at', '<', sql<string>`now() - make_interval(secs => ${olderThanMs / 1000})`);
    return (await q.orderBy('id').limit(limit).execute()).map(toOutbox);
  }

  async getOutbox(jobId: string): Promise<OutboxItem | null> {
    const r = await this.db.selectFrom('outbox').selectAll().where('job_id', '=', jobId).executeTakeFirst();
    return r ? toOutbox(r) : null;
  }

  async listOutbox(filter: { status?: OutboxStatus; stream?: string; limit?: number } = {}): Promise<OutboxItem[]> {
    let q = this.db.selectFrom('outbox').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.stream) q = q.where('stream_id', '=', filter.stream);
    return (
      await q
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 200)
        .execute()
    ).map(toOutbox);
  }

  async countDeliveries(): Promise<number> {
    const r = await this.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async outboxCounts(): Promise<Record<OutboxStatus, number>> {
    const rows = await this.db
      .selectFrom('outbox')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const out: Record<OutboxStatus, number> = { pending: 0, enqueued: 0, delivered: 0, failed: 0 };
    for (const r of rows) out[r.status as OutboxStatus] = Number(r.n);
    return out;
  }
}
