import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { generateEvents } from '#bench/generate.js';
import { occurredOnDate } from '../dates.js';
import { Decimal } from '../decimal.js';
import { toEvaluationDoc } from '../evaluation/evaluation-doc.js';
import { evaluate } from '../evaluation/evaluate.js';
import { evaluationStateFromEvents } from '../evaluation/evaluation-state.js';
import { fromEvaluationDoc } from '../evaluation/evaluation-doc.js';
import { DEFAULT_FRAMEWORK } from '../evaluation/framework.js';
import type { EventInput } from '../events.js';
import { executionReport, quarterRates } from './execution.js';
import { factsFromEvents } from './facts.js';
import {
  applyEvent,
  applyRecordedSpending,
  bucketOf,
  decodeSegment,
  encodeSegmentFacts,
  encodeSegmentSources,
  factsFromSegments,
  foldStream,
  lineEventsFromSources,
  newHead,
  newSegment,
  type FeedItem,
  type ProjectedEvent,
  type RecordedSpendingTuple,
  type Segment,
  type StreamHead,
} from './stream-projection.js';

import { SAMPLE } from '../testing/sample.fixture.js';

function projected(events: EventInput[], firstPosition = 1): ProjectedEvent[] {
  return events.map((e, i) => ({
    ...e,
    occurredOn: occurredOnDate(e.occurredAt)!,
    stream: `${e.department}/${e.year}`,
    version: i + 1,
    position: firstPosition + 2 * i,
  }));
}

const sample = projected(
  readFileSync(SAMPLE, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EventInput),
);
const generated = projected(
  [...generateEvents({ departments: 1, units: 4, lines: 3, seed: 7 })] as unknown as EventInput[],
  1000,
);

/** Stored form of a fold: what the repository writes (canonical text). */
function stored(head: StreamHead, segments: Map<number, Segment>) {
  return {
    head: JSON.stringify(head),
    segments: [...segments.values()]
      .sort((a, b) => a.bucket - b.bucket)
      .map((s) => JSON.stringify([s.bucket, encodeSegmentFacts(s), encodeSegmentSources(s), s.events, s.position])),
  };
}

/**
 * Live processing: batches of the given sizes, each starting from what the previous one stored
 * (heads through JSON, segments decoded from their stored text), corrections placed from a
 * lookup of earlier records as the projector does.
 */
function liveFold(events: ProjectedEvent[], sizes: number[]) {
  let head: StreamHead | null = null;
  const rows = new Map<number, string>();
  const records = new Map<string, { line: string; month: number; knownOn: string }>();
  let i = 0;
  let k = 0;
  while (i < events.length) {
    const batch = events.slice(i, i + Math.max(1, sizes[k++ % sizes.length]!));
    i += batch.length;
    const h: StreamHead = head
      ? JSON.parse(JSON.stringify(head))
      : newHead(batch[0]!.stream, batch[0]!.department, batch[0]!.year);
    const segs = new Map<number, Segment>();
    for (const e of batch) {
      const bucket = bucketOf(e.occurredOn);
      let seg = segs.get(bucket);
      if (!seg) {
        const row = rows.get(bucket);
        if (row) {
          const [b, facts, sources, n, position] = JSON.parse(row);
          seg = decodeSegment(b, facts, sources, n, position);
        } else seg = newSegment(bucket);
        segs.set(bucket, seg);
      }
      if (e.type === 'SpendingRecorded')
        records.set(e.id, { line: e.data.line, month: Number(e.data.month.slice(5, 7)), knownOn: e.occurredOn });
      applyEvent(h, seg, e, (id) => records.get(id));
    }
    for (const seg of segs.values())
      rows.set(
        seg.bucket,
        JSON.stringify([seg.bucket, encodeSegmentFacts(seg), encodeSegmentSources(seg), seg.events, seg.position]),
      );
    head = h;
  }
  return { head: JSON.stringify(head), segments: [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r) };
}

