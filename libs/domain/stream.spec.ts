/**
 * The write model of a stream (stream.ts) as given/when/then specs: every cross-event rule of
 * `decide`, with the error path and reason a client gets, and what `evolve` keeps. Every event
 * here also passes field validation (validateEvent), so the cases are ones the service can meet.
 */
import { AFTER_CLOSE_TYPES, EVENT_TYPES, type EventDataByType, type EventInput, type EventOf } from './events.js';
import { decide, evolve, initialStreamState, type StreamState } from './stream.js';
import { DeciderSpecification } from './testing/decider-specification.js';
import { loadSample } from './testing/sample.fixture.js';
import { validateEvent } from './validation.js';

const given = DeciderSpecification.for({
  decide,
  evolve,
  initialState: initialStreamState,
  validate: (e) => {
    const r = validateEvent(e);
    return r.ok ? [] : r.errors;
  },
});

const STREAM = 'yantian-emergency/2023';
let nextId = 0;

function event<T extends keyof EventDataByType>(type: T, data: EventDataByType[T], id?: string): EventOf<T> {
  return {
    id: id ?? `${type}-${++nextId}`,
    type,
    department: 'yantian-emergency',
    year: 2023,
    occurredAt: '2023-03-15',
    data,
  } as EventOf<T>;
}

const withVersion = (e: EventInput, expectedVersion: number): EventInput => ({ ...e, expectedVersion });

const yearOpened = () => event('YearOpened', { departmentName: '深圳市盐田区应急管理局' });
const unitRegistered = (unit: string) => event('UnitRegistered', { unit, name: `${unit} 科` });
const budgetAllocated = (line: string, unit: string, amount: string, source: 'fiscal' | 'other' = 'fiscal') =>
  event('BudgetAllocated', {
    line,
    unit,
    name: '安全生产工作',
    category: 'project',
    economic: 'other',
    source,
    amount,
  });
const budgetAdjusted = (line: string, amount: string, source: 'fiscal' | 'other' = 'fiscal') =>
  event('BudgetAdjusted', { line, source, amount, effectiveOn: '2023-07-15', reason: '严控项目审核，调减部分预算' });
const spendingRecorded = (id: string, line: string, amount: string, source: 'fiscal' | 'other' = 'fiscal') =>
  event('SpendingRecorded', { line, source, month: '2023-03', amount }, id);
const spendingCorrected = (corrects: string, amount: string, id?: string) =>
  event('SpendingCorrected', { corrects, amount, reason: '支出重复入账，冲回' }, id);
const spendingPlanned = (unit: string, amount: string) => event('SpendingPlanned', { unit, month: '2023-04', amount });
const taskPlanned = (task: string, unit: string) =>
  event('TaskPlanned', { task, unit, kind: 'key_work', title: '打好风险防范化解主动战', due: '2023-12-31' });
const taskCompleted = (task: string) => event('TaskCompleted', { task, completedOn: '2023-12-20' });
const indicatorDefined = (indicator: string) =>
  event('IndicatorDefined', {
    indicator,
    level1: '产出指标',
    level2: '数量指标',
    name: '自动化远程监测隐患点',
    target: '≥18处',
  });
const indicatorReported = (indicator: string) =>
  event('IndicatorReported', { indicator, actual: '18处', asOf: '2023-12-31' });
const assessmentRecorded = () =>
  event('AssessmentRecorded', { criterion: 'decision.budget.rationality', score: '5', evidence: '未发生频繁调剂' });
const selfEvaluationSubmitted = () =>
  event('SelfEvaluationSubmitted', { scores: { 'decision.budget.rationality': '5' }, total: '95.7', grade: '优' });
const headcountReported = () =>
  event('HeadcountReported', { asOf: '2023-12-31', authorized: 25, onStaff: 23, directHires: 21, dispatched: 50 });
const yearClosed = () => event('YearClosed', {});

/** Ids of SpendingRecorded: a canonical UUID (kept as 128 bits by SpendingIndex) and a free-form id. */
const R1 = 'f01d583b-c108-6631-6e3f-4102d16567f3';
const R2 = 'spend-2023-03-ops';

