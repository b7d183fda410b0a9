import { Decimal } from '../decimal.js';
import type { EventDataByType, EventType } from '../events.js';
import { factsFromEvents, type DatedEvent } from '../execution/facts.js';
import { evaluationStateFromEvents } from './evaluation-state.js';
import { DEFAULT_FRAMEWORK, criteriaById, type FrameworkDef } from './framework.js';
import { RULES, missingRules, ruleFor, type RuleResult } from './rules.js';

let seq = 0;
function ev<T extends EventType>(type: T, data: EventDataByType[T], occurredAt = '2023-12-31'): DatedEvent {
  seq += 1;
  return {
    id: `e${seq}`,
    type,
    department: 'test',
    year: 2023,
    occurredAt,
    occurredOn: occurredAt,
    data,
  } as DatedEvent;
}

const opened = () => [
  ev('YearOpened', { departmentName: '测试局' }, '2023-01-01'),
  ev('UnitRegistered', { unit: 'office', name: '办公室' }, '2023-01-01'),
];

function line(
  id: string,
  amount: string,
  economic: EventDataByType['BudgetAllocated']['economic'] = 'other',
  source: 'fiscal' | 'other' = 'fiscal',
) {
  return ev(
    'BudgetAllocated',
    { line: id, unit: 'office', name: id, category: 'basic', economic, source, amount },
    '2023-01-05',
  );
}

function spend(lineId: string, month: number, amount: string, source: 'fiscal' | 'other' = 'fiscal') {
  const m = `2023-${String(month).padStart(2, '0')}`;
  return ev('SpendingRecorded', { line: lineId, source, month: m, amount }, `${m}-28`);
}

function run(criterion: string, events: DatedEvent[], asOf?: string): RuleResult {
  const def = criteriaById(DEFAULT_FRAMEWORK).get(criterion)!;
  return ruleFor(criterion)!({
    facts: factsFromEvents(events),
    state: evaluationStateFromEvents(events),
    criterion: def,
    ...(asOf ? { asOf } : {}),
  });
}

const score = (r: RuleResult) => r.score.toFixed();

describe('registry', () => {
  test('every computed criterion of the default framework has a rule', () => {
    expect(missingRules(DEFAULT_FRAMEWORK)).toEqual([]);
    expect(Object.keys(RULES)).toHaveLength(12);
  });
  test('a framework is data: a computed criterion without a rule is reported', () => {
    const other: FrameworkDef = {
      ...DEFAULT_FRAMEWORK,
      criteria: [...DEFAULT_FRAMEWORK.criteria, { ...DEFAULT_FRAMEWORK.criteria[0]!, id: 'x.new', how: 'computed' }],
    };
    expect(missingRules(other)).toEqual(['x.new']);
    expect(ruleFor('toString')).toBeUndefined();
  });
});

describe('management.funds.procurement', () => {
  const id = 'management.funds.procurement';
  const proc = (planned: string, actual: string, policyCompliant: boolean) =>
    run(id, [ev('ProcurementReported', { planned, actual, policyCompliant })]);
  test('missing input scores 0 and says so', () => {
    const r = run(id, []);
    expect(score(r)).toBe('0');
    expect(r.formula).toContain('ProcurementReported');
    expect(r.missing).toBeDefined();
  });
  test('rate × 1 plus policy', () => {
    expect(score(proc('100.00', '80.00', true))).toBe('1.8');
    expect(score(proc('100.00', '100.00', true))).toBe('2');
    expect(score(proc('100.00', '100.00', false))).toBe('1');
    expect(score(proc('300.00', '100.00', false))).toBe('0.3333');
  });
  test('actual above planned scores 0 for the rate', () => {
    const r = proc('100.00', '100.01', true);
    expect(score(r)).toBe('1');
    expect(r.formula).toContain('大于采购计划金额');
  });
  test('nothing planned', () => {
    expect(score(proc('0.00', '0.00', true))).toBe('1');
  });
});

