/**
 * Property: for random streams with late records, late corrections (and corrections out of date
 * order) and late structure, the projection's execution answer as known on D equals the answer
 * computed from the log truncated to the events recorded by D (occurredOn ≤ D), for many D. Both
 * backends.
 */
import fc from 'fast-check';
import { executionWire } from '#application/execution/execution.wire.js';
import { ExecutionService } from '#application/execution/execution.service.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { occurredOnDate } from '#domain/dates.js';
import { executionReport } from '#domain/execution/execution.js';
import { factsFromEvents, type DatedEvent } from '#domain/execution/facts.js';
import type { EventInput } from '#domain/events.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';

const Y = 2024;
const SCALE = Number(process.env.PROPERTY_SCALE ?? 1);
const pad = (n: number) => String(n).padStart(2, '0');
/** Day d (0..359) of the year as a date (12 months of 30 days: always a real date). */
const dateOf = (d: number) => `${Y}-${pad(Math.floor(d / 30) + 1)}-${pad((d % 30) + 1 > 28 ? 28 : (d % 30) + 1)}`;

interface Plan {
  units: number[];
  lines: { unit: number; day: number; amount: number }[];
  records: { line: number; month: number; amount: number; day: number }[];
  corrections: { record: number; delta: number; after: number }[];
  adjustments: { line: number; amount: number; day: number; effective: number }[];
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  units: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 4 }),
  lines: fc.array(
    fc.record({ unit: fc.nat(), day: fc.integer({ min: 0, max: 330 }), amount: fc.integer({ min: 0, max: 500_000 }) }),
    { minLength: 1, maxLength: 5 },
  ),
  records: fc.array(
    fc.record({
      line: fc.nat(),
      month: fc.integer({ min: 1, max: 12 }),
      amount: fc.integer({ min: 1, max: 50_000 }),
      day: fc.integer({ min: 0, max: 359 }),
    }),
    { maxLength: 25 },
  ),
  corrections: fc.array(
    fc.record({ record: fc.nat(), delta: fc.integer({ min: -100, max: 100 }), after: fc.integer({ min: 0, max: 60 }) }),
    { maxLength: 10 },
  ),
  adjustments: fc.array(
    fc.record({
      line: fc.nat(),
      amount: fc.integer({ min: 1, max: 100_000 }),
      day: fc.integer({ min: 0, max: 359 }),
      effective: fc.integer({ min: 0, max: 359 }),
    }),
    { maxLength: 4 },
  ),
});

const money = (cents: number) =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${pad(Math.abs(cents) % 100)}`;

/** A stream the rules accept, in stream order, with record dates (occurredAt) out of that order. */
function streamOf(department: string, p: Plan): EventInput[] {
  const e = (id: string, type: string, day: number, data: Record<string, unknown>) =>
    ({ id: `${department}-${id}`, type, department, year: Y, occurredAt: dateOf(day), data }) as unknown as EventInput;
  const out: EventInput[] = [e('open', 'YearOpened', 0, { departmentName: department })];
  p.units.forEach((day, i) => out.push(e(`u${i}`, 'UnitRegistered', day, { unit: `u${i}`, name: `科${i}` })));
  p.lines.forEach((l, i) =>
    out.push(
      e(`l${i}`, 'BudgetAllocated', l.day, {
        line: `l${i}`,
        unit: `u${l.unit % p.units.length}`,
        name: `线${i}`,
        category: 'basic',
        economic: 'other',
        source: 'fiscal',
        amount: money(l.amount * 100),
      }),
    ),
  );
  p.adjustments.forEach((a, i) =>
    out.push(
      e(`adj${i}`, 'BudgetAdjusted', a.day, {
        line: `l${a.line % p.lines.length}`,
        source: 'fiscal',
        amount: money(a.amount * 100),
        effectiveOn: dateOf(a.effective),
        reason: '调整',
      }),
    ),
  );
  const records = p.records.map((r, i) => ({ id: `r${i}`, amount: r.amount * 100, day: r.day, left: r.amount * 100 }));
  p.records.forEach((r, i) =>
    out.push(
      e(`r${i}`, 'SpendingRecorded', r.day, {
        line: `l${r.line % p.lines.length}`,
        source: 'fiscal',
        month: `${Y}-${pad(r.month)}`,
        amount: money(r.amount * 100),
      }),
    ),
  );
  if (records.length > 0)
    p.corrections.forEach((c, i) => {
      const rec = records[c.record % records.length]!;
      // A decrease never takes what is left of the record below zero (so no line total ever does).
      const delta = c.delta >= 0 ? c.delta * 100 : -Math.min(rec.left, Math.round((rec.amount * -c.delta) / 200));
      if (delta === 0) return;
      rec.left += delta;
      out.push(
        e(`c${i}`, 'SpendingCorrected', Math.min(359, rec.day + c.after), {
          corrects: `${department}-${rec.id}`,
          amount: money(delta),
          reason: '更正',
        }),
      );
    });
  return out;
}

/** The execution answer from the log truncated to what was recorded by `knownOn` (null: 404). */
function fromTruncatedLog(events: EventInput[], asOf: string, knownOn: string) {
  const dated: DatedEvent[] = events
    .map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt) as string }) as DatedEvent)
    .filter((e) => e.occurredOn <= knownOn);
  const facts = factsFromEvents(dated);
  if (!facts.meta) return null;
  return executionWire(executionReport(facts, { asOf, knownOn: null, source: 'fiscal' }));
}

describe.each(BACKENDS)('as known on D equals the log truncated at D, on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, { projector: false });
  });
  afterAll(async () => t.close());

  test('random streams, many dates', async () => {
    const ingest = t.app.get(IngestService);
    const projector = t.app.get(ExecutionProjector);
    const execution = t.app.get(ExecutionService);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        planArb,
        fc.array(fc.integer({ min: 0, max: 359 }), { minLength: 3, maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        async (plan, days, asOfMonth) => {
          const department = `prop-${backend}-${run++}`;
          const events = streamOf(department, plan);
          await ingest.ingest(events);
          await projector.catchUp();
          const asOf = `${Y}-${pad(asOfMonth)}-28`;
          for (const day of days) {
            const knownOn = dateOf(day);
            const expected = fromTruncatedLog(events, asOf, knownOn);
            const answer = await execution
              .execution(department, Y, { asOf, knownOn, source: 'fiscal' }, '2025-01-01')
              .then((a) => ({ ...a, knownOn: null }))
              .catch((e: Error) => (e.name === 'NotFoundError' ? null : Promise.reject(e)));
            expect({ knownOn, answer }).toEqual({ knownOn, answer: expected });
          }
        },
      ),
      { numRuns: Math.max(5, Math.round(25 * SCALE)), seed: Number(process.env.PROPERTY_SEED ?? 20240808) },
    );
  });
});
