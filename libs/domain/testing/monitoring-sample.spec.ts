/**
 * The v1.1 edition of the reference year, samples/yantian-emergency-2023-monitoring.jsonl (written
 * by scripts/samples/monitoring-sample.mjs from the v1 sample): every event passes field validation
 * and the stream rules in file order, it is the v1 sample plus exactly the listed additions, and
 * the figures of v1 hold (year-end evaluation 91.70 优, the units red at the end of June).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluationStateFromEvents } from '../evaluation/evaluation-state.js';
import { evaluate } from '../evaluation/evaluate.js';
import { DEFAULT_FRAMEWORK } from '../evaluation/framework.js';
import { judgeIndicator, parseActual, parseTarget } from '../evaluation/indicators.js';
import type { EventInput, EventOf, EventType } from '../events.js';
import { executionReport } from '../execution/execution.js';
import { factsFromEvents } from '../execution/facts.js';
import { decide, evolve, initialStreamState } from '../stream.js';
import { validateEvent } from '../validation.js';
import { dated, sampleWire } from './evaluation.fixture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MONITORING = path.join(ROOT, 'samples', 'yantian-emergency-2023-monitoring.jsonl');
const SCRIPT = path.join(ROOT, 'scripts', 'samples', 'monitoring-sample.mjs');

const read = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const lines = read(MONITORING);
const events = lines.map((l) => JSON.parse(l) as EventInput);
const v1 = sampleWire();

const ofType = <T extends EventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type);
const countByType = (list: readonly EventInput[]) => {
  const out: Record<string, number> = {};
  for (const e of list) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
};

/** The project lines and the project each funds. */
const PROJECT_LINES = {
  safety: 'pj-safety',
  'safety-other': 'pj-safety',
  disaster: 'pj-disaster',
  invest: 'pj-invest',
  emergency: 'pj-emergency',
};
const PROJECTS = ['pj-safety', 'pj-disaster', 'pj-invest', 'pj-emergency'];

describe('the v1.1 sample file', () => {
  test('is what the script writes (deterministic, up to date)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'monitoring-sample-'));
    try {
      const out = path.join(dir, 'out.jsonl');
      execFileSync(process.execPath, [SCRIPT, out], { stdio: 'pipe' });
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(MONITORING, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every event passes field validation and the stream rules, in file order', () => {
    let state = initialStreamState();
    const problems: string[] = [];
    for (const [i, raw] of lines.entries()) {
      const r = validateEvent(JSON.parse(raw));
      if (!r.ok) {
        problems.push(`${i} ${raw.slice(0, 60)}: ${JSON.stringify(r.errors)}`);
        continue;
      }
      const errors = decide(state, r.event);
      if (errors.length) problems.push(`${i} ${r.event.id}: ${JSON.stringify(errors)}`);
      else state = evolve(state, r.event);
    }
    expect(problems).toEqual([]);
    expect(state.version).toBe(282);
    expect(state.closed).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.every((e) => e.department === 'yantian-emergency' && e.year === 2023)).toBe(true);
    // The monitoring types are in-year: all of them before YearClosed, which stays the last event.
    expect(events[events.length - 1]!.type).toBe('YearClosed');
  });
});