describe('management.funds.compliance.adjustment', () => {
  const id = 'management.funds.compliance.adjustment';
  const adjust = (amount: string) =>
    ev('BudgetAdjusted', { line: 'a', source: 'fiscal', amount, effectiveOn: '2023-07-01', reason: 'x' });
  const withAdjustments = (...amounts: string[]) =>
    run(id, [...opened(), line('a', '600.00'), line('b', '400.00', 'other', 'other'), ...amounts.map(adjust)]);
  test('Σ|adjustments| over the initial budget of all sources', () => {
    const r = withAdjustments('60.00', '-40.00');
    expect(r.inputs).toMatchObject({ adjusted: '100.00', initialBudget: '1000.00', rate: '10.00' });
    expect(score(r)).toBe('1');
    expect(r.formula).toContain('10% ≤ 10% → 1分');
  });
  test('0.1 off per percentage point over 10%, floor 0', () => {
    expect(score(withAdjustments('100.10'))).toBe('0.999');
    expect(score(withAdjustments('-125.00'))).toBe('0.75');
    expect(score(withAdjustments('200.00'))).toBe('0');
    expect(score(withAdjustments('250.00'))).toBe('0');
  });
  test('no budget yet', () => {
    expect(run(id, opened()).missing).toContain('BudgetAllocated');
  });
});

describe('management.funds.disclosure', () => {
  const id = 'management.funds.disclosure';
  test.each([
    ['on_time', 'on_time', '3'],
    ['exempt', 'on_time', '3'],
    ['on_time', 'late', '2.5'],
    ['late', 'none', '1'],
    ['none', 'none', '0'],
  ] as const)('%s / %s → %s', (budget, finalAccounts, expected) => {
    expect(score(run(id, [ev('DisclosureReported', { budget, finalAccounts })]))).toBe(expected);
  });
  test('missing', () => expect(run(id, []).formula).toContain('DisclosureReported'));
});

describe('management.assets.utilization', () => {
  const id = 'management.assets.utilization';
  test.each([
    ['9000.00', '1'],
    ['8999.00', '0.7'],
    ['8999.50', '1'], // 89.995% → 90.00% (rates enter rounded)
    ['7500.00', '0.7'],
    ['7499.00', '0.4'],
    ['6000.00', '0.4'],
    ['5999.00', '0'],
  ])('in use %s of 10000.00 → %s', (inUse, expected) => {
    expect(score(run(id, [ev('AssetsReported', { asOf: '2023-12-31', inUse, total: '10000.00' })]))).toBe(expected);
  });
  test('no assets at all', () => {
    expect(run(id, [ev('AssetsReported', { asOf: '2023-12-31', inUse: '0.00', total: '0.00' })]).missing).toBeDefined();
  });
});

describe('management.staff', () => {
  const head = (authorized: number, onStaff: number, directHires: number, dispatched: number) =>
    ev('HeadcountReported', { asOf: '2023-12-31', authorized, onStaff, directHires, dispatched });
  test.each([
    [25, 25, '1'],
    [25, 26, '0'],
  ])('funded: %d authorized, %d on staff → %s', (authorized, onStaff, expected) => {
    expect(score(run('management.staff.funded', [head(authorized, onStaff, 0, 0)]))).toBe(expected);
  });
  test.each([
    [96, 4, 0, '1'],
    [95, 3, 2, '0.5'],
    [90, 5, 5, '0.5'],
    [89, 6, 5, '0'],
    [23, 21, 50, '0'],
  ])('contract: %d on staff, %d hires, %d dispatched → %s', (onStaff, directHires, dispatched, expected) => {
    expect(score(run('management.staff.contract', [head(100, onStaff, directHires, dispatched)]))).toBe(expected);
  });
  test('contract formula for the sample figures', () => {
    const r = run('management.staff.contract', [head(25, 23, 21, 50)]);
    expect(r.inputs.rate).toBe('75.53');
    expect(r.formula).toContain('71');
    expect(r.formula).toContain('94');
    expect(r.formula).toContain('75.53% > 10% → 0分');
  });
  test('latest report wins, missing and zero denominators', () => {
    expect(score(run('management.staff.funded', [head(25, 26, 0, 0), head(26, 26, 0, 0)]))).toBe('1');
    expect(run('management.staff.funded', []).missing).toContain('HeadcountReported');
    expect(run('management.staff.funded', [head(0, 0, 0, 0)]).missing).toBeDefined();
    expect(run('management.staff.contract', [head(0, 0, 0, 0)]).missing).toBeDefined();
  });
});

