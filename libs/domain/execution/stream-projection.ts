/**
 * The execution projection of one stream as it is stored: a head (the year's meta, the
 * stream-level evaluation inputs, how far the stream is applied) and one segment per record month
 * (the month of the events' occurredOn). A segment holds the facts of libs/domain/execution/facts.ts
 * recorded in its month; spending is summed per (line, valid month, record date, kind), which is all
 * any figure needs, so the read model has one row per stream and record month instead of one per
 * event. With the facts, a segment keeps the log positions of the events behind each budget line
 * (the year-end evaluation names them as its sources). An event only ever changes its own record
 * month's segment, so a projector batch rewrites a few segments, and a rebuild writes each once.
 *
 * Pure: the projector loads heads and segments, applies events in stream order, and stores what
 * changed; a rebuild from zero folds the same events into the same rows (the encoding is canonical).
 */
import { Decimal } from '../decimal.js';
import { emptyEvaluationDoc, evolveEvaluationDoc, type EvaluationDoc } from '../evaluation/evaluation-doc.js';
import type { LineEvents } from '../evaluation/evaluation-state.js';
import type { Category, Economic, FundSource, IsoDate } from '../events.js';
import { factsOf, recordedSpendingFact, type BudgetFact, type DatedEvent, type ExecutionFacts, type LineInfo, type PlanFact, type SpendingFact, type StreamMeta, type UnitInfo } from './facts.js';

/**
 * An event as the projector sees it: dated, with its stream, version and log position. The
 * projection feed leaves out what no projection reads: the id of a SpendingRecorded (its sources
 * are kept as log positions; corrections are placed by the feed) and its fund source.
 */
export type ProjectedEvent = DatedEvent & { stream: string; version: number; position: number };

/** Where a SpendingRecorded went (to place its corrections). */
export type RecordLookup = (id: string) => { line: string; month: number } | undefined;

export interface StreamHead {
  stream: string;
  department: string;
  year: number;
  /** From YearOpened (null until it is applied). */
  meta: StreamMeta | null;
  /** Position of the YearOpened event. */
  openedPosition: number;
  evaluation: EvaluationDoc;
  /** Highest stream version applied (every lower one is applied too). */
  version: number;
  /** Log position of the last event applied. */
  position: number;
  /** Latest record date (occurredOn) among the applied events. */
  knownThrough: IsoDate | null;
}

interface SpendingSum {
  line: string;
  month: number;
  knownOn: IsoDate;
  kind: 'recorded' | 'correction';
  /**
   * The sum so far: the amount text while there is one amount (most keys hold exactly one, and
   * parsing each into a Decimal was most of a rebuild's time), a Decimal once there are two.
   */
  amount: Decimal | string;
}

/** Log positions of the events a line's figures come from: budget events and spending events. */
export interface LineSources {
  b: number[];
  s: number[];
}

export interface Segment {
  /** yyyymm of the record date. */
  bucket: number;
  units: (UnitInfo & { position: number })[];
  lines: (LineInfo & { position: number })[];
  budget: (BudgetFact & { position: number })[];
  plans: (PlanFact & { position: number })[];
  spending: Map<string, SpendingSum>;
  sources: Map<string, LineSources>;
  /** Events folded into this segment and the highest log position among them. */
  events: number;
  position: number;
}

export function newHead(stream: string, department: string, year: number): StreamHead {
  return { stream, department, year, meta: null, openedPosition: 0, evaluation: emptyEvaluationDoc(), version: 0, position: 0, knownThrough: null };
}

export function newSegment(bucket: number): Segment {
  return { bucket, units: [], lines: [], budget: [], plans: [], spending: new Map(), sources: new Map(), events: 0, position: 0 };
}

/** The segment an event belongs to: the year and month of its record date, as yyyymm. */
export function bucketOf(knownOn: IsoDate): number {
  const d = (i: number) => knownOn.charCodeAt(i) - 48;
  return d(0) * 100_000 + d(1) * 10_000 + d(2) * 1000 + d(3) * 100 + d(5) * 10 + d(6);
}

const spendingKey = (line: string, month: number, knownOn: string, kind: string) => `${line}\u0000${month}\u0000${knownOn}\u0000${kind}`;

/**
 * Applies one event (the next of its stream) to the stream's head and to its record month's
 * segment (`segment` must be that segment: `bucketOf(event.occurredOn)`).
 */