const opened = [yearOpened(), unitRegistered('office'), unitRegistered('safety')];
/** Opened, two units, a fiscal line of office and an "other"-funded line of safety. */
const budgeted = [
  ...opened,
  budgetAllocated('ops-public', 'office', '1263507.00'),
  budgetAllocated('safety-other', 'safety', '297800.00', 'other'),
];
const closed = [...budgeted, yearClosed()];

const line = (s: StreamState, id: string) => {
  const l = s.lines.get(id);
  if (!l) throw new Error(`no line ${id}`);
  return { unit: l.unit, source: l.source, budget: l.budget.toFixed(2), spent: l.spent.toFixed(2) };
};

/** The reference sample as submitted (without the occurredOn loadSample adds). */
const sample: EventInput[] = loadSample().map(({ occurredOn: _occurredOn, ...e }) => e as EventInput);

describe('YearOpened comes first', () => {
  const noYear = `the stream ${STREAM} has no YearOpened yet: YearOpened must be its first event`;

  it('refuses any other event on an empty stream', () => {
    given([])
      .when(unitRegistered('office'))
      .thenRejects([{ path: 'type', reason: noYear }]);
    given([])
      .when(yearClosed())
      .thenRejects([{ path: 'type', reason: noYear }]);
    given([])
      .when(assessmentRecorded())
      .thenRejects([{ path: 'type', reason: noYear }]);
  });

  it('reports only that, not the other rules the event breaks', () => {
    // An unknown unit and an unknown line would be refused too, but the stream is not open yet.
    given([])
      .when(budgetAllocated('ops-public', 'nowhere', '100.00'))
      .thenRejects([{ path: 'type', reason: noYear }]);
  });

  it('accepts YearOpened on an empty stream', () => {
    given([])
      .when(yearOpened())
      .thenAccepts()
      .thenState((s) => {
        expect(s.opened).toBe(true);
        expect(s.closed).toBe(false);
        expect(s.version).toBe(1);
      });
  });

  it('accepts YearOpened once', () => {
    given([yearOpened()])
      .when(yearOpened())
      .thenRejects([{ path: 'type', reason: 'the year is already opened: YearOpened is accepted once per stream' }]);
  });
});

describe('after YearClosed', () => {
  const isClosed =
    'the year is closed: after YearClosed only SelfEvaluationSubmitted and AssessmentRecorded are accepted';

  it('accepts YearClosed on an open year', () => {
    given(budgeted)
      .when(yearClosed())
      .thenAccepts()
      .thenState((s) => {
        expect(s.closed).toBe(true);
        expect(s.version).toBe(6);
      });
  });

  it('accepts AssessmentRecorded and SelfEvaluationSubmitted, more than once', () => {
    given(closed).when(assessmentRecorded()).thenAccepts();
    given(closed).when(selfEvaluationSubmitted()).thenAccepts();
    given([...closed, assessmentRecorded(), selfEvaluationSubmitted()])
      .when(assessmentRecorded())
      .thenAccepts()
      .thenState((s) => expect(s.version).toBe(9));
  });

  it('refuses spending, budget and reports', () => {
    given(closed)
      .when(spendingRecorded(R1, 'ops-public', '100.00'))
      .thenRejects([{ path: 'type', reason: isClosed }]);
    given(closed)
      .when(budgetAdjusted('ops-public', '100.00'))
      .thenRejects([{ path: 'type', reason: isClosed }]);
    given(closed)
      .when(headcountReported())
      .thenRejects([{ path: 'type', reason: isClosed }]);
  });

  it('reports only that, not the other rules the event breaks', () => {
    given(closed)
      .when(unitRegistered('office'))
      .thenRejects([{ path: 'type', reason: isClosed }]);
    given(closed)
      .when(spendingCorrected('no-such-record', '-1.00'))
      .thenRejects([{ path: 'type', reason: isClosed }]);
  });

  it('refuses a second YearOpened with the closed reason', () => {
    given(closed)
      .when(yearOpened())
      .thenRejects([{ path: 'type', reason: isClosed }]);
  });

  it('refuses a second YearClosed with the closed reason (decide never reaches "the year is already closed")', () => {
    given(closed)
      .when(yearClosed())
      .thenRejects([{ path: 'type', reason: isClosed }]);
  });

  // Every type of the sample re-sent (with a new id) after the sample's own YearClosed.
  // The v1 sample has no v1.1 monitoring events: those are refused after close (stream-monitoring.spec.ts).
  const V1_TYPES = EVENT_TYPES.filter((t) => sample.some((e) => e.type === t));
  it('the v1 sample holds every v1 type', () => expect(V1_TYPES).toHaveLength(20));
  it.each(V1_TYPES.map((t) => [t]))('after the sample is closed, %s', (type) => {
    const first = sample.find((e) => e.type === type);
    if (!first) throw new Error(`the sample has no ${type}`);
    const again = { ...first, id: `${first.id}-again` } as EventInput;
    if (AFTER_CLOSE_TYPES.has(type)) given(sample).when(again).thenAccepts();
    else
      given(sample)
        .when(again)
        .thenRejects([{ path: 'type', reason: isClosed }]);
  });
});

