import { Module } from '@nestjs/common';
import type { HolidayCalendar } from '#domain/calendar/holiday-calendar.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { AnswerStore } from '../answers/answer-store.js';
import { loadHolidayCalendar } from '../calendar/calendar.loader.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { ExecutionService } from '../execution/execution.service.js';
import { MonitoringService } from './monitoring.service.js';

/** The holiday calendar of the process (shipped years, replaced by PACELINE_HOLIDAYS_DIR's), read once at startup. */
export const HOLIDAY_CALENDAR = Symbol('HOLIDAY_CALENDAR');

/** The monitoring answers (绩效运行监控) and the finance bureau's roll-up. */
@Module({
  imports: [ExecutionModule],
  providers: [
    { provide: HOLIDAY_CALENDAR, useFactory: (): HolidayCalendar => loadHolidayCalendar() },
    {
      provide: MonitoringService,
      inject: [ExecutionService, ExecutionRepository, EventsRepository, HOLIDAY_CALENDAR, AnswerStore],
      useFactory: (
        execution: ExecutionService,
        repo: ExecutionRepository,
        events: EventsRepository,
        calendar: HolidayCalendar,
        answers: AnswerStore,
      ) => new MonitoringService(execution, repo, events, calendar, answers),
    },
  ],
  exports: [MonitoringService, HOLIDAY_CALENDAR],
})
export class MonitoringModule {}
