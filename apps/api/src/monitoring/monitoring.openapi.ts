/** OpenAPI schemas of the monitoring answer (绩效运行监控) and the finance bureau's roll-up. */
import {
  amount,
  arr,
  bool,
  date,
  DEPARTMENT,
  int,
  level,
  model,
  nullable,
  obj,
  percent,
  str,
  YEAR,
  type Schema,
} from '../http/openapi.js';

const CAUSES = ['funding', 'policy', 'staffing', 'equipment', 'other'];

/** Execution figures with the year-end projection: the department's and each project's. */
const FIGURES: Record<string, Schema> = {
  budget: amount('Budget in force on the "as of" date (fiscal lines)'),
  spent: amount('Spending through the last month that counts "as of" the date'),
  rate: nullable(percent('Execution rate: spent / budget'), 'Null without budget'),
  schedule: percent('The schedule (序时进度) at the end of the last month that counts'),
  lag: nullable(percent('schedule − rate in percentage points (positive: behind)'), 'Null without budget'),
  level: nullable(level('Alert level from the lag and the thresholds'), 'Null without budget'),
  projectedYearEnd: amount('Spending projected by December 31 at the run rate of the last 3 months'),
  carryOver: amount('预计结转结余: budget − projected year-end spending, never below 0'),
};

const SUMMARY = model(
  'MonitoringSummary',
  obj('What needs attention, counted', {
    redProjects: int('Projects at red'),
    yellowProjects: int('Projects at yellow'),
    unexplained: int('Subjects at yellow/red without an explanation since their alert opened (not yet overdue)'),
    overdue: int('Subjects whose alert has been open more than 10 working days without an explanation'),
    targetsAtRisk: int('Targets at risk (project and department targets)'),
    divergences: int('Projects whose spending rate and target completion diverge'),
    overdueMeasures: int('Measures past their due date and not done'),
  }),
);

const TARGET = model(
  'MonitoringTarget',
  obj('A performance target (绩效指标) with its latest progress', {
    indicator: str('Indicator id'),
    level1: str('一级指标'),
    level2: str('二级指标'),
    name: str('三级指标 (the indicator name)'),
    target: str('年度指标值 as printed, e.g. ≥5000亩, ≤5%, 30天内, 明显提升'),
    progress: nullable(
      obj('The latest IndicatorProgressReported known, dated on or before "as of"', {
        asOf: date('Progress as of this date'),
        actual: str('1–X月实际完成值 as printed'),
        expectedYearEnd: nullable(str('全年预计完成值 as printed'), 'Not given'),
        likelihood: str('完成目标可能性: certain 确定能, possible 有可能, impossible 完全不可能', {
          enum: ['certain', 'possible', 'impossible'],
        }),
        deviation: nullable(
          obj('偏差原因', {
            cause: str('funding 经费保障, policy 制度保障, staffing 人员保障, equipment 硬件条件保障, other 其他', {
              enum: CAUSES,
            }),
            reason: str('Why (Chinese)'),
          }),
          'Not given',
        ),
        measure: nullable(str('完善措施'), 'Not given'),
        eventId: str('The progress report event'),
      }),
      'No progress reported (as of the date, as known on the date)',
    ),
    completion: nullable(
      percent('Completion ratio: at-least targets actual ÷ target; at-most targets 100 when met, else target ÷ actual'),
      'Qualitative target, no progress, or actual not comparable (unit)',
    ),
    atRisk: bool('Latest progress says impossible, or possible at or after the second-to-last checkpoint'),
  }),
);

const SUBJECT = obj('What it is about', {
  kind: str('department, unit, line, task (a project) or indicator (a progress report measure)', {
    enum: ['department', 'unit', 'line', 'task', 'indicator'],
  }),
  id: nullable(str('Unit, line, task or indicator id'), 'Null for the department'),
  name: str('Its name (Chinese)'),
});