describe('the v1 sample plus exactly the listed additions', () => {
  const v1Ids = new Set(v1.map((e) => e.id));
  const changed = ofType('BudgetAllocated').filter((e) => e.data.task !== undefined);
  const added = events.filter((e) => !v1Ids.has(e.id) && !changed.includes(e as EventOf<'BudgetAllocated'>));

  test('282 events: the 241 of v1 (five allocations renamed) and 41 new ones', () => {
    expect(events).toHaveLength(282);
    expect(countByType(events)).toEqual({
      ...countByType(v1),
      TaskPlanned: 7 + 4,
      TaskCompleted: 7 + 4,
      IndicatorDefined: 15 + 10,
      IndicatorReported: 15 + 10,
      IndicatorProgressReported: 10,
      DeviationExplained: 1,
      CorrectiveActionReported: 2,
    });
    expect(countByType(added)).toEqual({
      TaskPlanned: 4,
      TaskCompleted: 4,
      IndicatorDefined: 10,
      IndicatorReported: 10,
      IndicatorProgressReported: 10,
      DeviationExplained: 1,
      CorrectiveActionReported: 2,
    });
    expect(added.every((e) => e.id.startsWith('mon-'))).toBe(true);
  });

  test('every v1 event is kept as it was, in the same order, but the project allocations', () => {
    const byId = new Map(events.map((e) => [e.id, e]));
    const kept = v1.filter((e) => !(e.type === 'BudgetAllocated' && e.data.line in PROJECT_LINES));
    expect(kept).toHaveLength(241 - 5);
    for (const e of kept) expect(byId.get(e.id)).toEqual(e);
    const order = events.filter((e) => v1Ids.has(e.id)).map((e) => e.id);
    expect(order).toEqual(kept.map((e) => e.id));
  });

  test('the project allocations gain their project and the id suffix -v11, nothing else', () => {
    const originals = v1.filter(
      (e): e is EventOf<'BudgetAllocated'> => e.type === 'BudgetAllocated' && e.data.line in PROJECT_LINES,
    );
    expect(originals.map((e) => e.data.line)).toEqual(Object.keys(PROJECT_LINES));
    expect(changed.map((e) => [e.data.line, e.data.task])).toEqual(Object.entries(PROJECT_LINES));
    for (const [i, e] of changed.entries()) {
      const o = originals[i]!;
      expect(e).toEqual({ ...o, id: `${o.id}-v11`, data: { ...o.data, task: e.data.task } });
      // Each at the place of its v1 allocation: after the projects it names.
      const at = events.indexOf(e);
      expect(events.findIndex((x) => x.type === 'TaskPlanned' && x.data.task === e.data.task)).toBeLessThan(at);
    }
  });

  test('four projects after the units, due at the year end, completed on 2023-12-29 before YearClosed', () => {
    const planned = ofType('TaskPlanned').filter((e) => PROJECTS.includes(e.data.task));
    expect(planned.map((e) => [e.id, e.data.task, e.data.unit, e.data.kind, e.data.due, e.occurredAt])).toEqual([
      ['mon-task-pj-safety', 'pj-safety', 'safety', 'project', '2023-12-31', '2023-01-04'],
      ['mon-task-pj-disaster', 'pj-disaster', 'disaster', 'project', '2023-12-31', '2023-01-04'],
      ['mon-task-pj-invest', 'pj-invest', 'command', 'project', '2023-12-31', '2023-01-04'],
      ['mon-task-pj-emergency', 'pj-emergency', 'emergency', 'project', '2023-12-31', '2023-01-04'],
    ]);
    const lastUnit = events.findLastIndex((e) => e.type === 'UnitRegistered');
    expect(events.indexOf(planned[0]!)).toBe(lastUnit + 1);
    const done = ofType('TaskCompleted').filter((e) => PROJECTS.includes(e.data.task));
    expect(done.map((e) => [e.id, e.data.completedOn, e.occurredAt])).toEqual(
      PROJECTS.map((p) => [`mon-done-${p}`, '2023-12-29', '2023-12-29']),
    );
  });

  test('the project targets: numeric, readable, one at most; progress through July; met at the year end', () => {
    const targets = ofType('IndicatorDefined').filter((e) => e.data.task !== undefined);
    expect(targets.map((e) => [e.data.task, e.data.name, e.data.target])).toEqual([
      ['pj-safety', '安全生产执法检查企业', '≥400家'],
      ['pj-safety', '安全生产干部培训', '≥300人次'],
      ['pj-disaster', '地质灾害隐患点巡查', '≥66处'],
      ['pj-disaster', '地质灾害隐患点工程治理', '≥4处'],
      ['pj-disaster', '突发性地质灾害处理时间', '10天内'],
      ['pj-invest', '信息化系统年内建设完成率', '100%'],
      ['pj-invest', '通过验收的信息化系统', '3个'],
      ['pj-emergency', '应急演练', '≥12次'],
      ['pj-emergency', '应急物资储备完好率', '≥95%'],
      ['pj-emergency', '突发事件应急响应到位率', '100%'],
    ]);
    for (const p of PROJECTS) {
      const n = targets.filter((t) => t.data.task === p).length;
      expect(n >= 2 && n <= 3).toBe(true);
    }
    const parsed = targets.map((t) => parseTarget(t.data.target));
    expect(parsed.every((t) => t.kind === 'quantitative')).toBe(true);
    expect(parsed.map((t) => (t.kind === 'quantitative' ? t.comparator : null))).toEqual([
      ...['>=', '>=', '>=', '>=', '<='],
      ...['>=', '>=', '>=', '>=', '>='],
    ]);

    const progress = ofType('IndicatorProgressReported');
    expect(progress.map((e) => e.data.indicator)).toEqual(targets.map((t) => t.data.indicator));
    expect(progress.every((e) => e.data.asOf === '2023-07-31' && e.occurredAt === '2023-08-08')).toBe(true);
    // Every actual to date is comparable with its target (same unit).
    for (const [i, e] of progress.entries()) {
      expect(parseActual(e.data.actual).kind).toBe('quantitative');
      expect(['met', 'not_met']).toContain(judgeIndicator(targets[i]!.data.target, e.data.actual));
    }
    expect(progress.map((e) => [e.data.indicator, e.data.actual, e.data.likelihood])).toEqual([
      ['pj-safety-firms', '246家', 'certain'],
      ['pj-safety-training', '168人次', 'certain'],
      ['pj-disaster-patrol', '66处', 'certain'],
      ['pj-disaster-works', '1处', 'certain'],
      ['pj-disaster-response', '3天', 'certain'],
      ['pj-invest-build', '40%', 'certain'],
      ['pj-invest-accept', '0个', 'certain'],
      ['pj-emergency-drills', '5次', 'possible'],
      ['pj-emergency-supplies', '97%', 'certain'],
      ['pj-emergency-response', '100%', 'certain'],
    ]);
    const possible = progress.find((e) => e.data.likelihood === 'possible')!;
    expect(possible.data.deviation?.cause).toBe('staffing');
    expect(possible.data.measure).toBeDefined();

    const reported = ofType('IndicatorReported').filter((e) => e.id.startsWith('mon-'));
    expect(reported.map((e) => e.data.indicator)).toEqual(targets.map((t) => t.data.indicator));
    for (const [i, e] of reported.entries()) expect(judgeIndicator(targets[i]!.data.target, e.data.actual)).toBe('met');
  });
});