describe('units are registered once', () => {
  it('refuses a unit already registered', () => {
    given(opened)
      .when(unitRegistered('office'))
      .thenRejects([{ path: 'data.unit', reason: 'unit "office" is already registered' }]);
  });

  it('accepts a new unit', () => {
    given(opened)
      .when(unitRegistered('disaster'))
      .thenAccepts()
      .thenState((s) => expect([...s.units]).toEqual(['office', 'safety', 'disaster']));
  });
});

describe('BudgetAllocated: a registered unit, a line allocated once', () => {
  it('refuses an unknown unit', () => {
    given(opened)
      .when(budgetAllocated('invest', 'command', '9830800.00'))
      .thenRejects([{ path: 'data.unit', reason: 'unknown unit "command": it needs a UnitRegistered first' }]);
  });

  it('refuses a line already allocated, even to another unit', () => {
    given(budgeted)
      .when(budgetAllocated('ops-public', 'safety', '100.00'))
      .thenRejects([{ path: 'data.line', reason: 'budget line "ops-public" is already allocated' }]);
  });

  it('reports both when both are wrong', () => {
    given(budgeted)
      .when(budgetAllocated('ops-public', 'command', '100.00'))
      .thenRejects([
        { path: 'data.unit', reason: 'unknown unit "command": it needs a UnitRegistered first' },
        { path: 'data.line', reason: 'budget line "ops-public" is already allocated' },
      ]);
  });

  it('accepts a new line of a registered unit, with nothing spent', () => {
    given(budgeted)
      .when(budgetAllocated('safety', 'safety', '7956633.50'))
      .thenAccepts()
      .thenState((s) =>
        expect(line(s, 'safety')).toEqual({ unit: 'safety', source: 'fiscal', budget: '7956633.50', spent: '0.00' }),
      );
  });

  it('accepts a zero budget', () => {
    given(budgeted)
      .when(budgetAllocated('reserve', 'office', '0.00'))
      .thenAccepts()
      .thenState((s) => expect(line(s, 'reserve').budget).toBe('0.00'));
  });
});

