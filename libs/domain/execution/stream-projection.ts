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
import { storedAmount } from '../format.js';
import {
  factsOf,
  recordedSpendingFact,
  type BudgetFact,
  type DatedEvent,
  type ExecutionFacts,
  type LineInfo,
  type PlanFact,
  type RecordPlacement,
  type SpendingFact,
  type StreamMeta,
  type UnitInfo,
} from './facts.js';

/**
 * An event as the projector sees it: dated, with its stream, version and log position. The
 * projection feed leaves out what no projection reads: the ids of SpendingRecorded and
 * SpendingPlanned events (sources are kept as log positions; corrections are placed by the feed)
 * and the fund source of a SpendingRecorded.
 */
export type ProjectedEvent = DatedEvent & { stream: string; version: number; position: number };

/** Where a SpendingRecorded went (to place its corrections). */
export type RecordLookup = (id: string) => RecordPlacement | undefined;

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

/**
 * One budget line in a segment: its spending sums by (valid month, record date, kind), and the log
 * positions of the events behind its figures (budget events, spending events).
 *
 * The sums are one flat array, three entries per sum, rather than a map of objects: a segment is one
 * record month, so a slot holds a few sums (one per spending event, mostly) and a rebuild folds
 * millions of them; a map and an object per sum were a large share of a rebuild's time, most of it
 * garbage collection. Arrays start at their first entry's size (see push), not at V8's 16 slots.
 */
export interface LineSlot {
  line: string;
  /**
   * Per sum: its (valid month, record date, kind) as one number (sumKey), its record date (also in
   * the key; kept to write it without formatting), and the sum so far: the amount text while there
   * is one amount (most keys hold exactly one, and parsing each into a Decimal was most of a
   * rebuild's time), a Decimal once there are two.
   */
  sums: (number | IsoDate | Decimal)[];
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
  /** Per budget line, in the order of the line's first event in this segment. */
  slots: Map<string, LineSlot>;
  /** Events folded into this segment and the highest log position among them. */
  events: number;
  position: number;
}

export function newHead(stream: string, department: string, year: number): StreamHead {
  return {
    stream,
    department,
    year,
    meta: null,
    openedPosition: 0,
    evaluation: emptyEvaluationDoc(),
    version: 0,
    position: 0,
    knownThrough: null,
  };
}