export function applyEvent(head: StreamHead, segment: Segment, event: ProjectedEvent, lookupRecord: RecordLookup): void {
  if (event.version !== head.version + 1) {
    throw new Error(`stream ${head.stream}: version ${event.version} applied after ${head.version}`);
  }
  const position = event.position;
  if (event.type === 'SpendingRecorded') {
    // Nine events in ten: straight to the sums, without the general delta list.
    const f = recordedSpendingFact(event);
    addSpending(segment, f);
    addSource(segment, f.line, 's', position);
  } else {
    for (const d of factsOf(event, lookupRecord)) {
      switch (d.kind) {
        case 'meta':
          head.meta = d.meta;
          head.openedPosition = position;
          break;
        case 'closed':
          if (head.meta) head.meta = { ...head.meta, closedOn: d.on };
          break;
        case 'unit':
          segment.units.push({ ...d.unit, position });
          break;
        case 'line':
          segment.lines.push({ ...d.line, position });
          break;
        case 'budget':
          segment.budget.push({ ...d.fact, position });
          addSource(segment, d.fact.line, 'b', position);
          break;
        case 'spending':
          addSpending(segment, d.fact);
          addSource(segment, d.fact.line, 's', position);
          break;
        case 'plan':
          segment.plans.push({ ...d.fact, position });
          break;
      }
    }
    head.evaluation = evolveEvaluationDoc(head.evaluation, event);
  }
  head.version = event.version;
  head.position = position;
  if (!head.knownThrough || event.occurredOn > head.knownThrough) head.knownThrough = event.occurredOn;
  segment.events += 1;
  if (position > segment.position) segment.position = position;
}

function addSpending(segment: Segment, f: SpendingFact): void {
  const key = spendingKey(f.line, f.month, f.knownOn, f.kind);
  const sum = segment.spending.get(key);
  if (sum) sum.amount = new Decimal(sum.amount).plus(f.amount);
  else segment.spending.set(key, { line: f.line, month: f.month, knownOn: f.knownOn, kind: f.kind, amount: f.amount });
}

function addSource(segment: Segment, line: string, kind: 'b' | 's', position: number): void {
  let ls = segment.sources.get(line);
  if (!ls) segment.sources.set(line, (ls = { b: [], s: [] }));
  ls[kind].push(position);
}

/**
 * One stream's head and segments folded from its events (version order, from version 1).
 * Corrections are placed with `lookupRecord`; without it, from the stream's own SpendingRecorded
 * events (which then need their ids).
 */
export function foldStream(events: readonly ProjectedEvent[], lookupRecord?: RecordLookup): { head: StreamHead; segments: Map<number, Segment> } {
  const first = events[0]!;
  const head = newHead(first.stream, first.department, first.year);
  const segments = new Map<number, Segment>();
  let lookup = lookupRecord;
  if (!lookup) {
    const records = new Map<string, { line: string; month: number }>();
    for (const e of events) if (e.type === 'SpendingRecorded') records.set(e.id, { line: e.data.line, month: Number(e.data.month.slice(5, 7)) });
    lookup = (id) => records.get(id);
  }
  for (const e of events) {
    const bucket = bucketOf(e.occurredOn);
    let seg = segments.get(bucket);
    if (!seg) segments.set(bucket, (seg = newSegment(bucket)));
    applyEvent(head, seg, e, lookup);
  }
  return { head, segments };
}

// ---------------------------------------------------------------------------------------------
// Storage encoding: compact JSON arrays, canonical (the same facts always give the same text, so
// a rebuild and live processing store identical rows).

type UnitRow = [number, string, string];
type LineRow = [number, string, string, string, string, string, string];
type BudgetRow = [number, string, 'allocation' | 'adjustment', IsoDate, IsoDate, string];
/** Spending kind: 'r' recorded, 'c' correction. */
type SpendingRow = [string, number, IsoDate, 'r' | 'c', string];
type PlanRow = [number, string, number, IsoDate, string];

/** The sources column of a segment: [line, budget event positions, spending event positions], by line. */
export type SegmentSourcesJson = [string, number[], number[]][];

/** The facts column of a segment. */
export interface SegmentFactsJson {
  u: UnitRow[];
  l: LineRow[];
  b: BudgetRow[];
  s: SpendingRow[];
  p: PlanRow[];
}

/**
 * An amount as stored: 2 decimals. Event amounts are validated (at most 2 decimals, no exponent),
 * so padding the text gives what Decimal#toFixed(2) would, without parsing it.
 */
export function amountText(a: Decimal | string): string {
  if (typeof a !== 'string') return a.toFixed(2);
  // Decimal prints a negative zero without its sign.
  if (a.startsWith('-') && !/[1-9]/.test(a)) a = a.slice(1);
  const dot = a.indexOf('.');
  if (dot < 0) return `${a}.00`;
  return a.length - dot === 2 ? `${a}0` : a;
}

/**
 * Lists keep insertion order, which is the order of each key's first event: the same whether a
 * segment was folded in one go or in batches with a store and load in between (a loaded segment
 * keeps its stored order and appends new keys), so the text is canonical without sorting.
 */