describe('performance.economy.public_funds', () => {
  const id = 'performance.economy.public_funds';
  const funds = (threeSpent: string, routineSpent: string) =>
    run(id, [
      ...opened(),
      line('3pub', '1000.00', 'three_public'),
      line('pub', '1000.00', 'routine_public'),
      line('3pub-other', '1000.00', 'three_public', 'other'),
      spend('3pub', 12, threeSpent),
      spend('pub', 6, routineSpent),
      spend('3pub-other', 5, '1.00', 'other'),
    ]);
  test.each([
    ['899.94', '3'], // 89.994% → 89.99%
    ['899.95', '2'], // 89.995% → 90.00%
    ['1000.00', '2'],
    ['1000.04', '2'], // 100.004% → 100.00%
    ['1000.05', '0'], // 100.005% → 100.01%
  ])('三公 spent %s of 1000.00 → %s (日常公用 fixed at 2)', (spent, part) => {
    const r = funds(spent, '950.00');
    expect(score(r)).toBe(new Decimal(part).plus(2).toFixed());
  });
  test('fiscal lines only, budget in force on Dec 31, formula per part', () => {
    const r = run(id, [
      ...opened(),
      line('3pub', '1000.00', 'three_public'),
      line('pub', '500.00', 'routine_public'),
      ev('BudgetAdjusted', { line: 'pub', source: 'fiscal', amount: '500.00', effectiveOn: '2023-12-31', reason: 'x' }),
      spend('3pub', 3, '500.00'),
      spend('pub', 12, '950.00'),
    ]);
    expect(r.inputs).toMatchObject({
      threePublicRate: '50.00',
      routinePublicBudget: '1000.00',
      routinePublicRate: '95.00',
    });
    expect(score(r)).toBe('5');
    expect(r.formula).toContain('“三公”经费控制率 = 实际支出 500.00 / 预算 1,000.00 = 50% < 90% → 3分');
    expect(r.formula).toContain('日常公用经费控制率 = 实际支出 950.00 / 预算 1,000.00 = 95% 在90%–100%之间 → 2分');
  });
  test('a part without budget scores 0 and says so', () => {
    const r = run(id, [...opened(), line('3pub', '1000.00', 'three_public'), spend('3pub', 3, '950.00')]);
    expect(score(r)).toBe('2');
    expect(r.missing).toContain('日常公用经费');
    // The missing part could still score its 3: at most 2 + 3.
    expect(r.max?.toFixed()).toBe('5');
  });
  test('no YearOpened', () => expect(run(id, []).missing).toContain('YearOpened'));
});