export function newSegment(bucket: number): Segment {
  return { bucket, units: [], lines: [], budget: [], plans: [], slots: new Map(), events: 0, position: 0 };
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;

/** The segment an event belongs to: the year and month of its record date, as yyyymm. */
export function bucketOf(knownOn: IsoDate): number {
  return (
    digit(knownOn, 0) * 100_000 +
    digit(knownOn, 1) * 10_000 +
    digit(knownOn, 2) * 1000 +
    digit(knownOn, 3) * 100 +
    digit(knownOn, 5) * 10 +
    digit(knownOn, 6)
  );
}

/**
 * (valid month, record date, kind) as one number: a line's sums are keyed without building a string
 * per event. At most (yyyymmdd · 16 + 15) · 2 + 1 < 2^30: a small integer, and month and kind come
 * back out with bit operations (keyMonth; the kind is the lowest bit).
 */
function sumKey(month: number, knownOn: IsoDate, kind: 'recorded' | 'correction'): number {
  const ymd = bucketOf(knownOn) * 100 + digit(knownOn, 8) * 10 + digit(knownOn, 9);
  return (ymd * 16 + month) * 2 + (kind === 'recorded' ? 0 : 1);
}

const keyMonth = (key: number) => (key >>> 1) & 15;

function slotOf(segment: Segment, line: string): LineSlot {
  let slot = segment.slots.get(line);
  if (!slot) segment.slots.set(line, (slot = { line, sums: [], b: [], s: [] }));
  return slot;
}

/** Appends to a slot's array: an empty one is replaced by a one-entry array (most stay that size). */
function push<T>(list: T[], value: T): T[] {
  if (list.length === 0) return [value];
  list.push(value);
  return list;
}

function addSum(slot: LineSlot, key: number, knownOn: IsoDate, amount: Decimal | string): void {
  if (slot.sums.length === 0) slot.sums = [key, knownOn, amount];
  else slot.sums.push(key, knownOn, amount);
}

function addSpending(
  slot: LineSlot,
  month: number,
  knownOn: IsoDate,
  kind: 'recorded' | 'correction',
  amount: string,
): void {
  const key = sumKey(month, knownOn, kind);
  // A slot holds a few sums: a scan is cheaper than any index (bounded: 31 days × 12 months × 2 kinds).
  const sums = slot.sums;
  for (let i = 0; i < sums.length; i += 3) {
    if (sums[i] === key) {
      sums[i + 2] = new Decimal(sums[i + 2] as Decimal | string).plus(amount);
      return;
    }
  }
  addSum(slot, key, knownOn, amount);
}

function nextVersion(head: StreamHead, version: number): void {
  if (version !== head.version + 1)
    throw new Error(`stream ${head.stream}: version ${version} applied after ${head.version}`);
}

function applied(head: StreamHead, segment: Segment, version: number, position: number, occurredOn: IsoDate): void {
  head.version = version;
  head.position = position;
  if (!head.knownThrough || occurredOn > head.knownThrough) head.knownThrough = occurredOn;
  segment.events += 1;
  if (position > segment.position) segment.position = position;
}

/**
 * A SpendingRecorded as the projection feed delivers it when it reads a stream for a rebuild:
 * [position, version, 0, occurredOn, line, month (YYYY-MM), amount], straight from the feed's JSON,
 * so nine events in ten are folded without an object of their own.
 */
export type RecordedSpendingTuple = [number, number, 0, IsoDate, string, string, string];

export type FeedItem = ProjectedEvent | RecordedSpendingTuple;

/**
 * Applies a SpendingRecorded (the next event of its stream) to the stream's head and to its record
 * month's segment: what applyEvent does for one, without the event object.
 */
export function applyRecordedSpending(
  head: StreamHead,
  segment: Segment,
  position: number,
  version: number,
  occurredOn: IsoDate,
  line: string,
  month: string,
  amount: string,
): void {
  nextVersion(head, version);
  const slot = slotOf(segment, line);
  addSpending(slot, digit(month, 5) * 10 + digit(month, 6), occurredOn, 'recorded', amount);
  slot.s = push(slot.s, position);
  applied(head, segment, version, position, occurredOn);
}

/**
 * Applies one event (the next of its stream) to the stream's head and to its record month's
 * segment (`segment` must be that segment: `bucketOf(event.occurredOn)`).
 */
export function applyEvent(
  head: StreamHead,
  segment: Segment,
  event: ProjectedEvent,
  lookupRecord: RecordLookup,
): void {
  if (event.type === 'SpendingRecorded') {
    const f = recordedSpendingFact(event);
    return applyRecordedSpending(
      head,
      segment,
      event.position,
      event.version,
      event.occurredOn,
      f.line,
      event.data.month,
      f.amount,
    );
  }
  nextVersion(head, event.version);
  const position = event.position;
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
      case 'budget': {
        segment.budget.push({ ...d.fact, position });
        const slot = slotOf(segment, d.fact.line);
        slot.b = push(slot.b, position);
        break;
      }
      case 'spending': {
        const slot = slotOf(segment, d.fact.line);
        addSpending(slot, d.fact.month, d.fact.knownOn, d.fact.kind, d.fact.amount);
        slot.s = push(slot.s, position);
        break;
      }
      case 'plan':
        segment.plans.push({ ...d.fact, position });
        break;
    }
  }
  head.evaluation = evolveEvaluationDoc(head.evaluation, event);
  applied(head, segment, event.version, position, event.occurredOn);
}

/** Applies a feed item (a SpendingRecorded tuple or an event) to the head and its record month's segment. */
export function applyItem(
  head: StreamHead,
  segments: Map<number, Segment>,
  item: FeedItem,
  lookupRecord: RecordLookup,
): void {
  const bucket = bucketOf(Array.isArray(item) ? item[3] : item.occurredOn);
  let seg = segments.get(bucket);
  if (!seg) segments.set(bucket, (seg = newSegment(bucket)));
  if (Array.isArray(item)) applyRecordedSpending(head, seg, item[0], item[1], item[3], item[4], item[5], item[6]);
  else applyEvent(head, seg, item, lookupRecord);
}

/**
 * One stream's head and segments folded from its events or feed items (version order, from
 * version 1). Corrections are placed with `lookupRecord`; without it, from the stream's own
 * SpendingRecorded events (which then need their ids).
 */
