/** OpenAPI schemas of the execution figures, the department list and the execution curve. */
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
  SOURCE,
  str,
  YEAR,
  type Schema,
} from '../http/openapi.js';

const RATE = nullable(percent('Cumulative execution rate: spent / budget'), 'Execution rate; null without budget');

/** Budget, spending, rate, schedule, lag and level: the figures of the department, a unit or a line. */
const STANDING: Record<string, Schema> = {
  budget: amount('Budget in force on the "as of" date'),
  spent: amount('Spending through the last month that counts "as of" the date'),
  rate: RATE,
  schedule: nullable(percent('The schedule (序时进度) on the "as of" date'), 'Schedule; null without budget'),
  lag: nullable(percent('schedule − rate in percentage points (positive: behind)'), 'Lag; null without budget'),
  level: nullable(level('Alert level from the lag and the thresholds'), 'Alert level; null without budget'),
};

/** A checkpoint of the stream's schedule on the wire. */
const CHECKPOINT = (description: string) =>
  obj(description, {
    quarter: nullable(
      int('Quarter 1–4 when the checkpoint is a quarter end'),
      'Null for another checkpoint (YearOpened.checkpoints)',
    ),
    date: date('Date of the checkpoint'),
    schedule: nullable(percent('Schedule at the checkpoint')),
  });

const FORECAST = model(
  'Forecast',
  obj('Run-rate forecast: the recent monthly spending carried forward', {
    runRate: amount('Average monthly spending of the last runRateMonths months'),
    runRateMonths: int('Months averaged'),
    nextCheckpoint: nullable(
      obj('The next checkpoint of the schedule and what the run rate reaches by then', {
        quarter: nullable(
          int('Quarter 1–4 when the checkpoint is a quarter end'),
          'Null for another checkpoint (YearOpened.checkpoints)',
        ),
        date: date('Date of the checkpoint'),
        schedule: nullable(percent('Schedule at the checkpoint')),
        projectedSpent: amount('Spending projected by the checkpoint'),
        projectedRate: nullable(percent('Rate projected at the checkpoint')),
        projectedLevel: nullable(level('Level projected at the checkpoint')),
        neededToReach: amount('Further spending needed to reach the checkpoint schedule'),
      }),
      'The next checkpoint; null after the last one',
    ),
    yearEnd: obj('Projected at the year end', {
      projectedSpent: amount('Spending projected by December 31'),
      projectedRate: nullable(percent('Rate projected at the year end')),
    }),
    willMissCheckpoint: bool('The run rate misses the next checkpoint'),
  }),
);

export const EXECUTION = model(
  'Execution',
  obj(
    'Execution of a department-year "as of" a date: the department total, every unit and every budget line',
    {
      department: DEPARTMENT,
      year: YEAR,
      departmentName: str('Department name (Chinese)'),
      asOf: date('Figures as of this date'),
      knownOn: nullable(date('Only what was recorded on or before this date'), 'Null: everything known now'),
      source: SOURCE,
      throughMonth: int('Last month whose spending counts (0–12)'),
      nextCheckpoint: nullable(
        CHECKPOINT('The next checkpoint of the schedule (the quarter ends for a quarterly schedule)'),
        'Null after the last checkpoint',
      ),
      checkpoints: arr(
        "Every checkpoint of the stream's schedule; present only when they are not the four quarter ends " +
          '(YearOpened.checkpoints, contract v1.1)',
        CHECKPOINT('One checkpoint'),
      ),
      total: nullable(
        obj('The department total with its forecast', { ...STANDING, forecast: FORECAST }),
        'The department total; null for a unit reader (it sees its own unit only)',
      ),
      units: arr(
        'Every business unit (科室), in registration order (a unit reader: its own only)',
        obj('One unit', {
          unit: str('Unit id'),
          name: str('Unit name (Chinese)'),
          ...STANDING,
          forecast: FORECAST,
        }),
      ),
      lines: arr(
        'Every budget line of the fund source (a unit reader: its own unit only)',
        obj('One budget line', {
          line: str('Line id'),
          unit: str('Unit id'),
          name: str('Line name (Chinese)'),
          category: str('Category', { enum: ['basic', 'project'] }),
          economic: str('Economic classification', { enum: ['personnel', 'routine_public', 'three_public', 'other'] }),
          source: str('Fund source', { enum: ['fiscal', 'other'] }),
          ...STANDING,
        }),
      ),
    },
    ['checkpoints'],
  ),
);

export const QUARTERS = model(
  'QuarterRates',
  obj('Execution at each quarter end against the quarterly schedule', {
    department: DEPARTMENT,
    year: YEAR,
    unit: nullable(str('Unit id'), 'The unit asked (a unit reader: its own); null for the whole department'),
    line: nullable(str('Budget line id'), 'The line asked; null for the department or the unit'),
    source: SOURCE,
    knownOn: nullable(date('As known on this date'), 'Null: everything known now'),
    quarters: arr(
      'Quarters 1–4',
      obj('One quarter end', {
        quarter: int('Quarter 1–4'),
        date: date('Quarter end'),
        budget: amount('Budget in force at the quarter end'),
        spent: amount('Cumulative spending through the quarter'),
        rate: RATE,
        schedule: nullable(percent('Quarterly schedule')),
        lag: nullable(str('Schedule minus rate, percentage points (negative: ahead)'), 'Null without a budget'),
        level: nullable(
          str("Alert level by the stream's thresholds", { enum: ['green', 'yellow', 'red'] }),
          'Null without a budget',
        ),
      }),
    ),
  }),
);