describe('performance.efficiency.execution', () => {
  const id = 'performance.efficiency.execution';
  test('terms capped at 1 plus average × 2', () => {
    const r = run(id, [
      ...opened(),
      line('a', '1000.00'),
      line('o', '1000.00', 'other', 'other'),
      spend('a', 3, '300.00'),
      spend('a', 6, '100.00'),
      spend('a', 9, '200.00'),
      spend('a', 12, '400.00'),
      spend('o', 1, '1000.00', 'other'),
    ]);
    // 30% → 1 (capped), 40%/50% = 0.8, 60%/75% = 0.8, 100% → 1; (30+40+60+100)/4 = 57.5% × 2 = 1.15
    expect(r.inputs).toMatchObject({
      q1Term: '1',
      q2Term: '0.8',
      q3Term: '0.8',
      q4Term: '1',
      averageRate: '57.5',
      averagePart: '1.15',
    });
    expect(score(r)).toBe('4.75');
    expect(r.formula).toContain('超过序时进度，按1分计');
  });
  test('terms are not rounded', () => {
    const r = run(id, [...opened(), line('a', '10000.00'), spend('a', 9, '7361.00'), spend('a', 12, '2000.00')]);
    // Q1, Q2 0; Q3 73.61/75; Q4 93.61/100; average (0+0+73.61+93.61)/4 = 41.805 → 0.8361
    const expected = new Decimal('73.61').div(75).plus('0.9361').plus('0.8361');
    expect(r.score.eq(expected)).toBe(true);
    expect(r.formula).toContain('≈ 0.9815');
  });
  test('no fiscal budget or no YearOpened', () => {
    expect(run(id, opened()).missing).toContain('财政拨款预算');
    expect(run(id, []).missing).toContain('YearOpened');
  });

  describe('during the year: only the quarters whose end has come', () => {
    const events = [
      ...opened(),
      line('a', '1000.00'),
      spend('a', 3, '300.00'),
      spend('a', 6, '100.00'),
      spend('a', 9, '200.00'),
      spend('a', 12, '400.00'),
    ];
    test('before the first quarter end nothing is due: 0, at most 4 × 1.5 = 6', () => {
      const r = run(id, events, '2023-03-30');
      expect([score(r), r.max?.toFixed()]).toEqual(['0', '6']);
      expect(r.notDue).toContain('2023-03-31');
      expect(r.missing).toBeUndefined();
    });
    test('two quarters: terms 1 (30% capped) + 0.8 (40/50), average (30 + 40) / 2 = 35% × 2 × 2/4 = 0.35', () => {
      const r = run(id, events, '2023-06-30');
      expect(r.inputs).toMatchObject({ quartersReached: '2', averageRate: '35', averagePart: '0.35' });
      expect(score(r)).toBe('2.15');
      // Q3 and Q4 can still add 1 + 0.5 each.
      expect(r.max?.toFixed()).toBe('5.15');
      expect(r.notDue).toBe('三季度、四季度尚未到季末');
      expect(r.formula).toContain('× 2分 × 2/4 = 0.35');
    });
    test('on the last day of the year every quarter is in: the year-end score and formula', () => {
      const r = run(id, events, '2023-12-31');
      expect(score(r)).toBe('4.75');
      expect(r.notDue).toBeUndefined();
      expect(r.max).toBeUndefined();
      expect(r.formula).toBe(run(id, events).formula);
    });
  });
});