describe('the figures of v1 hold', () => {
  const monitoring = dated(events);

  test('year end: final 91.70 优, as for v1; the seven projects all completed by due', () => {
    const e = evaluate({
      framework: DEFAULT_FRAMEWORK,
      facts: factsFromEvents(monitoring),
      state: evaluationStateFromEvents(monitoring),
    });
    expect(e.status).toBe('final');
    expect(e.totalDisplay).toBe('91.70');
    expect(e.grade).toBe('优');
    const timeliness = e.criteria
      .flatMap((c) => [c, ...(c.items ?? [])])
      .find((c) => c.id === 'performance.efficiency.timeliness')!;
    // 项目完成及时性: 7 / 7 × 6 = 6 (v1: 3 / 3 × 6).
    expect(timeliness.score.toFixed()).toBe('6');
    expect(timeliness.inputs).toMatchObject({ planned: '7', completedByDue: '7' });
  });

  /*
   * Fiscal funds (财政拨款, the default view) as of 2023-06-30: budgets as allocated (the
   * adjustments count from 2023-07-15), spending of January–June with the March correction of
   * `safety` (−100,000.00); schedule 50.00, red at a lag of 10 points or more.
   *
   *   office     (ops-public, ops-other, staff-3pub, staff-pers)
   *              (631,695.80 + 1,284,483.08 + 251,987.85 + 7,390,213.05) = 9,558,379.78
   *              / (1,263,507.00 + 1,997,293.00 + 504,000.00 + 15,554,606.65) = 19,319,406.65
   *              = 49.4755…% → 49.48, lag 0.52, green
   *   safety     (safety; safety-other is other funds) 3,925,702.32 / 7,956,633.50 = 49.3388…% → 49.34,
   *              lag 0.66, green
   *   disaster   5,013,679.32 / 8,624,500.00 = 58.1330…% → 58.13, lag −8.13, green
   *   command    (invest) 1,646,484.90 / 9,830,800.00 = 16.7483…% → 16.75, lag 33.25, red
   *   emergency  837,824.90 / 6,828,958.50 = 12.2687…% → 12.27, lag 37.73, red
   */
  test('the units red on 2023-06-30 are command (16.75%) and emergency (12.27%), as in v1', () => {
    for (const stream of [dated(v1), monitoring]) {
      const r = executionReport(factsFromEvents(stream), { asOf: '2023-06-30', source: 'fiscal' });
      expect(r.units.map((u) => [u.unit, u.rate!.toFixed(2), u.lag!.toFixed(2), u.level])).toEqual([
        ['office', '49.48', '0.52', 'green'],
        ['safety', '49.34', '0.66', 'green'],
        ['disaster', '58.13', '-8.13', 'green'],
        ['command', '16.75', '33.25', 'red'],
        ['emergency', '12.27', '37.73', 'red'],
      ]);
    }
  });

  test('every red unit is explained on 2023-07-10 but emergency, left unexplained; one measure followed up', () => {
    const r = executionReport(factsFromEvents(monitoring), { asOf: '2023-06-30', source: 'fiscal' });
    const red = r.units.filter((u) => u.level === 'red').map((u) => u.unit);
    const explained = ofType('DeviationExplained');
    const subjects = explained.map((e) => e.data.subject.id);
    expect(red.filter((u) => !subjects.includes(u))).toEqual(['emergency']);
    expect(subjects.every((u) => red.includes(u!))).toBe(true);
    expect(explained.map((e) => [e.id, e.data.subject, e.data.asOf, e.occurredAt, e.data.cause, e.data.due])).toEqual([
      ['mon-explain-command', { kind: 'unit', id: 'command' }, '2023-07-10', '2023-07-10', 'policy', '2023-09-30'],
    ]);
    const actions = ofType('CorrectiveActionReported');
    expect(actions.map((e) => [e.id, e.data.explanation, e.data.on, e.occurredAt, e.data.status])).toEqual([
      ['mon-action-command-1', 'mon-explain-command', '2023-08-15', '2023-08-15', 'in_progress'],
      ['mon-action-command-2', 'mon-explain-command', '2023-09-20', '2023-09-20', 'done'],
    ]);
  });
});