describe('BudgetAdjusted: a known line, its own fund source, never below zero', () => {
  it('refuses an unknown line (and checks nothing else)', () => {
    given(budgeted)
      .when(budgetAdjusted('invest', '-1556400.00', 'other'))
      .thenRejects([{ path: 'data.line', reason: 'unknown budget line "invest": it needs a BudgetAllocated first' }]);
  });

  it('refuses another fund source than the line’s', () => {
    given(budgeted)
      .when(budgetAdjusted('ops-public', '1000.00', 'other'))
      .thenRejects([{ path: 'data.source', reason: 'line "ops-public" is funded from "fiscal", not "other"' }]);
    given(budgeted)
      .when(budgetAdjusted('safety-other', '1000.00', 'fiscal'))
      .thenRejects([{ path: 'data.source', reason: 'line "safety-other" is funded from "other", not "fiscal"' }]);
  });

  it('reports a wrong source before (and instead of) a budget below zero', () => {
    given(budgeted)
      .when(budgetAdjusted('ops-public', '-9999999.00', 'other'))
      .thenRejects([{ path: 'data.source', reason: 'line "ops-public" is funded from "fiscal", not "other"' }]);
  });

  it('refuses a cut below zero, quoting the budget and the amount', () => {
    given(budgeted)
      .when(budgetAdjusted('ops-public', '-1263507.01'))
      .thenRejects([
        {
          path: 'data.amount',
          reason: 'would take the budget of line "ops-public" below zero (1263507.00 -1263507.01)',
        },
      ]);
  });

  it('measures the cut from the budget after earlier adjustments', () => {
    const history = [...budgeted, budgetAdjusted('ops-public', '-1263000.00'), budgetAdjusted('ops-public', '0.50')];
    given(history)
      .when(budgetAdjusted('ops-public', '-507.51'))
      .thenRejects([
        { path: 'data.amount', reason: 'would take the budget of line "ops-public" below zero (507.50 -507.51)' },
      ]);
    given(history)
      .when(budgetAdjusted('ops-public', '-507.50'))
      .thenAccepts()
      .thenState((s) => expect(line(s, 'ops-public').budget).toBe('0.00'));
  });

  it('accepts a cut to exactly zero and an increase', () => {
    given(budgeted)
      .when(budgetAdjusted('safety-other', '-297800.00', 'other'))
      .thenAccepts()
      .thenState((s) => expect(line(s, 'safety-other').budget).toBe('0.00'));
    given(budgeted)
      .when(budgetAdjusted('ops-public', '36493.00'))
      .thenAccepts()
      .thenState((s) => expect(line(s, 'ops-public').budget).toBe('1300000.00'));
  });

  it('does not compare the budget with what is already spent', () => {
    // Spending 1000.00 of a 1263507.00 line, then cutting the budget to 500.00: accepted.
    given([...budgeted, spendingRecorded(R1, 'ops-public', '1000.00')])
      .when(budgetAdjusted('ops-public', '-1263007.00'))
      .thenAccepts()
      .thenState((s) => expect(line(s, 'ops-public')).toMatchObject({ budget: '500.00', spent: '1000.00' }));
  });
});

describe('SpendingRecorded: a known line, its own fund source', () => {
  it('refuses an unknown line', () => {
    given(budgeted)
      .when(spendingRecorded(R1, 'disaster', '100.00'))
      .thenRejects([{ path: 'data.line', reason: 'unknown budget line "disaster": it needs a BudgetAllocated first' }]);
  });

  it('refuses another fund source than the line’s', () => {
    given(budgeted)
      .when(spendingRecorded(R1, 'ops-public', '100.00', 'other'))
      .thenRejects([{ path: 'data.source', reason: 'line "ops-public" is funded from "fiscal", not "other"' }]);
    given(budgeted)
      .when(spendingRecorded(R1, 'safety-other', '100.00', 'fiscal'))
      .thenRejects([{ path: 'data.source', reason: 'line "safety-other" is funded from "other", not "fiscal"' }]);
  });

  it('accepts spending on the line, beyond its budget too (overspending is reported, not refused)', () => {
    given(budgeted)
      .when(spendingRecorded(R1, 'safety-other', '300000.00', 'other'))
      .thenAccepts()
      .thenState((s) => {
        expect(line(s, 'safety-other')).toMatchObject({ budget: '297800.00', spent: '300000.00' });
        expect(s.spending.get(R1)).toBe('safety-other');
      });
  });
});