export function foldStream(
  identity: { stream: string; department: string; year: number },
  items: readonly FeedItem[],
  lookupRecord?: RecordLookup,
): { head: StreamHead; segments: Map<number, Segment> } {
  const head = newHead(identity.stream, identity.department, identity.year);
  const segments = new Map<number, Segment>();
  let lookup = lookupRecord;
  if (!lookup) {
    const records = new Map<string, RecordPlacement>();
    for (const e of items)
      if (!Array.isArray(e) && e.type === 'SpendingRecorded')
        records.set(e.id, { line: e.data.line, month: Number(e.data.month.slice(5, 7)), knownOn: e.occurredOn });
    lookup = (id) => records.get(id);
  }
  for (const item of items) applyItem(head, segments, item, lookup);
  return { head, segments };
}

// ---------------------------------------------------------------------------------------------
// Storage encoding: compact JSON arrays, canonical (the same facts always give the same text, so
// a rebuild and live processing store identical rows).

/** Units and lines carry their record date (last, so rows stored before it decode as known from the start). */
type UnitRow = [number, string, string, IsoDate?];
type LineRow = [number, string, string, string, string, string, string, IsoDate?];
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
 * Lists keep insertion order, which is the order of each key's first event: the same whether a
 * segment was folded in one go or in batches with a store and load in between (a loaded segment
 * keeps its stored order and appends new keys), so the text is canonical without sorting.
 */
export function encodeSegmentFacts(s: Segment): SegmentFactsJson {
  const spending: SpendingRow[] = [];
  for (const slot of s.slots.values()) {
    const sums = slot.sums;
    for (let i = 0; i < sums.length; i += 3) {
      const key = sums[i] as number;
      spending.push([
        slot.line,
        keyMonth(key),
        sums[i + 1] as IsoDate,
        (key & 1) === 0 ? 'r' : 'c',
        storedAmount(sums[i + 2] as Decimal | string),
      ]);
    }
  }
  return {
    u: s.units.map((u) => [u.position, u.unit, u.name, u.knownOn]),
    l: s.lines.map((l) => [l.position, l.line, l.unit, l.name, l.category, l.economic, l.source, l.knownOn]),
    b: s.budget.map((b) => [b.position, b.line, b.kind, b.effectiveOn, b.knownOn, b.amount]),
    s: spending,
    p: s.plans.map((p) => [p.position, p.unit, p.month, p.knownOn, p.amount]),
  };
}

export function encodeSegmentSources(s: Segment): SegmentSourcesJson {
  return [...s.slots.values()].map((slot) => [slot.line, slot.b, slot.s]);
}

/** A segment as stored. Every line with spending sums also has sources, so slots come back in their order. */
export function decodeSegment(
  bucket: number,
  facts: SegmentFactsJson,
  sources: SegmentSourcesJson,
  events: number,
  position: number,
): Segment {
  const seg = newSegment(bucket);
  for (const [position, unit, name, knownOn = ''] of facts.u) seg.units.push({ unit, name, knownOn, position });
  for (const [position, line, unit, name, category, economic, source, knownOn = ''] of facts.l) {
    seg.lines.push({
      line,
      unit,
      name,
      category: category as Category,
      economic: economic as Economic,
      source: source as FundSource,
      knownOn,
      position,
    });
  }
  for (const [position, line, kind, effectiveOn, knownOn, amount] of facts.b)
    seg.budget.push({ line, kind, effectiveOn, knownOn, amount, position });
  for (const [line, b, s] of sources) seg.slots.set(line, { line, sums: [], b, s });
  for (const [line, month, knownOn, k, amount] of facts.s) {
    addSum(slotOf(seg, line), sumKey(month, knownOn, k === 'r' ? 'recorded' : 'correction'), knownOn, amount);
  }
  for (const [position, unit, month, knownOn, amount] of facts.p)
    seg.plans.push({ unit, month, knownOn, amount, position });
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
    for (const [position, unit, name, knownOn = ''] of f.u) units.push({ unit, name, knownOn, position });
    for (const [position, line, unit, name, category, economic, source, knownOn = ''] of f.l) {
      lines.push({
        line,
        unit,
        name,
        category: category as Category,
        economic: economic as Economic,
        source: source as FundSource,
        knownOn,
        position,
      });
    }
    for (const [position, line, kind, effectiveOn, knownOn, amount] of f.b)
      budget.push({ line, kind, effectiveOn, knownOn, amount, position });
    for (const [line, month, knownOn, k, amount] of f.s)
      spending.push({ line, month, knownOn, amount, kind: k === 'r' ? 'recorded' : 'correction' });
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
export function lineEventsFromSources(
  sources: Iterable<SegmentSourcesJson>,
  idAt: (position: number) => string,
): Map<string, LineEvents> {
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
