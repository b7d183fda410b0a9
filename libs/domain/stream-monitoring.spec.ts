/**
 * Contract v1.1 (docs/events.md, "v1.1: in-year performance monitoring") as given/when/then specs:
 * the field rules of checkpoints, divergence, projects, progress, explanations and corrective
 * actions, and the rules across events, with the error path and reason a client gets.
 */
import type { EventDataByType, EventInput, EventOf } from './events.js';
import { decide, evolve, initialStreamState } from './stream.js';
import { DeciderSpecification } from './testing/decider-specification.js';
import { validateEvent, type FieldError } from './validation.js';

const given = DeciderSpecification.for({
  decide,
  evolve,
  initialState: initialStreamState,
  validate: (e) => {
    const r = validateEvent(e);
    return r.ok ? [] : r.errors;
  },
});

let nextId = 0;
function event<T extends keyof EventDataByType>(type: T, data: EventDataByType[T], id?: string): EventOf<T> {
  return {
    id: id ?? `${type}-${++nextId}`,
    type,
    department: 'sichuan-demo',
    year: 2024,
    occurredAt: '2024-07-10',
    data,
  } as EventOf<T>;
}

/** Field errors of a raw event (validateEvent), [] when valid. */
function fieldErrors(e: unknown): FieldError[] {
  const r = validateEvent(e);
  return r.ok ? [] : r.errors;
}

const SICHUAN = [
  { on: '04-30', percent: '25' },
  { on: '06-30', percent: '40' },
  { on: '08-31', percent: '60' },
  { on: '10-31', percent: '80' },
];
const opened = event('YearOpened', {
  departmentName: '某区应急管理局',
  checkpoints: SICHUAN,
  alertThresholds: { yellow: '5', red: '10', divergence: '15' },
});
const unit = event('UnitRegistered', { unit: 'fire', name: '消防科' });
const project = event('TaskPlanned', {
  task: 'pj-fire',
  unit: 'fire',
  kind: 'project',
  title: '森林防火',
  due: '2024-12-31',
});
const keyWork = event('TaskPlanned', {
  task: 'kw-1',
  unit: 'fire',
  kind: 'key_work',
  title: '重点工作',
  due: '2024-12-31',
});
const line = event('BudgetAllocated', {
  line: 'fire-ops',
  unit: 'fire',
  name: '森林防火经费',
  category: 'project',
  economic: 'other',
  source: 'fiscal',
  amount: '1000000.00',
  task: 'pj-fire',
});
const target = event('IndicatorDefined', {
  indicator: 'i-patrol',
  level1: '产出指标',
  level2: '数量指标',
  name: '巡查次数',
  target: '≥120次',
  task: 'pj-fire',
});
const structure = [opened, unit, project, keyWork, line, target];
const explained = event(
  'DeviationExplained',
  {
    subject: { kind: 'unit', id: 'fire' },
    asOf: '2024-07-10',
    cause: 'policy',
    reason: '采购流程未完成',
    measure: '加快采购',
    due: '2024-09-30',
  },
  'dev-1',
);
const progress = (likelihood: 'certain' | 'possible' | 'impossible', extra: object = {}) =>
  event('IndicatorProgressReported', {
    indicator: 'i-patrol',
    asOf: '2024-07-31',
    actual: '50次',
    expectedYearEnd: '110次',
    likelihood,
    ...extra,
  });