describe('SpendingCorrected: a known SpendingRecorded, the line total never below zero', () => {
  const recorded = [
    ...budgeted,
    spendingRecorded(R1, 'ops-public', '100.00'),
    spendingRecorded(R2, 'ops-public', '500.00'),
    spendingRecorded('spend-2023-03-other', 'safety-other', '40.00', 'other'),
  ];
  const notARecord = (id: string) => `"${id}" is not a SpendingRecorded event of stream ${STREAM}`;

  it('refuses an id that is no event of the stream', () => {
    given(recorded)
      .when(spendingCorrected('dd514433-7c68-f415-d5c8-a03f83f21924', '-10.00'))
      .thenRejects([{ path: 'data.corrects', reason: notARecord('dd514433-7c68-f415-d5c8-a03f83f21924') }]);
  });

  it('refuses the id of an event of another type', () => {
    const allocation = recorded[3]!;
    expect(allocation.type).toBe('BudgetAllocated');
    given(recorded)
      .when(spendingCorrected(allocation.id, '-10.00'))
      .thenRejects([{ path: 'data.corrects', reason: notARecord(allocation.id) }]);
  });

  it('refuses a correction dated before the record it corrects; the same day is accepted', () => {
    const recordedOn = (e: ReturnType<typeof spendingCorrected>, occurredAt: string) => ({ ...e, occurredAt });
    const early = recordedOn(spendingCorrected(R1, '-10.00'), '2023-01-01');
    const record = recorded.find((e) => e.id === R1)!;
    const day = record.occurredAt.slice(0, 10);
    given(recorded)
      .when(early)
      .thenRejects([
        {
          path: 'occurredAt',
          reason: `2023-01-01 is before the record it corrects ("${R1}" occurred on ${day}): a correction cannot be known before what it corrects`,
        },
      ]);
    given(recorded)
      .when(recordedOn(spendingCorrected(R1, '-10.00'), day))
      .thenAccepts();
  });

  it('refuses a correction of a correction', () => {
    given([...recorded, spendingCorrected(R1, '-10.00', 'correction-1')])
      .when(spendingCorrected('correction-1', '5.00'))
      .thenRejects([{ path: 'data.corrects', reason: notARecord('correction-1') }]);
  });

  it('matches ids exactly (a UUID in upper case is another id)', () => {
    given(recorded)
      .when(spendingCorrected(R1.toUpperCase(), '-10.00'))
      .thenRejects([{ path: 'data.corrects', reason: notARecord(R1.toUpperCase()) }]);
    // Recorded under both spellings, each correction goes to its own record's line.
    const both = [...recorded, spendingRecorded(R1.toUpperCase(), 'safety-other', '10.00', 'other')];
    given(both)
      .when(spendingCorrected(R1.toUpperCase(), '-10.00'))
      .thenAccepts()
      .thenState((s) =>
        expect([line(s, 'safety-other').spent, line(s, 'ops-public').spent]).toEqual(['40.00', '600.00']),
      );
    given(both)
      .when(spendingCorrected(R1, '-10.00'))
      .thenAccepts()
      .thenState((s) =>
        expect([line(s, 'safety-other').spent, line(s, 'ops-public').spent]).toEqual(['50.00', '590.00']),
      );
  });

  it('refuses taking the line total below zero, quoting the total and the amount', () => {
    given(recorded)
      .when(spendingCorrected(R2, '-600.01'))
      .thenRejects([
        { path: 'data.amount', reason: 'would take the spending of line "ops-public" below zero (600.00 -600.01)' },
      ]);
  });

  it('measures from the line total after earlier corrections', () => {
    const history = [...recorded, spendingCorrected(R1, '-60.00'), spendingCorrected(R2, '-499.50')];
    given(history)
      .when(spendingCorrected(R1, '-40.51'))
      .thenRejects([
        { path: 'data.amount', reason: 'would take the spending of line "ops-public" below zero (40.50 -40.51)' },
      ]);
    given(history)
      .when(spendingCorrected(R1, '-40.50'))
      .thenAccepts()
      .thenState((s) => expect(line(s, 'ops-public').spent).toBe('0.00'));
  });

  it('checks the line total, not the corrected record: a record may go below zero', () => {
    // R1 recorded 100.00; a -300.00 correction of it leaves the line at 300.00 (R2 holds 500.00).
    given(recorded)
      .when(spendingCorrected(R1, '-300.00'))
      .thenAccepts()
      .thenState((s) => expect(line(s, 'ops-public').spent).toBe('300.00'));
  });

  it('applies a correction to the corrected record’s line only', () => {
    given(recorded)
      .when(spendingCorrected('spend-2023-03-other', '2.50'))
      .thenAccepts()
      .thenState((s) => {
        expect(line(s, 'safety-other').spent).toBe('42.50');
        expect(line(s, 'ops-public').spent).toBe('600.00');
      });
  });
});

describe('SpendingPlanned: a registered unit', () => {
  it('refuses an unknown unit', () => {
    given(opened)
      .when(spendingPlanned('emergency', '1800125.78'))
      .thenRejects([{ path: 'data.unit', reason: 'unknown unit "emergency": it needs a UnitRegistered first' }]);
  });

  it('accepts a plan of a registered unit, and a new plan for the same month', () => {
    given([...opened, spendingPlanned('office', '1800125.78')])
      .when(spendingPlanned('office', '1700000.00'))
      .thenAccepts()
      .thenState((s) => expect(s.version).toBe(5));
  });
});

