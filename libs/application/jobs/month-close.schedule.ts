/**
 * The monthly close schedule: a cron (Asia/Shanghai) that only enqueues one close-month job per
 * open department-year; the job handler does the work (and is retried on failure).
 */
import { monthKey } from '#domain/dates.js';
import type { ExecutionRepository } from '#persistence/execution.repository.js';
import type { JobRunner } from './jobs.js';

export const SCHEDULE_TIME_ZONE = 'Asia/Shanghai';

/** Six-field cron expression (seconds first) for the close day and time. */
export function monthCloseCron(day: number, time: string): string {
  const [hh, mm] = time.split(':').map(Number);
  return `0 ${mm} ${hh} ${day} * *`;
}

/** The month a close on `today` (Asia/Shanghai) is for: the previous calendar month. */
export function monthToClose(today: string): { year: number; month: number } {
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  return m === 1 ? { year: y - 1, month: 12 } : { year: y, month: m - 1 };
}

/** Enqueues the close of the previous month for every department-year not closed yet; returns the jobs. */
export async function enqueueMonthCloses(
  repo: ExecutionRepository,
  runner: JobRunner,
  today: string,
): Promise<{ department: string; year: number; month: number }[]> {
  const { year, month } = monthToClose(today);
  const streams = (await repo.listStreams()).filter((s) => s.year === year && !s.closedOn);
  const jobs = streams.map((s) => ({ department: s.department, year, month }));
  for (const j of jobs) await runner.enqueueCloseMonth(j);
  return jobs;
}

export function describeSchedule(day: number, time: string): string {
  return `every month on day ${day} at ${time} ${SCHEDULE_TIME_ZONE} (closes the previous month, e.g. ${monthKey(2024, 1)} on 2024-02-${String(day).padStart(2, '0')})`;
}