describe('YearOpened checkpoints and divergence', () => {
  it('accepts Sichuan-style checkpoints and a divergence threshold', () => {
    given([]).when(opened).thenAccepts();
  });

  it('refuses checkpoints with a schedule', () => {
    expect(
      fieldErrors({
        ...opened,
        data: { departmentName: 'x', checkpoints: SICHUAN, schedule: { Q1: '25', Q2: '50', Q3: '75', Q4: '100' } },
      }),
    ).toEqual([
      { path: 'data.checkpoints', reason: 'cannot be given with schedule: checkpoints replace the quarterly schedule' },
    ]);
  });

  it('names the checkpoint that breaks the order, a bad date and a bad percent', () => {
    const bad = [
      { on: '04-30', percent: '25' },
      { on: '04-30', percent: '40' },
      { on: '06-30', percent: '30' },
      { on: '02-30', percent: '50' },
      { on: '08-31', percent: '0' },
      { on: '09-30', percent: '100.5' },
    ];
    expect(fieldErrors({ ...opened, data: { departmentName: 'x', checkpoints: bad } })).toEqual([
      { path: 'data.checkpoints[1].on', reason: 'must come after the checkpoint before it (04-30)' },
      { path: 'data.checkpoints[2].percent', reason: 'must be greater than the checkpoint before it (40)' },
      { path: 'data.checkpoints[3].on', reason: 'must be a date of the year as MM-DD, such as "04-30", got "02-30"' },
      { path: 'data.checkpoints[4].percent', reason: 'must be greater than 0' },
      { path: 'data.checkpoints[5].percent', reason: 'must be at most 100, got "100.5"' },
    ]);
  });

  it('02-29 is a day of a leap year only', () => {
    const leap = { ...opened, data: { departmentName: 'x', checkpoints: [{ on: '02-29', percent: '10' }] } };
    expect(fieldErrors(leap)).toEqual([]);
    expect(fieldErrors({ ...leap, year: 2023 })).toEqual([
      { path: 'data.checkpoints[0].on', reason: 'must be a date of the year as MM-DD, such as "04-30", got "02-29"' },
    ]);
  });

  it('bounds the list and its items', () => {
    expect(fieldErrors({ ...opened, data: { departmentName: 'x', checkpoints: [] } })).toEqual([
      { path: 'data.checkpoints', reason: 'must hold 1 to 12 checkpoints, got 0' },
    ]);
    const thirteen = Array.from({ length: 13 }, (_, i) => ({
      on: `${String((i % 12) + 1).padStart(2, '0')}-01`,
      percent: `${i + 1}`,
    }));
    expect(fieldErrors({ ...opened, data: { departmentName: 'x', checkpoints: thirteen } })).toEqual([
      { path: 'data.checkpoints', reason: 'must hold 1 to 12 checkpoints, got 13' },
    ]);
    expect(
      fieldErrors({ ...opened, data: { departmentName: 'x', checkpoints: [{ on: '04-30', percent: '25', q: 1 }, 7] } }),
    ).toEqual([
      { path: 'data.checkpoints[0].q', reason: 'unknown field (allowed: on, percent)' },
      { path: 'data.checkpoints[1]', reason: 'must be an object {on, percent}, got number' },
    ]);
  });

  it('divergence is a percent above 0', () => {
    expect(
      fieldErrors({
        ...opened,
        data: { departmentName: 'x', alertThresholds: { yellow: '5', red: '10', divergence: '0' } },
      }),
    ).toEqual([{ path: 'data.alertThresholds.divergence', reason: 'must be greater than 0' }]);
  });
});

describe('projects: lines and targets tied to a TaskPlanned of kind project', () => {
  it('accepts a line and a target of a project, and without task as before', () => {
    given(structure.slice(0, 4)).when(line).thenAccepts();
    given(structure.slice(0, 5))
      .when(target)
      .thenAccepts()
      .thenState((s) => {
        // The write model knows each project's lines and targets; a key work task is no project.
        expect([...s.projects]).toEqual([['pj-fire', { lines: ['fire-ops'], indicators: ['i-patrol'] }]]);
        expect(s.tasks.get('kw-1')).toEqual({ completed: false, kind: 'key_work', unit: 'fire' });
      });
  });

  it('refuses an unknown project and a task that is not a project', () => {
    given([opened, unit])
      .when(line)
      .thenRejects([
        { path: 'data.task', reason: 'unknown project "pj-fire": it needs a TaskPlanned of kind "project" first' },
      ]);
    given([opened, unit, keyWork])
      .when({ ...target, data: { ...target.data, task: 'kw-1' } } as EventInput)
      .thenRejects([{ path: 'data.task', reason: 'task "kw-1" is of kind "key_work", not a project' }]);
  });
});