export const MONITORING = model(
  'Monitoring',
  obj('Performance monitoring (绩效运行监控) of a department-year "as of" a date, fiscal funds', {
    department: DEPARTMENT,
    departmentName: str('Department name (Chinese)'),
    year: YEAR,
    asOf: date('Figures and progress as of this date'),
    knownOn: nullable(date('Only what was recorded on or before this date'), 'Null: everything known now'),
    throughMonth: int('Last month whose spending counts (0–12)'),
    source: str('Always fiscal (财政资金)', { enum: ['fiscal'] }),
    checkpoints: arr(
      "The stream's schedule checkpoints",
      obj('A checkpoint', { date: date('Checkpoint date'), percent: percent('Schedule at that date') }),
    ),
    thresholds: obj('Alert thresholds', {
      yellow: percent('Lag from which a subject is yellow'),
      red: percent('Lag from which a subject is red'),
      divergence: percent('Points between rate and completion that count as divergence'),
    }),
    total: nullable(
      obj('The department as a whole', FIGURES),
      'The department; null for a unit reader (it sees its own unit only)',
    ),
    projects: arr(
      'Every project (TaskPlanned of kind project) in planning order (a unit reader: its own unit only)',
      obj('A project (预算项目)', {
        task: str('Task id'),
        title: str('项目名称'),
        unit: str('实施单位: unit id'),
        unitName: str('Unit name (Chinese)'),
        lines: arr('Its fiscal budget lines (BudgetAllocated.task)', str('Line id')),
        ...FIGURES,
        targets: arr('Its targets, in definition order', TARGET),
        divergence: nullable(
          obj('Spending and work apart by the divergence threshold or more', {
            rate: percent('Execution rate'),
            completion: percent('Average completion ratio of its numeric targets with progress'),
            difference: percent('rate − completion (positive: spending ahead)'),
            kind: str('spending_ahead 钱花了事没干, work_ahead 事干了钱没花', {
              enum: ['spending_ahead', 'work_ahead'],
            }),
          }),
          'No divergence (or no rate or no numeric progress to compare)',
        ),
      }),
    ),
    departmentTargets: arr('Targets without a project: the department as a whole (none for a unit reader)', TARGET),
    explanations: arr(
      'Every subject at yellow or red (department, units, projects, lines), with its explanation',
      obj('A subject at yellow or red', {
        subject: SUBJECT,
        level: str('Its level', { enum: ['yellow', 'red'] }),
        since: date('When its alert opened: the first month end of the current yellow/red run'),
        explanation: nullable(
          obj('The latest DeviationExplained known for it', {
            eventId: str('The explanation event'),
            asOf: date('Explained as of'),
            cause: str('偏差原因 category', { enum: CAUSES }),
            reason: str('Why (Chinese)'),
            measure: str('What will be done'),
            due: nullable(date('By when'), 'Not given'),
          }),
          'None known',
        ),
        status: str('explained (on or after `since`), unexplained, or overdue (more than 10 working days open)', {
          enum: ['explained', 'unexplained', 'overdue'],
        }),
        workingDaysOpen: int('Working days after `since` up to and including "as of" (holiday calendar)'),
      }),
    ),
    measures: arr(
      'Every measure (of an explanation or a progress report), in stream order',
      obj('A measure (整改措施)', {
        eventId: str('The DeviationExplained or IndicatorProgressReported stating it'),
        subject: SUBJECT,
        measure: str('The measure (Chinese)'),
        due: nullable(date('Due date'), 'None (progress report measures have none)'),
        status: nullable(
          obj('The latest CorrectiveActionReported known', {
            status: str('in_progress, done or abandoned', { enum: ['in_progress', 'done', 'abandoned'] }),
            on: date('Reported on'),
            note: str('Note (Chinese)'),
          }),
          'No follow-up yet',
        ),
        overdue: bool('Past its due date and not done'),
      }),
    ),
    summary: SUMMARY,
  }),
);

export const MONITORING_ROLLUP = model(
  'MonitoringRollup',
  obj("The finance bureau's roll-up: every department-year in the key's scope, worst first", {
    year: nullable(YEAR, 'Null: every year'),
    asOf: nullable(date('As of this date'), "Null: each year's default date"),
    knownOn: nullable(date('As known on this date'), 'Null: everything known now'),
    departments: arr(
      'Worst first: overdue, unexplained, red projects, targets at risk, divergences, yellow projects',
      obj('A department-year', {
        department: DEPARTMENT,
        year: YEAR,
        departmentName: str('Department name (Chinese)'),
        asOf: date('As of this date'),
        level: nullable(level("The department's alert level"), 'Null without budget'),
        summary: SUMMARY,
        links: obj('Where to look further', {
          monitoring: str('The monitoring answer'),
          execution: str('The execution answer'),
        }),
      }),
    ),
  }),
);
