/**
 * fast-check arbitraries for the bad-input property test: valid events of an open stream (a copy
 * of the sample without its YearClosed), and cases built from them that are each certainly bad —
 * wrong types, bad amounts, unknown ids, out-of-year months, unknown or missing fields, broken
 * cross-event rules, conflicts — plus raw bodies (invalid UTF-8, deep nesting, bad NDJSON, wrong
 * content types, empty and oversize bodies).
 */
import fc from 'fast-check';
import { EVENT_TYPES } from '#domain/events.js';

export type Ev = Record<string, unknown> & { data: Record<string, unknown> };

export const OPEN = 'prop-open';
export const CLOSED = 'yantian-emergency';
export const YEAR = 2023;

/** The sample as a second, still open stream: department OPEN, ids prefixed, without YearClosed. */
export function openCopy(sample: Record<string, any>[]): Ev[] {
  return sample
    .filter((e) => e.type !== 'YearClosed')
    .map((e) => {
      const data = { ...e.data };
      if (e.type === 'SpendingCorrected') data.corrects = `open-${data.corrects}`;
      return { ...e, id: `open-${e.id}`, department: OPEN, data } as Ev;
    });
}

export interface Model {
  units: string[];
  lines: Map<string, { unit: string; source: 'fiscal' | 'other' }>;
  spendingIds: string[];
  otherIds: string[];
  closedSpendingIds: string[];
  tasks: string[];
  indicators: string[];
  /** Ids already in the log (open copy and sample). */
  storedIds: string[];
  /** Events in the open stream. */
  version: number;
}

export function modelOf(open: Ev[], sample: Record<string, any>[]): Model {
  const lines = new Map<string, { unit: string; source: 'fiscal' | 'other' }>();
  for (const e of open)
    if (e.type === 'BudgetAllocated')
      lines.set(e.data.line as string, { unit: e.data.unit as string, source: e.data.source as 'fiscal' | 'other' });
  return {
    units: open.filter((e) => e.type === 'UnitRegistered').map((e) => e.data.unit as string),
    lines,
    spendingIds: open.filter((e) => e.type === 'SpendingRecorded').map((e) => e.id as string),
    otherIds: open.filter((e) => e.type !== 'SpendingRecorded').map((e) => e.id as string),
    closedSpendingIds: sample.filter((e) => e.type === 'SpendingRecorded').map((e) => e.id as string),
    tasks: open.filter((e) => e.type === 'TaskPlanned').map((e) => e.data.task as string),
    indicators: open.filter((e) => e.type === 'IndicatorDefined').map((e) => e.data.indicator as string),
    storedIds: [...open.map((e) => e.id as string), ...sample.map((e) => e.id as string)],
    version: open.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Small value arbitraries

const AMOUNT_RE = /^-?(0|[1-9]\d{0,12})(\.\d{1,2})?$/;
const SLUG_RE = /^[a-z0-9-]{1,64}$/;
const pad = (n: number) => String(n).padStart(2, '0');

const month = fc.integer({ min: 1, max: 12 }).map((m) => `${YEAR}-${pad(m)}`);
const date = fc
  .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([m, d]) => `${YEAR}-${pad(m)}-${pad(d)}`);
const fen = (min: number, max: number) => fc.integer({ min, max }).map((f) => `${Math.floor(f / 100)}.${pad(f % 100)}`);
const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => s.trim().length > 0);
const freshId = (prefix: string) => fc.uuid().map((u) => `${prefix}-${u}`);
/** A key matching the identifier pattern that is certainly not a known one. */
const unknownKey = fc.stringMatching(/^[a-z0-9._-]{1,20}$/).map((s) => `zz${s}`.slice(0, 64));

/** Any JSON value that is not a string. */
const nonString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

// ---------------------------------------------------------------------------------------------
// Valid events of the open stream (each valid on its own, and together in any order)

export type Kind = 'spending' | 'planned' | 'adjusted' | 'corrected' | 'unit' | 'line' | 'reported' | 'assessment';

export interface Good {
  kind: Kind;
  event: Ev;
}

const envelope = (id: string, type: string, occurredAt: string, data: Record<string, unknown>): Ev => ({
  id,
  type,
  department: OPEN,
  year: YEAR,
  occurredAt,
  data,
});

