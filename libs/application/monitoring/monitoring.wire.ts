/** The monitoring answer on the wire: amounts with 2 decimals, rates and percents as decimal strings. */
import { fixed2, money, type Decimal } from '#domain/decimal.js';
import type {
  Figures,
  MeasureStatus,
  MonitoringReport,
  SubjectExplanation,
  SubjectRef,
  TargetStatus,
} from '#domain/monitoring/monitoring.js';

const fixed2OrNull = (d: Decimal | null) => (d === null ? null : fixed2(d));

export function figuresWire(f: Figures) {
  return {
    budget: money(f.budget),
    spent: money(f.spent),
    rate: fixed2OrNull(f.rate),
    schedule: fixed2(f.schedule),
    lag: fixed2OrNull(f.lag),
    level: f.level,
    projectedYearEnd: money(f.projectedYearEnd),
    carryOver: money(f.carryOver),
  };
}

export function targetWire(t: TargetStatus) {
  const p = t.progress;
  return {
    indicator: t.indicator,
    level1: t.level1,
    level2: t.level2,
    name: t.name,
    target: t.target,
    progress: p && {
      asOf: p.asOf,
      actual: p.actual,
      expectedYearEnd: p.expectedYearEnd,
      likelihood: p.likelihood,
      deviation: p.deviation && { cause: p.deviation.cause, reason: p.deviation.reason },
      measure: p.measure,
      eventId: p.eventId,
    },
    completion: fixed2OrNull(t.completion),
    atRisk: t.atRisk,
  };
}

const subjectWire = (s: SubjectRef) => ({ kind: s.kind, id: s.id, name: s.name });

export function explanationWire(e: SubjectExplanation) {
  const x = e.explanation;
  return {
    subject: subjectWire(e.subject),
    level: e.level,
    since: e.since,
    explanation: x && {
      eventId: x.eventId,
      asOf: x.asOf,
      cause: x.cause,
      reason: x.reason,
      measure: x.measure,
      due: x.due,
    },
    status: e.status,
    workingDaysOpen: e.workingDaysOpen,
  };
}

export function measureWire(m: MeasureStatus) {
  return {
    eventId: m.eventId,
    subject: subjectWire(m.subject),
    measure: m.measure,
    due: m.due,
    status: m.status && { status: m.status.status, on: m.status.on, note: m.status.note },
    overdue: m.overdue,
  };
}

export function monitoringWire(r: MonitoringReport) {
  return {
    department: r.department,
    departmentName: r.departmentName,
    year: r.year,
    asOf: r.asOf,
    knownOn: r.knownOn,
    throughMonth: r.throughMonth,
    source: 'fiscal' as const,
    checkpoints: r.checkpoints.map((c) => ({ date: c.date, percent: fixed2(c.percent) })),
    thresholds: {
      yellow: fixed2(r.thresholds.yellow),
      red: fixed2(r.thresholds.red),
      divergence: fixed2(r.thresholds.divergence),
    },
    total: r.total && figuresWire(r.total),
    projects: r.projects.map((p) => ({
      task: p.task,
      title: p.title,
      unit: p.unit,
      unitName: p.unitName,
      lines: p.lines,
      ...figuresWire(p),
      targets: p.targets.map(targetWire),
      divergence: p.divergence && {
        rate: fixed2(p.divergence.rate),
        completion: fixed2(p.divergence.completion),
        difference: fixed2(p.divergence.difference),
        kind: p.divergence.kind,
      },
    })),
    departmentTargets: r.departmentTargets.map(targetWire),
    explanations: r.explanations.map(explanationWire),
    measures: r.measures.map(measureWire),
    summary: { ...r.summary },
  };
}

export type MonitoringAnswer = ReturnType<typeof monitoringWire>;