describe('TaskPlanned: a registered unit, a task planned once', () => {
  it('refuses an unknown unit', () => {
    given(opened)
      .when(taskPlanned('kw-risk', 'command'))
      .thenRejects([{ path: 'data.unit', reason: 'unknown unit "command": it needs a UnitRegistered first' }]);
  });

  it('refuses a task already planned', () => {
    given([...opened, taskPlanned('kw-risk', 'safety')])
      .when(taskPlanned('kw-risk', 'office'))
      .thenRejects([{ path: 'data.task', reason: 'task "kw-risk" is already planned' }]);
  });

  it('reports both when both are wrong', () => {
    given([...opened, taskPlanned('kw-risk', 'safety')])
      .when(taskPlanned('kw-risk', 'command'))
      .thenRejects([
        { path: 'data.unit', reason: 'unknown unit "command": it needs a UnitRegistered first' },
        { path: 'data.task', reason: 'task "kw-risk" is already planned' },
      ]);
  });

  it('accepts a new task, not completed', () => {
    given(opened)
      .when(taskPlanned('kw-risk', 'safety'))
      .thenAccepts()
      .thenState((s) => expect(s.tasks.get('kw-risk')).toEqual({ completed: false, kind: 'key_work', unit: 'safety' }));
  });
});

describe('TaskCompleted: a planned task, completed once', () => {
  const planned = [...opened, taskPlanned('kw-risk', 'safety')];

  it('refuses an unknown task', () => {
    given(planned)
      .when(taskCompleted('kw-hazard'))
      .thenRejects([{ path: 'data.task', reason: 'unknown task "kw-hazard": it needs a TaskPlanned first' }]);
  });

  it('refuses a task already completed', () => {
    given([...planned, taskCompleted('kw-risk')])
      .when(taskCompleted('kw-risk'))
      .thenRejects([{ path: 'data.task', reason: 'task "kw-risk" is already completed' }]);
  });

  it('accepts completing a planned task', () => {
    given(planned)
      .when(taskCompleted('kw-risk'))
      .thenAccepts()
      .thenState((s) => expect(s.tasks.get('kw-risk')).toEqual({ completed: true, kind: 'key_work', unit: 'safety' }));
  });
});

describe('indicators: defined once, reported when defined', () => {
  it('refuses an indicator already defined', () => {
    given([...opened, indicatorDefined('out-auto-points')])
      .when(indicatorDefined('out-auto-points'))
      .thenRejects([{ path: 'data.indicator', reason: 'indicator "out-auto-points" is already defined' }]);
  });

  it('refuses a report of an unknown indicator', () => {
    given([...opened, indicatorDefined('out-auto-points')])
      .when(indicatorReported('out-chem-firms'))
      .thenRejects([
        { path: 'data.indicator', reason: 'unknown indicator "out-chem-firms": it needs an IndicatorDefined first' },
      ]);
  });

  it('accepts reports of a defined indicator, more than once', () => {
    given([...opened, indicatorDefined('out-auto-points'), indicatorReported('out-auto-points')])
      .when(indicatorReported('out-auto-points'))
      .thenAccepts()
      .thenState((s) => expect([...s.indicators]).toEqual(['out-auto-points']));
  });
});

describe('reports and judgements have no cross-event rule on an open year', () => {
  it('accepts them repeatedly', () => {
    given([...opened, headcountReported(), assessmentRecorded(), selfEvaluationSubmitted()])
      .when(headcountReported())
      .thenAccepts()
      .thenState((s) => expect(s.version).toBe(7));
  });
});

describe('expectedVersion', () => {
  it('accepts an event whose expectedVersion is the stream version', () => {
    given(opened)
      .when(withVersion(unitRegistered('disaster'), 3))
      .thenAccepts()
      .thenState((s) => expect(s.version).toBe(4));
  });

  it('leaves a mismatch to the caller (409): decide returns no errors', () => {
    given(opened)
      .when(withVersion(unitRegistered('disaster'), 2))
      .thenConflicts();
    given(opened)
      .when(withVersion(unitRegistered('disaster'), 4))
      .thenConflicts();
  });

  it('reports nothing else on a mismatch, even for an event the rules refuse', () => {
    // A duplicate unit on an unopened stream: two reasons, but the version conflict hides them.
    given([])
      .when(withVersion(unitRegistered('office'), 1))
      .thenConflicts();
    const state = initialStreamState();
    expect(decide(state, withVersion(unitRegistered('office'), 1))).toEqual([]);
    expect(decide(state, withVersion(unitRegistered('office'), 0))).toEqual([
      { path: 'type', reason: `the stream ${STREAM} has no YearOpened yet: YearOpened must be its first event` },
    ]);
  });
});