describe('tasks', () => {
  const plan = (task: string, kind: 'key_work' | 'project', due = '2023-12-31') =>
    ev('TaskPlanned', { task, unit: 'office', kind, title: task, due }, '2023-01-10');
  const complete = (task: string, completedOn: string) => ev('TaskCompleted', { task, completedOn }, completedOn);
  test('key_work: 8 − 4 × not completed by due, floor 0', () => {
    const base = [...opened(), plan('k1', 'key_work'), plan('k2', 'key_work', '2023-06-30'), plan('k3', 'key_work')];
    expect(
      score(
        run('performance.efficiency.key_work', [
          ...base,
          complete('k1', '2023-12-31'),
          complete('k2', '2023-06-30'),
          complete('k3', '2023-12-01'),
        ]),
      ),
    ).toBe('8');
    const late = run('performance.efficiency.key_work', [
      ...base,
      complete('k1', '2023-12-31'),
      complete('k2', '2023-07-01'),
      complete('k3', '2023-12-01'),
    ]);
    expect(score(late)).toBe('4');
    expect(late.formula).toContain('k2：到期 2023-06-30，2023-07-01 完成');
    const none = run('performance.efficiency.key_work', base);
    expect(score(none)).toBe('0');
    expect(none.formula).toContain('扣完为止');
    expect(run('performance.efficiency.key_work', [plan('p', 'project')]).missing).toContain('key_work');
  });
  test('key_work during the year: a task whose due date has not passed is not yet due', () => {
    const tasks = [
      ...opened(),
      plan('k1', 'key_work', '2023-03-31'),
      plan('k2', 'key_work', '2023-05-31'),
      plan('k3', 'key_work', '2023-09-30'),
      plan('k4', 'key_work'),
      complete('k1', '2023-03-20'),
    ];
    // As of 06-30: k1 on time, k2 past due without completion (late), k3 and k4 not yet due.
    const r = run('performance.efficiency.key_work', tasks, '2023-06-30');
    // so far k3 and k4 count as not completed: 8 − 4 × 3 → 0; completed on time at most 8 − 4 × 1 = 4.
    expect([score(r), r.max?.toFixed()]).toEqual(['0', '4']);
    expect(r.inputs).toEqual({ planned: '4', notCompletedByDue: '1', notYetDue: '2' });
    expect(r.notDue).toBe('2 项重点工作尚未到期');
    expect(r.formula).toContain('尚未到期 2 项（k3：到期 2023-09-30；k4：到期 2023-12-31）');
    expect(r.formula).toContain('k2：到期 2023-05-31，未完成');
    // A task due on the evaluation date is not late yet.
    const due = run(
      'performance.efficiency.key_work',
      [...opened(), plan('k', 'key_work', '2023-06-30')],
      '2023-06-30',
    );
    expect([score(due), due.max?.toFixed()]).toEqual(['4', '8']);
    // Once the year is closed (no date) the same tasks are late: 8 − 4 × 3 → 0, decided.
    const closed = run('performance.efficiency.key_work', tasks);
    expect([score(closed), closed.max, closed.notDue]).toEqual(['0', undefined, undefined]);
  });

  test('timeliness during the year: completed on time counts, not yet due counts at most', () => {
    const tasks = [
      ...opened(),
      plan('p1', 'project', '2023-03-31'),
      plan('p2', 'project', '2023-05-31'),
      plan('p3', 'project', '2023-10-31'),
      complete('p1', '2023-03-31'),
    ];
    // p1 on time, p2 late, p3 not yet due: 1 / 3 × 6 = 2, at most (1 + 1) / 3 × 6 = 4.
    const r = run('performance.efficiency.timeliness', tasks, '2023-06-30');
    expect([score(r), r.max?.toFixed()]).toEqual(['2', '4']);
    expect(r.notDue).toBe('1 个预算项目尚未到期');
    expect(r.formula).toContain('尚未到期的均按期完成最高 4分');
  });

  test('timeliness: completed by due / planned × 6', () => {
    const base = [...opened(), plan('p1', 'project'), plan('p2', 'project'), plan('p3', 'project', '2023-10-31')];
    const r = run('performance.efficiency.timeliness', [
      ...base,
      complete('p1', '2023-11-01'),
      complete('p3', '2023-11-01'),
    ]);
    expect(score(r)).toBe('2');
    expect(r.inputs).toEqual({ planned: '3', completedByDue: '1' });
    const seven = [
      ...opened(),
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((t) => plan(t, 'project')),
      complete('a', '2023-05-01'),
      complete('b', '2023-05-01'),
    ];
    const partial = run('performance.efficiency.timeliness', seven);
    expect(partial.score.eq(new Decimal(12).div(7))).toBe(true);
    expect(partial.formula).toContain('2 / 7 × 6 ≈ 1.7143分');
    expect(run('performance.efficiency.timeliness', []).missing).toContain('project');
  });
});

describe('performance.fairness', () => {
  const petitions = (channel: boolean, received: number, replied: number, repliedOnTime: number) =>
    score(
      run('performance.fairness.petitions', [ev('PetitionsReported', { channel, received, replied, repliedOnTime })]),
    );
  test('petitions', () => {
    expect(petitions(true, 36, 36, 36)).toBe('3');
    expect(petitions(false, 36, 36, 36)).toBe('2');
    expect(petitions(true, 36, 35, 35)).toBe('1');
    expect(petitions(true, 36, 36, 35)).toBe('2');
    expect(petitions(true, 0, 0, 0)).toBe('3');
    expect(run('performance.fairness.petitions', []).missing).toContain('PetitionsReported');
  });
  test.each([
    ['95', '6'],
    ['94.99', '4'],
    ['90', '4'],
    ['89.99', '2'],
    ['80', '2'],
    ['79.99', '1'],
    ['0', '1'],
  ])('satisfaction %s%% → %s', (rate, expected) => {
    expect(
      score(run('performance.fairness.satisfaction', [ev('SatisfactionMeasured', { rate, method: '问卷' })])),
    ).toBe(expected);
  });
  test('satisfaction formula and missing', () => {
    const r = run('performance.fairness.satisfaction', [ev('SatisfactionMeasured', { rate: '90', method: '问卷' })]);
    expect(r.formula).toBe('满意度 90%（问卷）在90%–95%之间 → 4分');
    expect(r.sources).toHaveLength(1);
    expect(score(run('performance.fairness.satisfaction', []))).toBe('0');
  });
});
