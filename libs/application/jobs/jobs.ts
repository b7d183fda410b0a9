/**
 * Typed job names and payloads. Job ids are deterministic, so enqueuing the same work twice is a
 * no-op in BullMQ (and the deliveries table refuses a second delivery of one job id).
 */
import type { Channel, OutboxItem } from '#persistence/delivery.repository.js';

export interface DeliverJobData {
  jobId: string;
  channel: Channel;
  url: string | null;
  payload: unknown;
}

export interface CloseMonthJobData {
  department: string;
  year: number;
  month: number;
}

export interface JobDataByName {
  deliver: DeliverJobData;
  'close-month': CloseMonthJobData;
}

export type JobName = keyof JobDataByName;

export const DELIVERY_QUEUE_PREFIX = 'paceline-deliver-';
export const MONTH_CLOSE_QUEUE = 'paceline-month-close';

export function deliveryQueue(channel: Channel): string {
  return `${DELIVERY_QUEUE_PREFIX}${channel}`;
}

export function closeMonthJobId(j: CloseMonthJobData): string {
  return `close-month:${j.department}:${j.year}:${j.month}`;
}

/** BullMQ refuses ':' in custom job ids (except its own 3-part form): store ids with '|' there. */
export function bullJobId(id: string): string {
  return id.replace(/:/g, '|');
}

export function deliverData(item: OutboxItem): DeliverJobData {
  return { jobId: item.jobId, channel: item.channel, url: item.url, payload: item.payload };
}

export interface RetryPolicy {
  attempts: number;
  /** First retry delay, ms; doubles on each further attempt. */
  backoffMs: number;
}

/** Runs jobs: through BullMQ queues when Redis is configured, otherwise in this process. */
export interface JobRunner {
  readonly kind: 'bullmq' | 'in-process';
  /** Hands deliveries over; must throw when they could not be accepted (the outbox keeps them). */
  dispatchDeliveries(items: OutboxItem[]): Promise<void>;
  enqueueCloseMonth(job: CloseMonthJobData): Promise<void>;
  /** Of the given handed-over deliveries, the job ids the runner no longer holds (e.g. Redis lost its data). */
  lost(items: OutboxItem[]): Promise<string[]>;
  /** Starts consuming (workers); a process that only enqueues does not call it. */
  startWorkers(): Promise<void>;
  /** Lets in-flight jobs finish, then stops. */
  close(): Promise<void>;
}

export interface JobHandlers {
  deliver(data: DeliverJobData, attempt: number): Promise<void>;
  /** Called after the last failed attempt of a delivery. */
  deliverFailed(data: DeliverJobData, attempts: number, error: Error): Promise<void>;
  closeMonth(data: CloseMonthJobData): Promise<void>;
}
