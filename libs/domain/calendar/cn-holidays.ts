/**
 * The mainland-China arrangements shipped with Paceline, one per 国务院办公厅关于部分节假日安排的通知,
 * each festival's 放假 range on its own line as the notice writes it. An operator replaces a year
 * with a file in PACELINE_HOLIDAYS_DIR (docs/calendar.md).
 */
import { dateOfDay, dayNumber } from '../dates.js';
import type { IsoDate } from '../events.js';
import { holidayCalendar, type HolidayCalendar, type HolidayCalendarYear } from './holiday-calendar.js';

/** Every date from `first` to `last`, both included. */
function days(first: IsoDate, last: IsoDate = first): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = dayNumber(first); d <= dayNumber(last); d++) out.push(dateOfDay(d));
  return out;
}

export const CN_2023: HolidayCalendarYear = {
  year: 2023,
  source: '国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号）',
  holidays: [
    ...days('2023-01-01', '2023-01-02'), // 元旦 (its range starts in the year before)
    ...days('2023-01-21', '2023-01-27'), // 春节
    ...days('2023-04-05'), // 清明节
    ...days('2023-04-29', '2023-05-03'), // 劳动节
    ...days('2023-06-22', '2023-06-24'), // 端午节
    ...days('2023-09-29', '2023-10-06'), // 中秋节、国庆节
  ],
  workdays: ['2023-01-28', '2023-01-29', '2023-04-23', '2023-05-06', '2023-06-25', '2023-10-07', '2023-10-08'],
};

export const CN_2024: HolidayCalendarYear = {
  year: 2024,
  source: '国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）',
  holidays: [
    ...days('2024-01-01'), // 元旦
    ...days('2024-02-10', '2024-02-17'), // 春节 (除夕 is only encouraged as leave, so it stays a working day)
    ...days('2024-04-04', '2024-04-06'), // 清明节
    ...days('2024-05-01', '2024-05-05'), // 劳动节
    ...days('2024-06-10'), // 端午节
    ...days('2024-09-15', '2024-09-17'), // 中秋节
    ...days('2024-10-01', '2024-10-07'), // 国庆节
  ],
  workdays: [
    '2024-02-04',
    '2024-02-18',
    '2024-04-07',
    '2024-04-28',
    '2024-05-11',
    '2024-09-14',
    '2024-09-29',
    '2024-10-12',
  ],
};

export const CN_2025: HolidayCalendarYear = {
  year: 2025,
  source: '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）',
  holidays: [
    ...days('2025-01-01'), // 元旦
    ...days('2025-01-28', '2025-02-04'), // 春节
    ...days('2025-04-04', '2025-04-06'), // 清明节
    ...days('2025-05-01', '2025-05-05'), // 劳动节
    ...days('2025-05-31', '2025-06-02'), // 端午节
    ...days('2025-10-01', '2025-10-08'), // 国庆节、中秋节
  ],
  workdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
};

export const CN_2026: HolidayCalendarYear = {
  year: 2026,
  source: '国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）',
  holidays: [
    ...days('2026-01-01', '2026-01-03'), // 元旦
    ...days('2026-02-15', '2026-02-23'), // 春节
    ...days('2026-04-04', '2026-04-06'), // 清明节
    ...days('2026-05-01', '2026-05-05'), // 劳动节
    ...days('2026-06-19', '2026-06-21'), // 端午节
    ...days('2026-09-25', '2026-09-27'), // 中秋节
    ...days('2026-10-01', '2026-10-07'), // 国庆节
  ],
  workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
};

export const CN_HOLIDAYS: readonly HolidayCalendarYear[] = [CN_2023, CN_2024, CN_2025, CN_2026];

/** The shipped years, used unless an operator's files replace some of them. */
export const DEFAULT_CALENDAR: HolidayCalendar = holidayCalendar(CN_HOLIDAYS);