describe('evolve', () => {
  it('counts every event in the version, those that change nothing else too', () => {
    given([
      ...opened,
      spendingPlanned('office', '100.00'),
      headcountReported(),
      indicatorDefined('time-geo'),
      indicatorReported('time-geo'),
    ]).thenState((s) => {
      expect(s.version).toBe(7);
      expect([...s.units]).toEqual(['office', 'safety']);
      expect(s.lines.size).toBe(0);
      expect(s.spending.size).toBe(0);
    });
  });

  it('keeps a line’s budget as allocation plus adjustments', () => {
    given([
      ...budgeted,
      budgetAdjusted('ops-public', '-640000.00'),
      budgetAdjusted('ops-public', '0.35'),
      budgetAdjusted('safety-other', '-97800.00', 'other'),
    ]).thenState((s) => {
      expect(line(s, 'ops-public')).toEqual({ unit: 'office', source: 'fiscal', budget: '623507.35', spent: '0.00' });
      expect(line(s, 'safety-other')).toEqual({ unit: 'safety', source: 'other', budget: '200000.00', spent: '0.00' });
      expect(s.version).toBe(8);
    });
  });

  it('keeps a line’s spending as records plus corrections, and where each record went', () => {
    given([
      ...budgeted,
      spendingRecorded(R1, 'ops-public', '1263391.60'),
      spendingRecorded(R2, 'ops-public', '250.25'),
      spendingRecorded('spend-other', 'safety-other', '297800.00', 'other'),
      spendingCorrected(R2, '-50.25'),
      spendingCorrected(R1, '0.15'),
    ]).thenState((s) => {
      expect(line(s, 'ops-public').spent).toBe('1263591.75');
      expect(line(s, 'safety-other').spent).toBe('297800.00');
      expect([R1, R2, 'spend-other', 'unknown'].map((id) => s.spending.get(id))).toEqual([
        'ops-public',
        'ops-public',
        'safety-other',
        undefined,
      ]);
      expect(s.version).toBe(10);
    });
  });

  it('keeps tasks and their completion', () => {
    given([
      ...opened,
      taskPlanned('kw-risk', 'safety'),
      taskPlanned('kw-forest', 'office'),
      taskCompleted('kw-forest'),
    ]).thenState((s) =>
      expect([...s.tasks]).toEqual([
        ['kw-risk', { completed: false, kind: 'key_work', unit: 'safety' }],
        ['kw-forest', { completed: true, kind: 'key_work', unit: 'office' }],
      ]),
    );
  });
});

describe('the reference sample', () => {
  it('is accepted event by event, up to a state with its figures', () => {
    expect(sample).toHaveLength(241);
    given(sample).thenState((s) => {
      expect(s).toMatchObject({ version: 241, opened: true, closed: true });
      expect([...s.units]).toEqual(['office', 'safety', 'disaster', 'command', 'emergency']);
      expect(s.tasks.size).toBe(7);
      expect([...s.tasks.values()].every((t) => t.completed)).toBe(true);
      expect(s.indicators.size).toBe(15);
      expect(s.spending.size).toBe(103);
      // Allocation + adjustments, records + the one correction, per line (summed from the file independently).
      expect(
        Object.fromEntries([...s.lines.keys()].map((id) => [id, [line(s, id).budget, line(s, id).spent]])),
      ).toEqual({
        'ops-public': ['1263507.00', '1263391.60'],
        'ops-other': ['1997293.00', '1997276.94'],
        'staff-3pub': ['504000.00', '503975.70'],
        'staff-pers': ['14914606.65', '14780426.09'],
        safety: ['7266633.50', '6618763.65'],
        'safety-other': ['297800.00', '297800.00'],
        disaster: ['8624500.00', '8598065.05'],
        invest: ['8274400.00', '8232424.52'],
        emergency: ['5620358.50', '3808294.98'],
      });
    });
  });

  it('accepts its correction after the first 75 events, taking 100000.00 off the safety line', () => {
    const correction = sample[75]!;
    expect(correction.type).toBe('SpendingCorrected');
    given(sample.slice(0, 75)).thenState((s) => expect(line(s, 'safety').spent).toBe('3217445.90'));
    given(sample.slice(0, 75))
      .when(correction)
      .thenAccepts()
      .thenState((s) => {
        expect(line(s, 'safety').spent).toBe('3117445.90');
        expect(s.version).toBe(76);
      });
  });

  it('refuses its first events sent again (one event of each kind that introduces an id)', () => {
    const head = sample.slice(0, 30);
    const again = (type: EventInput['type']) => {
      const e = head.find((x) => x.type === type);
      if (!e) throw new Error(`no ${type} in the first 30 events`);
      return { ...e, id: `${e.id}-again` } as EventInput;
    };
    given(head)
      .when(again('UnitRegistered'))
      .thenRejects([{ path: 'data.unit', reason: 'unit "office" is already registered' }]);
    given(head)
      .when(again('BudgetAllocated'))
      .thenRejects([{ path: 'data.line', reason: 'budget line "ops-public" is already allocated' }]);
    given(head)
      .when(again('YearOpened'))
      .thenRejects([{ path: 'type', reason: 'the year is already opened: YearOpened is accepted once per stream' }]);
  });
});