describe('IndicatorProgressReported', () => {
  it('accepts certain progress without a deviation', () => {
    given(structure).when(progress('certain')).thenAccepts();
  });

  it('possible and impossible need a deviation and a measure', () => {
    expect(fieldErrors(progress('impossible'))).toEqual([
      {
        path: 'data.deviation',
        reason: 'is required when likelihood is "impossible" (完全不可能): give its cause and reason',
      },
      {
        path: 'data.measure',
        reason: 'is required when likelihood is "impossible" (完全不可能): say what will be done',
      },
    ]);
    const ok = progress('possible', { deviation: { cause: 'staffing', reason: '人手不足' }, measure: '增派人员' });
    given(structure)
      .when(ok)
      .thenAccepts()
      .thenState((s) => expect(s.measures.has(ok.id)).toBe(true));
  });

  it('names a bad cause, an unknown field and a date outside the year', () => {
    expect(
      fieldErrors(
        progress('possible', {
          deviation: { cause: 'weather', reason: '暴雨', extra: 1 },
          measure: '调整',
          asOf: '2023-07-31',
        }),
      ),
    ).toEqual([
      { path: 'data.asOf', reason: 'must be inside the stream\'s year 2024, got "2023-07-31"' },
      { path: 'data.deviation.extra', reason: 'unknown field (allowed: cause, reason)' },
      {
        path: 'data.deviation.cause',
        reason: 'must be one of "funding", "policy", "staffing", "equipment", "other", got "weather"',
      },
    ]);
  });

  it('refers to a defined indicator', () => {
    given(structure.slice(0, 5))
      .when(progress('certain'))
      .thenRejects([
        { path: 'data.indicator', reason: 'unknown indicator "i-patrol": it needs an IndicatorDefined first' },
      ]);
  });
});

describe('DeviationExplained', () => {
  it('accepts an explanation of a known unit, line, task and the department', () => {
    given(structure).when(explained).thenAccepts();
    given(structure)
      .when(event('DeviationExplained', { ...explained.data, subject: { kind: 'line', id: 'fire-ops' } }))
      .thenAccepts();
    given(structure)
      .when(event('DeviationExplained', { ...explained.data, subject: { kind: 'task', id: 'pj-fire' } }))
      .thenAccepts();
    given(structure)
      .when(event('DeviationExplained', { ...explained.data, subject: { kind: 'department' } }))
      .thenAccepts();
  });

  it('refuses subjects not in the stream', () => {
    given(structure)
      .when(event('DeviationExplained', { ...explained.data, subject: { kind: 'unit', id: 'water' } }))
      .thenRejects([{ path: 'data.subject.id', reason: 'unknown unit "water": it needs a UnitRegistered first' }]);
    given(structure)
      .when(event('DeviationExplained', { ...explained.data, subject: { kind: 'line', id: 'nope' } }))
      .thenRejects([
        { path: 'data.subject.id', reason: 'unknown budget line "nope": it needs a BudgetAllocated first' },
      ]);
    given(structure)
      .when(event('DeviationExplained', { ...explained.data, subject: { kind: 'task', id: 'nope' } }))
      .thenRejects([{ path: 'data.subject.id', reason: 'unknown task "nope": it needs a TaskPlanned first' }]);
  });

  it('field rules: id for every kind but the department, due not before asOf, text bounds', () => {
    expect(
      fieldErrors(event('DeviationExplained', { ...explained.data, subject: { kind: 'department', id: 'x' } })),
    ).toEqual([{ path: 'data.subject.id', reason: 'must be left out for the department' }]);
    expect(fieldErrors(event('DeviationExplained', { ...explained.data, subject: { kind: 'unit' } }))).toEqual([
      { path: 'data.subject.id', reason: 'is required' },
    ]);
    expect(fieldErrors(event('DeviationExplained', { ...explained.data, due: '2024-07-01' }))).toEqual([
      { path: 'data.due', reason: 'must not be before asOf (2024-07-10), got "2024-07-01"' },
    ]);
    expect(fieldErrors(event('DeviationExplained', { ...explained.data, reason: '因'.repeat(2001) }))).toEqual([
      { path: 'data.reason', reason: 'must be at most 2000 characters, got 2001' },
    ]);
    expect(fieldErrors(event('DeviationExplained', { ...explained.data, reason: '因'.repeat(2000) }))).toEqual([]);
  });
});