export function goodEvent(m: Model): fc.Arbitrary<Good> {
  const lineIds = [...m.lines.keys()];
  const line = fc.constantFrom(...lineIds);
  const id = freshId('good');
  return fc.oneof(
    fc.record({ id, line, month, amount: fen(1, 99_999_999) }).map((r) => ({
      kind: 'spending' as const,
      event: envelope(r.id, 'SpendingRecorded', `${r.month}-28`, {
        line: r.line,
        source: m.lines.get(r.line)!.source,
        month: r.month,
        amount: r.amount,
      }),
    })),
    fc.record({ id, unit: fc.constantFrom(...m.units), month, amount: fen(0, 99_999_999) }).map((r) => ({
      kind: 'planned' as const,
      event: envelope(r.id, 'SpendingPlanned', `${YEAR}-01-20`, { unit: r.unit, month: r.month, amount: r.amount }),
    })),
    fc.record({ id, line, amount: fen(1, 99_999_999), on: date, reason: text }).map((r) => ({
      kind: 'adjusted' as const,
      event: envelope(r.id, 'BudgetAdjusted', r.on, {
        line: r.line,
        source: m.lines.get(r.line)!.source,
        amount: r.amount,
        effectiveOn: r.on,
        reason: r.reason,
      }),
    })),
    fc.record({ id, corrects: fc.constantFrom(...m.spendingIds), reason: text }).map((r) => ({
      kind: 'corrected' as const,
      event: envelope(r.id, 'SpendingCorrected', `${YEAR + 1}-02-28`, {
        corrects: r.corrects,
        amount: '-0.01',
        reason: r.reason,
      }),
    })),
    fc.record({ id, unit: fc.uuid().map((u) => `nu-${u.slice(0, 8)}`), name: text }).map((r) => ({
      kind: 'unit' as const,
      event: envelope(r.id, 'UnitRegistered', `${YEAR}-02-01`, { unit: r.unit, name: r.name }),
    })),
    fc
      .record({
        id,
        line: fc.uuid().map((u) => `nl-${u.slice(0, 8)}`),
        unit: fc.constantFrom(...m.units),
        name: text,
        category: fc.constantFrom('basic', 'project'),
        economic: fc.constantFrom('personnel', 'routine_public', 'three_public', 'other'),
        source: fc.constantFrom('fiscal', 'other'),
        amount: fen(0, 99_999_999),
      })
      .map(({ id: eid, ...data }) => ({
        kind: 'line' as const,
        event: envelope(eid, 'BudgetAllocated', `${YEAR}-02-01`, data),
      })),
    fc.record({ id, indicator: fc.constantFrom(...m.indicators), asOf: date }).map((r) => ({
      kind: 'reported' as const,
      event: envelope(r.id, 'IndicatorReported', r.asOf, { indicator: r.indicator, actual: '18处', asOf: r.asOf }),
    })),
    fc.record({ id, score: fc.constantFrom('0', '1', '2.5', '3'), evidence: text }).map((r) => ({
      kind: 'assessment' as const,
      event: envelope(r.id, 'AssessmentRecorded', `${YEAR}-12-31`, {
        criterion: 'management.rules',
        score: r.score,
        evidence: r.evidence,
      }),
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// Bad events: a good event with one certain defect

export interface Bad {
  why: string;
  events: Ev[];
  /** The status the API must answer. */
  status: 400 | 409;
}

const clone = (e: Ev): Ev => JSON.parse(JSON.stringify(e));
/** Sets a key as an own enumerable property (so "__proto__" is a key, as JSON.parse would make it). */
function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const AMOUNT_FIELD: Partial<Record<Kind, { rule: 'positive' | 'nonNegative' | 'nonZero' }>> = {
  spending: { rule: 'positive' },
  planned: { rule: 'nonNegative' },
  adjusted: { rule: 'nonZero' },
  corrected: { rule: 'nonZero' },
  line: { rule: 'nonNegative' },
};

const DATA_FIELDS: Record<Kind, string[]> = {
  spending: ['line', 'source', 'month', 'amount'],
  planned: ['unit', 'month', 'amount'],
  adjusted: ['line', 'source', 'amount', 'effectiveOn', 'reason'],
  corrected: ['corrects', 'amount', 'reason'],
  unit: ['unit', 'name'],
  line: ['line', 'unit', 'name', 'category', 'economic', 'source', 'amount'],
  reported: ['indicator', 'actual', 'asOf'],
  assessment: ['criterion', 'score', 'evidence'],
};
const ENVELOPE = ['id', 'type', 'department', 'year', 'occurredAt', 'data'];

/** Amount strings and values that are never amounts, and the ones a rule refuses. */
export function badAmount(rule: 'positive' | 'nonNegative' | 'nonZero'): fc.Arbitrary<unknown> {
  const never = fc.oneof(
    fc.constantFrom(
      '1,234.5',
      '12.345',
      'NaN',
      '1e5',
      ' 12.00',
      '12.00 ',
      '+5',
      '.5',
      '5.',
      '0x10',
      '１２',
      '12.0.0',
      'Infinity',
      '-Infinity',
      '',
      '--1',
      '00012',
      '1_000',
      '12345678901234',
      '1 000',
      '¥12',
      '12元',
      '12.00\n',
      '0.001',
    ),
    fc.string({ maxLength: 20 }).filter((s) => !AMOUNT_RE.test(s)),
    fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constant([]),
      fc.constant({ amount: '1.00' }),
    ),
  );
  if (rule === 'positive') return fc.oneof(never, fc.constantFrom('0', '0.00', '-0', '-0.00', '-1.00', '-12.5'));
  if (rule === 'nonZero') return fc.oneof(never, fc.constantFrom('0', '0.00', '-0', '-0.00', '0.0'));
  return fc.oneof(never, fc.constantFrom('-1.00', '-0.01', '-12'));
}

const BAD_DATES = [
  '2023-02-29',
  '2023-02-30',
  '2023-13-01',
  '2023-00-10',
  '2023-04-31',
  '20230105',
  '2023/01/05',
  '2023-1-5',
  'yesterday',
  '',
  ' ',
  '2023-01-05x',
  '05-01-2023',
];
const BAD_MONTHS = ['2023-13', '2023-00', '2023-1', '202301', '2023/01', '2023-01-01', 'June', '', '2023-1 '];
const outOfYearMonth = fc
  .tuple(
    fc.integer({ min: 1990, max: 2110 }).filter((y) => y !== YEAR),
    fc.integer({ min: 1, max: 12 }),
  )
  .map(([y, mo]) => `${y}-${pad(mo)}`);
const outOfYearDate = fc
  .tuple(
    fc.integer({ min: 2000, max: 2100 }).filter((y) => y !== YEAR),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
  )
  .map(([y, mo, d]) => `${y}-${pad(mo)}-${pad(d)}`);

/** Text that PostgreSQL cannot store (NUL) or that is not Unicode (a lone surrogate). */
const unstorable = fc
  .tuple(text, fc.constantFrom('\u0000', '\ud800', '\udfff', '\udc00x'), text)
  .map(([a, bad, b]) => `${a}${bad}${b}`);

export function badEvent(m: Model): fc.Arbitrary<Bad> {
  const good = goodEvent(m);
  const bad400 = (why: string, e: Ev): Bad => ({ why, events: [e], status: 400 });

  const wrongEnvelope = fc
    .tuple(
      good,
      fc.oneof(
        fc.record({
          f: fc.constant('id'),
          v: fc.oneof(nonString, fc.constantFrom('', '   '), fc.string({ minLength: 129, maxLength: 3000 })),
        }),
        fc.record({
          f: fc.constant('type'),
          v: fc.oneof(
            nonString,
            fc.constantFrom('spendingrecorded', 'SpendingRecorded ', 'Spending', ''),
            fc.string({ maxLength: 30 }).filter((s) => !(EVENT_TYPES as readonly string[]).includes(s)),
          ),
        }),
        fc.record({
          f: fc.constant('department'),
          v: fc.oneof(
            nonString,
            fc.constantFrom('Prop-Open', 'prop_open', 'prop open', '', 'a'.repeat(65)),
            fc.string({ maxLength: 80 }).filter((s) => !SLUG_RE.test(s)),
          ),
        }),
        fc.record({
          f: fc.constant('year'),
          v: fc.oneof(
            fc.constantFrom('2023', 2023.5, 1999, 2101, -2023, 0, true, null, [2023], { y: 2023 }),
            fc.integer({ min: -100000, max: 1999 }),
            fc.integer({ min: 2101, max: 100000 }),
          ),
        }),
        fc.record({
          f: fc.constant('occurredAt'),
          v: fc.oneof(
            nonString,
            fc.constantFrom(
              ...BAD_DATES,
              '2023-01-05T25:00:00',
              '2023-01-05T10:61:00',
              `2023-01-05T10:00:00+08:00${'0'.repeat(30)}`,
            ),
            fc.string({ maxLength: 30 }).filter((s) => !/^\d{4}-\d{2}-\d{2}/.test(s)),
          ),
        }),
        fc.record({
          f: fc.constant('expectedVersion'),
          v: fc.oneof(
            fc.integer({ min: -1_000_000, max: -1 }),
            fc.constantFrom(1.5, '5', true, null, [1], { v: 1 }, 2 ** 53, -0.5),
          ),
        }),
        fc.record({
          f: fc.constant('data'),
          v: fc.oneof(
            fc.constant(null),
            fc.array(fc.integer(), { maxLength: 3 }),
            fc.string(),
            fc.integer(),
            fc.boolean(),
          ),
        }),
      ),
    )
    .map(([g, { f, v }]) => {
      const e = clone(g.event);
      (e as Record<string, unknown>)[f] = v;
      return bad400(`envelope ${f} = ${JSON.stringify(v)?.slice(0, 60)}`, e);
    });

  const missing = good.chain((g) =>
    fc
      .constantFrom(...ENVELOPE.map((f) => ['', f]), ...DATA_FIELDS[g.kind].map((f) => ['data', f]))
      .map(([where, f]) => {
        const e = clone(g.event);
        if (where === 'data') delete e.data[f!];
        else delete (e as Record<string, unknown>)[f!];
        return bad400(`missing ${where ? 'data.' : ''}${f}`, e);
      }),
  );

  const unknownField = fc
    .tuple(
      good,
      fc.boolean(),
      fc.oneof(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'toString',
          'note',
          'Amount',
          'ID',
          'expected_version',
          'extra',
          'hasOwnProperty',
        ),
        fc.string({ minLength: 1, maxLength: 20 }),
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .filter(
      ([g, inData, k]) =>
        !(inData ? DATA_FIELDS[g.kind] : [...ENVELOPE, 'expectedVersion', 'met']).includes(k) &&
        !(inData && g.kind === 'reported' && k === 'met'),
    )
    .map(([g, inData, k, v]) => {
      const e = clone(g.event);
      setKey(inData ? e.data : (e as Record<string, unknown>), k, v);
      return bad400(`unknown field ${inData ? 'data.' : ''}${k}`, e);
    });

  const amountBad = good
    .filter((g) => AMOUNT_FIELD[g.kind] !== undefined)
    .chain((g) =>
      badAmount(AMOUNT_FIELD[g.kind]!.rule).map((v) => {
        const e = clone(g.event);
        e.data.amount = v;
        return bad400(`${g.kind} amount ${JSON.stringify(v)}`, e);
      }),
    );

  const unknownRef = fc.oneof(
    fc
      .tuple(
        good.filter((g) => g.kind === 'spending' || g.kind === 'adjusted'),
        unknownKey,
      )
      .map(([g, k]) => {
        const e = clone(g.event);
        e.data.line = k;
        return bad400(`unknown line ${k}`, e);
      }),
    fc
      .tuple(
        good.filter((g) => g.kind === 'planned' || g.kind === 'line'),
        unknownKey,
      )
      .map(([g, k]) => {
        const e = clone(g.event);
        e.data.unit = k;
        return bad400(`unknown unit ${k}`, e);
      }),
    fc
      .tuple(
        good.filter((g) => g.kind === 'corrected'),
        fc.oneof(unknownKey, fc.constantFrom(...m.otherIds), fc.constantFrom(...m.closedSpendingIds)),
      )
      .map(([g, k]) => {
        const e = clone(g.event);
        e.data.corrects = k;
        return bad400(`corrects ${k}`, e);
      }),
    fc
      .tuple(
        good.filter((g) => g.kind === 'reported'),
        unknownKey,
      )
      .map(([g, k]) => {
        const e = clone(g.event);
        e.data.indicator = k;
        return bad400(`unknown indicator ${k}`, e);
      }),
    fc.tuple(freshId('bad'), fc.oneof(unknownKey, fc.constantFrom(...m.tasks)), date).map(([id, task, on]) =>
      // Every task of the sample is completed already: a known task is refused too.
      bad400(`TaskCompleted ${task}`, envelope(id, 'TaskCompleted', on, { task, completedOn: on })),
    ),
  );

  const outOfYear = fc.oneof(
    fc
      .tuple(
        good.filter((g) => g.kind === 'spending' || g.kind === 'planned'),
        fc.oneof(outOfYearMonth, fc.constantFrom(...BAD_MONTHS), nonString),
      )
      .map(([g, v]) => {
        const e = clone(g.event);
        e.data.month = v;
        return bad400(`month ${JSON.stringify(v)}`, e);
      }),
    fc
      .tuple(
        good.filter((g) => g.kind === 'adjusted'),
        fc.oneof(outOfYearDate, fc.constantFrom(...BAD_DATES), nonString),
      )
      .map(([g, v]) => {
        const e = clone(g.event);
        e.data.effectiveOn = v;
        return bad400(`effectiveOn ${JSON.stringify(v)}`, e);
      }),
    fc
      .tuple(
        good.filter((g) => g.kind === 'reported'),
        fc.oneof(fc.constantFrom(...BAD_DATES), nonString),
      )
      .map(([g, v]) => {
        const e = clone(g.event);
        e.data.asOf = v;
        return bad400(`asOf ${JSON.stringify(v)}`, e);
      }),
  );

  const crossEvent = fc.oneof(
    good
      .filter((g) => g.kind === 'spending' || g.kind === 'adjusted')
      .map((g) => {
        const e = clone(g.event);
        e.data.source = e.data.source === 'fiscal' ? 'other' : 'fiscal';
        return bad400('line of another fund source', e);
      }),
    fc
      .tuple(freshId('bad'), fc.constantFrom(...m.units), text)
      .map(([id, unit, name]) =>
        bad400(`unit ${unit} registered twice`, envelope(id, 'UnitRegistered', `${YEAR}-03-01`, { unit, name })),
      ),
    good
      .filter((g) => g.kind === 'line')
      .chain((g) =>
        fc.constantFrom(...m.lines.keys()).map((l) => {
          const e = clone(g.event);
          e.data.line = l;
          return bad400(`line ${l} allocated twice`, e);
        }),
      ),
    good
      .filter((g) => g.kind === 'corrected')
      .map((g) => {
        const e = clone(g.event);
        e.data.amount = '-9999999999999.99';
        return bad400('correction below zero', e);
      }),
    good
      .filter((g) => g.kind === 'adjusted')
      .map((g) => {
        const e = clone(g.event);
        e.data.amount = '-9999999999999.99';
        return bad400('budget below zero', e);
      }),
    fc
      .tuple(
        good.filter((g) => g.kind === 'assessment'),
        fc.oneof(fc.constantFrom('3.01', '4', '999', '3.5'), fc.constant('x')),
      )
      .map(([g, score]) => {
        const e = clone(g.event);
        e.data.score = score;
        return bad400(`score ${score} over the weight`, e);
      }),
    good
      .filter((g) => g.kind === 'assessment')
      .map((g) => {
        const e = clone(g.event);
        e.data.criterion = 'performance.efficiency.execution';
        return bad400('a computed criterion assessed', e);
      }),
    good
      .filter((g) => g.kind !== 'assessment')
      .map((g) => {
        const e = clone(g.event);
        e.department = CLOSED;
        return bad400('after YearClosed', e);
      }),
    fc
      .tuple(
        good,
        fc.oneof(
          fc.constantFrom('never-opened', 'prop-open-2'),
          unknownKey.map((k) => k.toLowerCase().replace(/[^a-z0-9-]/g, '-')),
        ),
      )
      .map(([g, d]) => {
        const e = clone(g.event);
        e.department = d;
        return bad400(`stream ${d} not opened`, e);
      }),
    fc
      .tuple(
        good,
        fc.integer({ min: 2000, max: 2100 }).filter((y) => y !== YEAR),
      )
      .map(([g, y]) => {
        const e = clone(g.event);
        e.year = y;
        return bad400(`stream of year ${y} not opened`, e);
      }),
    freshId('bad').map((id) =>
      bad400('YearOpened twice', envelope(id, 'YearOpened', `${YEAR}-01-03`, { departmentName: '又一次' })),
    ),
  );

  const huge = fc.oneof(
    fc
      .tuple(
        good.filter((g) => g.kind === 'unit'),
        fc.integer({ min: 201, max: 20_000 }),
      )
      .map(([g, n]) => {
        const e = clone(g.event);
        e.data.name = '名'.repeat(n);
        return bad400(`name of ${n} characters`, e);
      }),
    fc
      .tuple(
        good.filter((g) => g.kind === 'adjusted' || g.kind === 'corrected'),
        fc.integer({ min: 1001, max: 60_000 }),
      )
      .map(([g, n]) => {
        const e = clone(g.event);
        e.data.reason = 'r'.repeat(n);
        return bad400(`reason of ${n} characters`, e);
      }),
    fc.tuple(good, fc.integer({ min: 129, max: 60_000 })).map(([g, n]) => {
      const e = clone(g.event);
      e.id = 'i'.repeat(n);
      return bad400(`id of ${n} characters`, e);
    }),
  );

  const unstorableText = fc.oneof(
    fc
      .tuple(
        good.filter((g) => g.kind === 'unit' || g.kind === 'line'),
        unstorable,
      )
      .map(([g, s]) => {
        const e = clone(g.event);
        e.data.name = s;
        return bad400(`name ${JSON.stringify(s)}`, e);
      }),
    fc
      .tuple(
        good.filter((g) => g.kind === 'adjusted' || g.kind === 'corrected'),
        unstorable,
      )
      .map(([g, s]) => {
        const e = clone(g.event);
        e.data.reason = s;
        return bad400(`reason ${JSON.stringify(s)}`, e);
      }),
    fc.tuple(good, unstorable).map(([g, s]) => {
      const e = clone(g.event);
      e.id = s;
      return bad400(`id ${JSON.stringify(s)}`, e);
    }),
  );

  return fc.oneof(
    wrongEnvelope,
    missing,
    unknownField,
    amountBad,
    unknownRef,
    outOfYear,
    crossEvent,
    huge,
    unstorableText,
  );
}

/** 409s: an id already stored with different content, or a stale/future expectedVersion. */
export function conflictEvent(m: Model): fc.Arbitrary<Bad> {
  const good = goodEvent(m);
  return fc.oneof(
    fc
      .tuple(good, fc.constantFrom(...m.storedIds))
      .map(([g, id]) => ({ why: `id ${id} reused`, events: [{ ...clone(g.event), id }], status: 409 as const })),
    fc
      .tuple(
        good,
        fc.oneof(
          fc.integer({ min: 0, max: m.version - 1 }),
          fc.integer({ min: m.version + 1, max: m.version + 100_000 }),
        ),
      )
      .map(([g, v]) => ({
        why: `expectedVersion ${v} (stream at ${m.version})`,
        events: [{ ...clone(g.event), expectedVersion: v }],
        status: 409 as const,
      })),
  );
}

/**
 * Makes the generated ids (and new unit / line ids) of a batch distinct by position: fast-check
 * biases uuids towards a few small values, and a repeated id or unit would be a second defect.
 */
export function uniquify(events: Ev[]): Ev[] {
  return events.map((e, i) => {
    const out = clone(e);
    if (typeof out.id === 'string' && /^(good|bad)-/.test(out.id)) out.id = out.id.replace(/^(good|bad)-/, `$1-${i}-`);
    if (out.type === 'UnitRegistered' && typeof out.data?.unit === 'string' && out.data.unit.startsWith('nu-'))
      out.data.unit = `nu-${i}`;
    if (out.type === 'BudgetAllocated' && typeof out.data?.line === 'string' && out.data.line.startsWith('nl-'))
      out.data.line = `nl-${i}`;
    return out;
  });
}

/** A batch of good events with 1–3 bad ones mixed in; `bad` holds their indexes. */
export function mixedBatch(m: Model): fc.Arbitrary<{ events: Ev[]; bad: number[]; whys: string[] }> {
  return fc
    .tuple(
      fc.array(goodEvent(m), { minLength: 1, maxLength: 15 }),
      fc.array(badEvent(m), { minLength: 1, maxLength: 3 }),
      fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    )
    .map(([goods, bads, at]) => {
      const slots: { event: Ev; why?: string }[] = goods.map((g) => ({ event: g.event }));
      bads.forEach((b, i) => slots.splice(at[i]! % (slots.length + 1), 0, { event: b.events[0]!, why: b.why }));
      return {
        events: uniquify(slots.map((s) => s.event)),
        bad: slots.flatMap((s, i) => (s.why !== undefined ? [i] : [])),
        whys: slots.flatMap((s) => (s.why !== undefined ? [s.why] : [])),
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Raw bodies

export interface RawCase {
  why: string;
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  /** Allowed statuses. */
  status: readonly number[];
}

const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n');
const INVALID_UTF8: number[][] = [
  [0xff],
  [0xfe],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
  [0xbf],
  [0xe4, 0xb8],
  [0xf0, 0x9f, 0x98],
];

export function rawBody(m: Model, limits: { maxBodyBytes: number; maxBatch: number }): fc.Arbitrary<RawCase> {
  const goods = fc.array(goodEvent(m), { minLength: 1, maxLength: 5 }).map((gs) => gs.map((g) => g.event));

  // A valid batch, made invalid only by broken UTF-8 bytes inside one of its strings.
  const badUtf8 = fc
    .tuple(goods, fc.constantFrom(...INVALID_UTF8), fc.nat(), fc.boolean())
    .map(([events, bytes, at, nd]) => {
      const text = nd ? ndjson(events) : JSON.stringify(events);
      // Put the bytes right after an opening quote, i.e. inside a string value or key.
      const quotes = [...text.matchAll(/"/g)].map((q) => q.index!);
      const pos = quotes[(at % Math.floor(quotes.length / 2)) * 2]! + 1;
      const head = Buffer.from(text.slice(0, pos), 'utf8');
      const tail = Buffer.from(text.slice(pos), 'utf8');
      return {
        why: `invalid UTF-8 ${bytes.map((b) => b.toString(16)).join(' ')}`,
        body: Buffer.concat([head, Buffer.from(bytes), tail]),
        contentType: nd ? 'application/x-ndjson' : 'application/json',
        status: [400],
      };
    });

  const deep = fc
    .tuple(goodEvent(m), fc.integer({ min: 17, max: 25_000 }), fc.boolean(), fc.boolean())
    .map(([g, depth, arrays, root]) => {
      const open = arrays ? '[' : '{"a":';
      const close = arrays ? ']' : '}';
      const nest = `${open.repeat(depth)}1${close.repeat(depth)}`;
      const text = root ? nest : JSON.stringify(g.event).replace(/"data":\{/, `"data":{"deep":${nest},`);
      return {
        why: `JSON nested ${depth} deep ${root ? 'as the body' : 'inside data'}`,
        body: Buffer.from(text),
        contentType: 'application/json',
        status: Buffer.byteLength(text) > limits.maxBodyBytes ? [413] : [400],
      };
    });

  const BROKEN_LINES = [
    '{',
    '{"id":',
    '{"a":}',
    'NaN',
    "{'id':'x'}",
    '{"id":"x",}',
    'undefined',
    '[1,2',
    '"unterminated',
    '}{',
    '{"id":"x"}}',
    '\u0000',
    'null',
    '42',
    '"string"',
    '[]',
    '[{"id":"x"}]',
    'true',
  ];
  const badNdjson = fc.tuple(goods, fc.constantFrom(...BROKEN_LINES), fc.nat()).map(([events, line, at]) => {
    const lines = events.map((e) => JSON.stringify(e));
    lines.splice(at % (lines.length + 1), 0, line);
    return {
      why: `NDJSON line ${JSON.stringify(line)}`,
      body: Buffer.from(lines.join('\n')),
      contentType: 'application/x-ndjson',
      status: [400],
    };
  });

  const anyJson = fc.jsonValue({ maxDepth: 4 }).map((v) => ({
    why: `random JSON ${JSON.stringify(v).slice(0, 60)}`,
    body: Buffer.from(JSON.stringify(v)),
    contentType: 'application/json',
    status: [400],
  }));
  const notJson = fc
    .string({ minLength: 1, maxLength: 200, unit: 'grapheme' })
    .filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    })
    .map((s) => ({
      why: `not JSON ${JSON.stringify(s).slice(0, 60)}`,
      body: Buffer.from(s),
      contentType: 'application/json',
      status: [400],
    }));

  const wrongType = fc.oneof(
    // Several events as NDJSON, but labelled JSON: not one JSON document.
    fc
      .tuple(
        fc.array(goodEvent(m), { minLength: 2, maxLength: 4 }),
        fc.constantFrom('application/json', 'text/plain', undefined),
      )
      .map(([gs, ct]) => ({
        why: `NDJSON sent as ${ct ?? 'no content type'}`,
        body: Buffer.from(ndjson(gs.map((g) => g.event))),
        contentType: ct,
        // Labelled JSON: not one JSON document (400); any other label is not a type events come as (415).
        status: [ct === 'application/json' ? 400 : 415],
      })),
    // Pretty-printed JSON labelled NDJSON: its lines are not JSON.
    goods.map((events) => ({
      why: 'pretty JSON sent as NDJSON',
      body: Buffer.from(JSON.stringify(events, null, 2)),
      contentType: 'application/x-ndjson',
      status: [400],
    })),
    fc.constantFrom<RawCase>(
      {
        why: 'a form post',
        body: Buffer.from('id=1&type=SpendingRecorded&amount=12.00'),
        contentType: 'application/x-www-form-urlencoded',
        status: [415],
      },
      {
        why: 'XML',
        body: Buffer.from('<?xml version="1.0"?><event><id>1</id></event>'),
        contentType: 'application/xml',
        status: [415],
      },
      {
        why: 'multipart',
        body: Buffer.from('--x\r\nContent-Disposition: form-data; name="file"\r\n\r\n{}\r\n--x--\r\n'),
        contentType: 'multipart/form-data; boundary=x',
        status: [415],
      },
      {
        why: 'a PNG header',
        body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
        contentType: 'image/png',
        status: [415],
      },
      {
        why: 'UTF-16 JSON',
        body: Buffer.from('\ufeff[{"id":"x"}]', 'utf16le'),
        contentType: 'application/json; charset=utf-16',
        status: [400],
      },
      {
        why: 'CSV',
        body: Buffer.from('id,type,amount\n1,SpendingRecorded,12.00\n'),
        contentType: 'text/csv',
        status: [415],
      },
    ),
  );

  const empty = fc
    .tuple(
      fc.constantFrom('', ' ', '\n', '\r\n\r\n', '\t', '[]', '[ ]', '\n\n\n'),
      fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain', undefined),
    )
    .map(([s, ct]) => ({
      why: `empty body ${JSON.stringify(s)} as ${ct ?? 'no content type'}`,
      body: Buffer.from(s),
      contentType: ct,
      // No bytes: nothing to misread, the handler says the batch is empty; some bytes of a type
      // events never come as: 415.
      status: [s.length > 0 && (ct === 'text/plain' || ct === undefined) ? 415 : 400],
    }));

  const oversize = fc.oneof(
    fc
      .tuple(
        fc.integer({ min: limits.maxBodyBytes + 1, max: limits.maxBodyBytes * 3 }),
        fc.constantFrom('application/json', 'application/x-ndjson'),
      )
      .map(([n, ct]) => {
        const filler = 'x'.repeat(n);
        return { why: `${n}-byte body`, body: Buffer.from(`[{"id":"${filler}"}]`), contentType: ct, status: [413] };
      }),
    fc
      .tuple(goodEvent(m), fc.integer({ min: limits.maxBatch + 1, max: limits.maxBatch * 2 }), fc.boolean())
      .map(([g, n, nd]) => {
        // Small events so the body stays under the byte limit: the event count is what is over.
        const events = Array.from({ length: n }, (_, i) => ({
          id: `o${i}`,
          type: 'YearClosed',
          department: OPEN,
          year: YEAR,
          occurredAt: '2023-12-31',
        }));
        void g;
        return {
          why: `${n} events (limit ${limits.maxBatch})`,
          body: Buffer.from(nd ? ndjson(events) : JSON.stringify(events)),
          contentType: nd ? 'application/x-ndjson' : 'application/json',
          status: [413],
        };
      }),
  );

  const encoding = fc
    .tuple(goods, fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown', 'gzip, x-unknown'))
    .map(([events, enc]) => ({
      why: `a plain body labelled Content-Encoding: ${enc}`,
      body: Buffer.from(JSON.stringify(events)),
      contentType: 'application/json',
      contentEncoding: enc,
      status: [400, 415],
    }));

  return fc.oneof(badUtf8, deep, badNdjson, anyJson, notJson, wrongType, empty, oversize, encoding);
}