export const PROJECTIONS = model(
  'ProjectionsStatus',
  obj('How current the read side is', {
    projections: arr(
      'The projections (one: execution)',
      obj('One projection', {
        name: str('Projection name'),
        position: int('Last log position applied'),
        processed: int('Events applied'),
        headPosition: int('Last position in the log'),
        behind: int('Committed events not yet applied (0 when caught up)'),
        running: bool('The projector loop is running in this process'),
      }),
    ),
    answers: obj('Precomputed default answers stored for the current version of their stream', {
      format: int('Answer format version'),
      streams: int('Streams with precomputed answers'),
      execution: int('Execution answers'),
      standing: int('Department-list standings'),
      summary: int('Evaluation summaries'),
      evaluation: int('Evaluation reports'),
    }),
  }),
);

export const DEPARTMENT_LIST = model(
  'DepartmentList',
  obj("Every department-year in the key's scope with its current fiscal figures and forecast score", {
    knownOn: nullable(date('As known on this date'), 'Null: everything known now'),
    departments: arr(
      'One row per department-year',
      obj('A department-year', {
        department: DEPARTMENT,
        year: YEAR,
        departmentName: str('Department name (Chinese)'),
        closedOn: nullable(date('When the year was closed (YearClosed)'), 'Null while the year is open'),
        asOf: date('Figures as of this date'),
        throughMonth: int('Last month whose spending counts'),
        source: str('Always fiscal (财政资金)', { enum: ['fiscal'] }),
        budget: amount('Budget in force'),
        spent: amount('Spending'),
        rate: RATE,
        schedule: percent('Schedule'),
        lag: nullable(percent('schedule − rate')),
        level: nullable(level('Alert level')),
        units: obj('Units by alert level', {
          total: int('Units'),
          green: int('Green'),
          yellow: int('Yellow'),
          red: int('Red'),
        }),
        forecast: obj('Run-rate forecast', {
          yearEndRate: nullable(percent('Rate projected at the year end')),
          nextCheckpoint: nullable(
            obj('The next checkpoint', {
              quarter: nullable(
                int('Quarter 1–4 when the checkpoint is a quarter end'),
                'Null for another checkpoint (YearOpened.checkpoints)',
              ),
              date: date('Date of the checkpoint'),
              schedule: nullable(percent('Schedule')),
              projectedRate: nullable(percent('Projected rate')),
              projectedLevel: nullable(level('Projected level')),
            }),
          ),
        }),
        evaluation: nullable(
          obj(
            'The self-evaluation: final after YearClosed with every input in, incomplete when some are missing, ' +
              'else a running forecast',
            {
              status: str('final, incomplete or forecast', { enum: ['final', 'incomplete', 'forecast'] }),
              total: str('Total score so far, 2 decimals'),
              range: obj('The score so far and the most it can still reach, 2 decimals (equal when decided)', {
                min: str('The score so far'),
                max: str('The most it can still reach'),
              }),
              grade: nullable(str('Grade (优, 良, 中, 差)'), 'Null when the range does not decide it'),
              grades: arr('The grades still possible, lowest first', str('Grade', { enum: ['差', '中', '良', '优'] })),
              missing: int('Criteria and sub-items missing an input or a judgement'),
              notDue: int('Criteria and sub-items not yet due (before the year is closed)'),
              framework: str('Scoring framework name (Chinese)'),
            },
          ),
          'Null when it cannot be computed',
        ),
        links: obj('Where to look further', {
          dashboard: str('The dashboard page'),
          execution: str('The execution answer'),
          evaluation: str('The self-evaluation'),
        }),
      }),
    ),
  }),
);

const SERIES = {
  budget: arr('Budget in force at each month end (null after throughMonth)', nullable(amount('Budget'))),
  spent: arr('Cumulative spending at each month end (null after throughMonth)', nullable(amount('Spending'))),
  rate: arr('Cumulative rate at each month end (null after throughMonth)', nullable(percent('Rate'))),
};

export const CURVE = model(
  'ExecutionCurve',
  obj('Cumulative execution month by month (index 0 = January) against the month-linear schedule', {
    department: DEPARTMENT,
    year: YEAR,
    departmentName: str('Department name (Chinese)'),
    source: SOURCE,
    knownOn: nullable(date('As known on this date'), 'Null: everything known now'),
    asOf: date('Months after the one this date falls in have no figures'),
    throughMonth: int('Last month with figures (0–12)'),
    months: arr('1..12', int('')),
    schedule: arr('Month-linear schedule at each month end', percent('Schedule')),
    total: obj('The department', SERIES),
    units: arr('Each unit', obj('One unit', { unit: str('Unit id'), name: str('Unit name (Chinese)'), ...SERIES })),
  }),
);