describe.each([
  ['the sample stream', sample],
  ['a generated stream', generated],
])('stream projection of %s', (_name, events) => {
  const folded = foldStream(events[0]!, events);
  const facts = factsFromSegments(folded.head.meta!, [...folded.segments.values()].map(encodeSegmentFacts));
  const reference = factsFromEvents(events);

  test('one segment per record month, every event in exactly one', () => {
    expect([...folded.segments.keys()].sort()).toEqual([...new Set(events.map((e) => bucketOf(e.occurredOn)))].sort());
    expect([...folded.segments.values()].reduce((n, s) => n + s.events, 0)).toBe(events.length);
    expect(folded.head.version).toBe(events.length);
    expect(folded.head.position).toBe(events[events.length - 1]!.position);
  });

  test('the stored facts are the event facts, spending summed per line, month, record date and kind', () => {
    expect(facts.meta).toEqual(reference.meta);
    expect(facts.units).toEqual(reference.units);
    expect(facts.lines).toEqual(reference.lines);
    expect(facts.budget).toEqual(reference.budget);
    expect(facts.plans).toEqual(reference.plans);
    const sums = new Map<string, Decimal>();
    for (const s of reference.spending) {
      const k = `${s.line}|${s.month}|${s.knownOn}|${s.kind}`;
      sums.set(k, (sums.get(k) ?? new Decimal(0)).plus(s.amount));
    }
    expect(new Map(facts.spending.map((s) => [`${s.line}|${s.month}|${s.knownOn}|${s.kind}`, s.amount]))).toEqual(
      new Map([...sums].map(([k, v]) => [k, v.toFixed(2)])),
    );
  });

  test('every figure is the same from the stored facts as from the events', () => {
    for (const asOf of ['2023-03-31', '2023-06-30', '2023-08-15', '2023-12-31']) {
      for (const knownOn of [null, '2023-04-30', '2023-10-31']) {
        for (const source of ['fiscal', 'all'] as const) {
          expect(executionReport(facts, { asOf, knownOn, source })).toEqual(
            executionReport(reference, { asOf, knownOn, source }),
          );
        }
      }
    }
    expect(quarterRates(facts, { source: 'fiscal' })).toEqual(quarterRates(reference, { source: 'fiscal' }));
  });

  test('the evaluation state and per-line sources equal folding the log', () => {
    const state = evaluationStateFromEvents(events);
    expect(folded.head.evaluation).toEqual(JSON.parse(JSON.stringify(toEvaluationDoc(state))));
    const idAt = new Map(events.map((e) => [e.position, e.id]));
    const lineEvents = lineEventsFromSources([...folded.segments.values()].map(encodeSegmentSources), (p) =>
      idAt.get(p)!,
    );
    expect([...lineEvents]).toEqual(
      [...state.lineEvents].map(([line, e]) => [line, { budget: [...e.budget], spending: [...e.spending] }]),
    );
    const fromProjection = evaluate({
      framework: DEFAULT_FRAMEWORK,
      facts,
      state: fromEvaluationDoc(folded.head.evaluation, lineEvents),
    });
    expect(fromProjection).toEqual(evaluate({ framework: DEFAULT_FRAMEWORK, facts: reference, state }));
  });

  test('SpendingRecorded as feed tuples folds to the same rows as the events themselves', () => {
    const items: FeedItem[] = events.map((e) =>
      e.type === 'SpendingRecorded'
        ? ([e.position, e.version, 0, e.occurredOn, e.data.line, e.data.month, e.data.amount] as RecordedSpendingTuple)
        : e,
    );
    const records = new Map(
      events
        .filter((e) => e.type === 'SpendingRecorded')
        .map((e) => [
          e.id,
          {
            line: (e.data as { line: string }).line,
            month: Number((e.data as { month: string }).month.slice(5, 7)),
            knownOn: e.occurredOn,
          },
        ]),
    );
    const fromTuples = foldStream(events[0]!, items, (id) => records.get(id));
    expect(stored(fromTuples.head, fromTuples.segments)).toEqual(stored(folded.head, folded.segments));
  });

  test('live processing in any batch sizes stores exactly what a fold of the whole stream stores', () => {
    const whole = stored(folded.head, folded.segments);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        expect(liveFold(events, sizes)).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });
});

test('an event out of version order is refused', () => {
  const head = newHead('d/2023', 'd', 2023);
  const seg = newSegment(202301);
  expect(() => applyEvent(head, seg, { ...sample[1]!, version: 2 }, () => undefined)).toThrow(
    'version 2 applied after 0',
  );
});

test('amounts under one key are summed exactly, each key keeping the place of its first event', () => {
  const head = newHead('d/2023', 'd', 2023);
  const seg = newSegment(202303);
  const add = (version: number, on: string, line: string, month: string, amount: string) =>
    applyRecordedSpending(head, seg, 100 + version, version, on, line, month, amount);
  add(1, '2023-03-05', 'l1', '2023-03', '0.10');
  add(2, '2023-03-05', 'l2', '2023-03', '7');
  add(3, '2023-03-06', 'l1', '2023-03', '1.5');
  add(4, '2023-03-05', 'l1', '2023-03', '0.20'); // the key of version 1 again
  add(5, '2023-03-05', 'l1', '2023-02', '3.00'); // same line and date, another valid month
  add(6, '2023-03-05', 'l1', '2023-03', '-0.30'); // back to zero
  expect(encodeSegmentFacts(seg).s).toEqual([
    ['l1', 3, '2023-03-05', 'r', '0.00'],
    ['l1', 3, '2023-03-06', 'r', '1.50'],
    ['l1', 2, '2023-03-05', 'r', '3.00'],
    ['l2', 3, '2023-03-05', 'r', '7.00'],
  ]);
  expect(encodeSegmentSources(seg)).toEqual([
    ['l1', [], [101, 103, 104, 105, 106]],
    ['l2', [], [102]],
  ]);
  // Stored and loaded again, the segment goes on from where it was.
  const again = decodeSegment(
    seg.bucket,
    JSON.parse(JSON.stringify(encodeSegmentFacts(seg))),
    JSON.parse(JSON.stringify(encodeSegmentSources(seg))),
    seg.events,
    seg.position,
  );
  applyRecordedSpending(head, again, 107, 7, '2023-03-06', 'l1', '2023-03', '0.01');
  applyRecordedSpending(head, again, 108, 8, '2023-03-07', 'l2', '2023-12', '2.5');
  expect(encodeSegmentFacts(again).s).toEqual([
    ['l1', 3, '2023-03-05', 'r', '0.00'],
    ['l1', 3, '2023-03-06', 'r', '1.51'],
    ['l1', 2, '2023-03-05', 'r', '3.00'],
    ['l2', 3, '2023-03-05', 'r', '7.00'],
    ['l2', 12, '2023-03-07', 'r', '2.50'],
  ]);
  expect(encodeSegmentSources(again)).toEqual([
    ['l1', [], [101, 103, 104, 105, 106, 107]],
    ['l2', [], [102, 108]],
  ]);
  expect([again.events, again.position, head.version]).toEqual([8, 108, 8]);
});
