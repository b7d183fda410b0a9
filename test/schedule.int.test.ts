/** The monthly close schedule: cron in Asia/Shanghai that only enqueues, and the job it enqueues doing the close. */
import { createServices } from '#application/services.js';
import { InProcessRunner } from '#application/jobs/in-process.runner.js';
import type { CloseMonthJobData } from '#application/jobs/jobs.js';
import { enqueueMonthCloses, monthCloseCron, monthToClose } from '#application/jobs/month-close.schedule.js';
import { startTestApp } from './support/app.js';
import { testDatabase } from './support/databases.js';
import { sampleEvents } from './support/sample.js';

test('the previous month is closed; January closes December of the year before', () => {
  expect(monthToClose('2023-07-05')).toEqual({ year: 2023, month: 6 });
  expect(monthToClose('2024-01-05')).toEqual({ year: 2023, month: 12 });
  expect(monthCloseCron(5, '09:30')).toBe('0 30 9 5 * *');
});

test('the schedule enqueues one close per open department-year, and the job closes the month', async () => {
  const t = await testDatabase('pglite');
  try {
    const s = createServices(t.db);
    const open = sampleEvents().filter(
      (e) => e.type !== 'YearClosed' && e.type !== 'SelfEvaluationSubmitted' && e.type !== 'AssessmentRecorded',
    );
    await s.ingest.ingest(open);
    await s.ingest.ingest([
      { ...sampleEvents()[0], id: 'closed-year-open', department: 'closed-dept' },
      {
        id: 'closed-year-close',
        type: 'YearClosed',
        department: 'closed-dept',
        year: 2023,
        occurredAt: '2023-12-31',
        data: {},
      },
    ]);
    await s.projector.catchUp();
    const closed: CloseMonthJobData[] = [];
    const runner = new InProcessRunner(
      {
        deliver: async () => {},
        deliverFailed: async () => {},
        closeMonth: async (job) => {
          closed.push(job);
          await s.monthClose.close(job.department, job.year, job.month, { closedBy: 'schedule', today: '2023-07-05' });
        },
      },
      { attempts: 3, backoffMs: 10 },
    );
    const jobs = await enqueueMonthCloses(s.executionRepo, runner, '2023-07-05');
    expect(jobs).toEqual([{ department: 'yantian-emergency', year: 2023, month: 6 }]);
    await runner.idle();
    expect(closed).toEqual(jobs);
    const months = await s.notices.months('yantian-emergency/2023');
    expect(months.map((m) => [m.month, m.closedBy, m.alertsEvaluated])).toEqual([[6, 'schedule', true]]);
    expect(await s.notices.listNotices('yantian-emergency/2023', { month: 6 })).toHaveLength(6);
  } finally {
    await t.dispose();
  }
});

test('the API registers the cron with the Asia/Shanghai time zone and the configured day and time', async () => {
  const t = await startTestApp('pglite', { monthCloseDay: 7, monthCloseTime: '08:15' });
  try {
    const { SchedulerRegistry } = await import('@nestjs/schedule');
    const job = t.app.get(SchedulerRegistry).getCronJob('month-close');
    expect(job.cronTime.source).toBe('0 15 8 7 * *');
    expect(job.cronTime.timeZone).toBe('Asia/Shanghai');
    expect(job.isActive).toBe(true);
  } finally {
    await t.close();
  }
});