describe('CorrectiveActionReported', () => {
  const action = (explanation: string, status: 'in_progress' | 'done' | 'abandoned' = 'done') =>
    event('CorrectiveActionReported', { explanation, on: '2024-09-20', status, note: '已完成采购' });

  it('follows an explanation or a progress report with a measure, more than once', () => {
    given([...structure, explained])
      .when(action('dev-1', 'in_progress'))
      .thenAccepts();
    given([...structure, explained, action('dev-1', 'in_progress')])
      .when(action('dev-1'))
      .thenAccepts();
    const withMeasure = progress('possible', {
      deviation: { cause: 'staffing', reason: '人手不足' },
      measure: '增派人员',
    });
    given([...structure, withMeasure])
      .when(action(withMeasure.id))
      .thenAccepts();
  });

  it('refuses an id that is not a measure of this stream', () => {
    const certain = progress('certain');
    const reason = (id: string) =>
      `"${id}" is not a DeviationExplained or IndicatorProgressReported with a measure in stream sichuan-demo/2024`;
    given([...structure, certain])
      .when(action(certain.id))
      .thenRejects([{ path: 'data.explanation', reason: reason(certain.id) }]);
    given(structure)
      .when(action('dev-1'))
      .thenRejects([{ path: 'data.explanation', reason: reason('dev-1') }]);
  });

  it('names a bad status', () => {
    expect(
      fieldErrors({
        ...action('dev-1'),
        data: { explanation: 'dev-1', on: '2024-09-20', status: 'closed', note: 'x' },
      }),
    ).toEqual([{ path: 'data.status', reason: 'must be one of "in_progress", "done", "abandoned", got "closed"' }]);
  });
});

describe('the monitoring types are in-year', () => {
  it('are refused after YearClosed', () => {
    const closed = [...structure, explained, event('YearClosed', {})];
    const isClosed =
      'the year is closed: after YearClosed only SelfEvaluationSubmitted and AssessmentRecorded are accepted';
    for (const e of [
      progress('certain'),
      event('DeviationExplained', explained.data),
      event('CorrectiveActionReported', { explanation: 'dev-1', on: '2024-12-31', status: 'done', note: '完成' }),
    ])
      given(closed)
        .when(e)
        .thenRejects([{ path: 'type', reason: isClosed }]);
  });
});

describe('a unit key files its own unit only', () => {
  const water = event('UnitRegistered', { unit: 'water', name: '水务科' });
  const world = [...structure, water, explained];
  /** decide with a unit key's scope, on the state folded from `world` (every given decided without one). */
  const asUnit = (unit: string, e: EventInput) => {
    let errors: FieldError[] = [];
    given(world).thenState((s) => {
      errors = decide(s, e, { unit });
    });
    return errors;
  };
  const action = event('CorrectiveActionReported', {
    explanation: 'dev-1',
    on: '2024-09-20',
    status: 'done',
    note: '完成',
  });

  it('accepts reports about its unit, its lines, its projects and their targets, and follow-ups of them', () => {
    expect(asUnit('fire', progress('certain'))).toEqual([]);
    expect(
      asUnit('fire', event('DeviationExplained', { ...explained.data, subject: { kind: 'line', id: 'fire-ops' } })),
    ).toEqual([]);
    expect(
      asUnit('fire', event('DeviationExplained', { ...explained.data, subject: { kind: 'task', id: 'pj-fire' } })),
    ).toEqual([]);
    expect(asUnit('fire', action)).toEqual([]);
  });

  it('refuses reports about another unit or the department, naming the field', () => {
    const about = (unit: string) => `is about unit "fire": a unit key files only for its own unit "${unit}"`;
    expect(asUnit('water', progress('certain'))).toEqual([{ path: 'data.indicator', reason: about('water') }]);
    expect(asUnit('water', action)).toEqual([{ path: 'data.explanation', reason: about('water') }]);
    expect(asUnit('fire', event('DeviationExplained', { ...explained.data, subject: { kind: 'department' } }))).toEqual(
      [
        {
          path: 'data.subject',
          reason: 'is about the department as a whole: a unit key files only for its own unit "fire"',
        },
      ],
    );
  });

  it('refuses every other type, and reports the stream rules first', () => {
    expect(asUnit('fire', event('UnitRegistered', { unit: 'air', name: '空气科' }))).toEqual([
      {
        path: 'type',
        reason:
          'a unit key files only IndicatorProgressReported, DeviationExplained and CorrectiveActionReported, not UnitRegistered',
      },
    ]);
    expect(
      asUnit('water', event('DeviationExplained', { ...explained.data, subject: { kind: 'unit', id: 'sky' } })),
    ).toEqual([{ path: 'data.subject.id', reason: 'unknown unit "sky": it needs a UnitRegistered first' }]);
  });

  it('the write model keeps the unit each measure is about', () => {
    given(world).thenState((s) => expect([...s.measures]).toEqual([['dev-1', 'fire']]));
  });
});