export function encodeSegmentFacts(s: Segment): SegmentFactsJson {
  const spending = [...s.spending.values()];
  return {
    u: s.units.map((u) => [u.position, u.unit, u.name]),
    l: s.lines.map((l) => [l.position, l.line, l.unit, l.name, l.category, l.economic, l.source]),
    b: s.budget.map((b) => [b.position, b.line, b.kind, b.effectiveOn, b.knownOn, b.amount]),
    s: spending.map((x) => [x.line, x.month, x.knownOn, x.kind === 'recorded' ? 'r' : 'c', amountText(x.amount)]),
    p: s.plans.map((p) => [p.position, p.unit, p.month, p.knownOn, p.amount]),
  };
}

export function encodeSegmentSources(s: Segment): SegmentSourcesJson {
  return [...s.sources].map(([line, ls]) => [line, ls.b, ls.s]);
}

export function decodeSegment(bucket: number, facts: SegmentFactsJson, sources: SegmentSourcesJson, events: number, position: number): Segment {
  const seg = newSegment(bucket);
  for (const [position, unit, name] of facts.u) seg.units.push({ unit, name, position });
  for (const [position, line, unit, name, category, economic, source] of facts.l) {
    seg.lines.push({ line, unit, name, category: category as Category, economic: economic as Economic, source: source as FundSource, position });
  }
  for (const [position, line, kind, effectiveOn, knownOn, amount] of facts.b) seg.budget.push({ line, kind, effectiveOn, knownOn, amount, position });
  for (const [line, month, knownOn, k, amount] of facts.s) {
    const kind = k === 'r' ? 'recorded' : 'correction';
    seg.spending.set(spendingKey(line, month, knownOn, kind), { line, month, knownOn, kind, amount });
  }
  for (const [position, unit, month, knownOn, amount] of facts.p) seg.plans.push({ unit, month, knownOn, amount, position });
  for (const [line, b, s] of sources) seg.sources.set(line, { b, s });
  seg.events = events;
  seg.position = position;
  return seg;
}

const byPosition = <T extends { position: number }>(a: T, b: T) => a.position - b.position;
const strip = <T extends { position: number }>({ position: _p, ...rest }: T) => rest;

/**
 * The stream's ExecutionFacts from its meta and the facts columns of all its segments (any order).
 * Units, lines, budget and plans come in log order; spending as stored (one fact per sum).
 */
export function factsFromSegments(meta: StreamMeta, segments: Iterable<SegmentFactsJson>): ExecutionFacts {
  const units: (UnitInfo & { position: number })[] = [];
  const lines: (LineInfo & { position: number })[] = [];
  const budget: (BudgetFact & { position: number })[] = [];
  const plans: (PlanFact & { position: number })[] = [];
  const spending: SpendingFact[] = [];
  for (const f of segments) {
    for (const [position, unit, name] of f.u) units.push({ unit, name, position });
    for (const [position, line, unit, name, category, economic, source] of f.l) {
      lines.push({ line, unit, name, category: category as Category, economic: economic as Economic, source: source as FundSource, position });
    }
    for (const [position, line, kind, effectiveOn, knownOn, amount] of f.b) budget.push({ line, kind, effectiveOn, knownOn, amount, position });
    for (const [line, month, knownOn, k, amount] of f.s) spending.push({ line, month, knownOn, amount, kind: k === 'r' ? 'recorded' : 'correction' });
    for (const [position, unit, month, knownOn, amount] of f.p) plans.push({ unit, month, knownOn, amount, position });
  }
  return {
    meta,
    units: units.sort(byPosition).map(strip),
    lines: lines.sort(byPosition).map(strip),
    budget: budget.sort(byPosition).map(strip),
    spending,
    plans: plans.sort(byPosition).map(strip),
    records: new Map(),
  };
}

/**
 * Per line, the ids of the events its figures come from, in log order (budget events, then
 * spending events, each in log order), lines in the order of their first event: exactly what
 * folding the log with evolveEvaluation gives. `idAt` names the event at a log position.
 */
export function lineEventsFromSources(sources: Iterable<SegmentSourcesJson>, idAt: (position: number) => string): Map<string, LineEvents> {
  const merged = new Map<string, { b: number[]; s: number[] }>();
  for (const list of sources) {
    for (const [line, b, s] of list) {
      let m = merged.get(line);
      if (!m) merged.set(line, (m = { b: [], s: [] }));
      m.b.push(...b);
      m.s.push(...s);
    }
  }
  const numeric = (a: number, b: number) => a - b;
  const lines = [...merged].map(([line, m]) => ({ line, b: m.b.sort(numeric), s: m.s.sort(numeric) }));
  const first = (l: { b: number[]; s: number[] }) => Math.min(l.b[0] ?? Infinity, l.s[0] ?? Infinity);
  lines.sort((x, y) => first(x) - first(y));
  return new Map(lines.map((l) => [l.line, { budget: l.b.map(idAt), spending: l.s.map(idAt) }]));
}

/** Every log position named by these sources (to look their event ids up). */
export function sourcePositions(sources: Iterable<SegmentSourcesJson>): number[] {
  const out: number[] = [];
  for (const list of sources) for (const [, b, s] of list) out.push(...b, ...s);
  return out;
}