describe('DeciderSpecification itself', () => {
  it('fails loudly on a given event that decide refuses, naming it', () => {
    const stray = unitRegistered('office');
    expect(() => given([stray]).when(yearOpened()).thenAccepts()).toThrow(
      `given event 1 of 1 (UnitRegistered "${stray.id}") is refused by decide: type: the stream ${STREAM} has no YearOpened yet`,
    );
    expect(() => given([...opened, stray]).thenState(() => undefined)).toThrow(/^given event 4 of 4 \(UnitRegistered/);
  });

  it('fails on a given event with a stale expectedVersion, and on one that fails field validation', () => {
    expect(() => given([yearOpened(), withVersion(unitRegistered('x'), 0)]).thenState(() => undefined)).toThrow(
      /given event 2 of 2 \(UnitRegistered "[^"]+"\) is refused: expectedVersion 0, stream at 1/,
    );
    const badAmount = budgetAllocated('ops-public', 'office', '1,263,507.00');
    expect(() => given([...opened, badAmount]).thenState(() => undefined)).toThrow(
      /given event 4 of 4 \(BudgetAllocated "[^"]+"\) fails field validation: data.amount: "1,263,507.00" is not an amount/,
    );
    expect(() =>
      given(opened)
        .when(badAmount)
        .thenRejects([{ path: 'data.unit' }]),
    ).toThrow(/the when event .* fails field validation/);
  });

  it('fails when the outcome is not the expected one', () => {
    expect(() => given(opened).when(unitRegistered('office')).thenAccepts()).toThrow(
      /to be accepted, but decide refused it: data.unit: unit "office" is already registered/,
    );
    expect(() =>
      given(opened)
        .when(unitRegistered('disaster'))
        .thenRejects([{ path: 'data.unit' }]),
    ).toThrow(/to be refused, but decide accepted it/);
    expect(() =>
      given(opened)
        .when(withVersion(unitRegistered('disaster'), 0))
        .thenAccepts(),
    ).toThrow(/expectedVersion 0 conflicts with version 3/);
    expect(() => given(opened).when(unitRegistered('disaster')).thenConflicts()).toThrow(/expected a version conflict/);
  });

  it('compares paths and reasons exactly, or by RegExp / asymmetric matcher', () => {
    const dup = given(opened).when(unitRegistered('office'));
    dup.thenRejects([{ path: 'data.unit', reason: /already registered$/ }]);
    dup.thenRejects([{ reason: expect.stringContaining('"office"') }]);
    expect(() => dup.thenRejects([{ path: 'data.unit', reason: 'unit "office" is already' }])).toThrow();
    expect(() => dup.thenRejects([{ path: 'data.name' }])).toThrow();
    expect(() => dup.thenRejects([{ path: 'data.unit' }, { path: 'data.unit' }])).toThrow();
    expect(() => dup.thenRejects([])).toThrow(/at least one expected error/);
  });

  it('starts every outcome from a fresh state (a given can be shared)', () => {
    const base = given(opened);
    base.when(unitRegistered('disaster')).thenAccepts();
    base.when(unitRegistered('disaster')).thenAccepts();
    base.thenState((s) => expect(s.units.has('disaster')).toBe(false));
  });
});
