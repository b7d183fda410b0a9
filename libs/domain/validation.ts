/**
 * Field validation of one event against wire contract v1 (docs/events.md): types, formats,
 * ranges and unknown fields. Cross-event rules live in stream.ts.
 */
import { isIsoDateMemo as isoDate, isMonthMemo as isMonth, occurredOnDateMemo } from './date-memo.js';
import { Decimal } from './decimal.js';
import {
  ACTION_STATUSES,
  DEVIATION_CAUSES,
  EVENT_TYPES,
  LIKELIHOODS,
  SUBJECT_KINDS,
  type EventInput,
  type EventType,
} from './events.js';
import { DEFAULT_FRAMEWORK, criteriaById, judgedCriteria } from './evaluation/framework.js';
import { TargetParseError, parseTarget } from './evaluation/indicators.js';

export interface FieldError {
  /** Path inside the event, e.g. `data.amount` or `data.schedule.Q2`. */
  path: string;
  reason: string;
}

export type ValidationResult = { ok: true; event: EventInput } | { ok: false; errors: FieldError[] };

const ENVELOPE_FIELDS: readonly string[] = [
  'id',
  'type',
  'department',
  'year',
  'occurredAt',
  'expectedVersion',
  'data',
];
const SLUG_RE = /^[a-z0-9-]{1,64}$/;
const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** At most 2 decimals, at most 13 integer digits (below ten trillion yuan). */
const AMOUNT_RE = /^-?(0|[1-9]\d{0,12})(\.\d{1,2})?$/;
/** A decimal number as written, to say what is wrong with one that is not an amount. */
const DECIMAL_RE = /^-?(\d+)(?:\.(\d+))?$/;
const AMOUNT_INTEGER_DIGITS = 13;
const NONZERO_DIGIT_RE = /[1-9]/;
/** Percents (rates, schedules, thresholds) to 0.01 percentage point, as rates are shown. */
const PERCENT_RE = /^(0|[1-9]\d{0,3})(\.\d{1,2})?$/;
/**
 * Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane), which are
 * never meant to be interchanged: refused in ids, which clients compare and store as keys.
 */
const NONCHARACTER =
  /[\ufdd0-\ufdef\ufffe\uffff]|[\ud83f\ud87f\ud8bf\ud8ff\ud93f\ud97f\ud9bf\ud9ff\uda3f\uda7f\udabf\udaff\udb3f\udb7f\udbbf\udbff][\udffe\udfff]/;
const SCORE_RE = /^(0|[1-9]\d{0,2})(\.\d{1,4})?$/;
const MAX_TEXT = 1000;
/** Reasons, measures and notes of the monitoring events (v1.1): 1–2000 characters. */
const MAX_MONITORING_TEXT = 2000;
const MAX_CHECKPOINTS = 12;
const MONTH_DAY_RE = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** Option objects shared by every call (these run for every field of every event). */
const NO_OPTIONS = {};
const KEY_OPTIONS = {
  max: 64,
  pattern: KEY_RE,
  patternHint: 'must be an identifier of letters, digits, ".", "_" or "-" (1–64 chars)',
};
const DEPARTMENT_OPTIONS = { max: 64, pattern: SLUG_RE, patternHint: 'must match [a-z0-9-]{1,64}' };
const ID_OPTIONS = { max: 128 };

const judged = judgedCriteria(DEFAULT_FRAMEWORK);
const allCriteria = criteriaById(DEFAULT_FRAMEWORK);

type Obj = Record<string, unknown>;

class Checker {
  readonly errors: FieldError[] = [];

  constructor(
    private readonly obj: Obj,
    private readonly prefix: string,
  ) {}

  fail(field: string, reason: string): void {
    this.errors.push({ path: this.prefix ? `${this.prefix}.${field}` : field, reason });
  }

  private present(field: string, optional: boolean): boolean {
    const v = this.obj[field];
    if (v === undefined) {
      if (!optional) this.fail(field, 'is required');
      return false;
    }
    if (v === null) {
      this.fail(field, optional ? 'must not be null: leave the field out when it has no value' : 'is required');
      return false;
    }
    return true;
  }

  string(
    field: string,
    opts: { optional?: boolean; max?: number; pattern?: RegExp; patternHint?: string } = NO_OPTIONS,
  ) {
    if (!this.present(field, !!opts.optional)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'string') return this.fail(field, `must be a string, got ${typeOf(v)}`);
    if (v.trim().length === 0) return this.fail(field, 'must not be empty');
    const max = opts.max ?? MAX_TEXT;
    if (v.length > max) return this.fail(field, `must be at most ${max} characters, got ${v.length}`);
    if (opts.pattern && !opts.pattern.test(v)) return this.fail(field, `${JSON.stringify(v)} ${opts.patternHint}`);
    return v;
  }

  key(field: string) {
    return this.string(field, KEY_OPTIONS);
  }

  oneOf<T extends string>(
    field: string,
    values: readonly T[],
    opts: { optional?: boolean } = NO_OPTIONS,
  ): T | undefined {
    if (!this.present(field, !!opts.optional)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'string' || !values.includes(v as T)) {
      this.fail(field, `must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${show(v)}`);
      return undefined;
    }
    return v as T;
  }

  boolean(field: string, opts: { optional?: boolean } = NO_OPTIONS) {
    if (!this.present(field, !!opts.optional)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'boolean') return this.fail(field, `must be true or false, got ${show(v)}`);
    return v;
  }

  count(field: string, opts: { optional?: boolean } = NO_OPTIONS) {
    if (!this.present(field, !!opts.optional)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 10_000_000 || Object.is(v, -0)) {
      return this.fail(
        field,
        `must be a whole number between 0 and 10000000, got ${Object.is(v, -0) ? '-0' : show(v)}`,
      );
    }
    return v;
  }

  amount(field: string, rule: 'positive' | 'nonNegative' | 'nonZero' | 'signed') {
    if (!this.present(field, false)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'string') {
      return this.fail(field, `must be a decimal string such as "1263391.60" (not a JSON ${typeOf(v)})`);
    }
    if (!AMOUNT_RE.test(v)) return this.fail(field, notAnAmount(v));
    // AMOUNT_RE admits only [-]digits[.digits], so sign and zero can be read off the text: the
    // same answers as Decimal's gt(0) / isNeg() / isZero() without parsing a Decimal per event.
    const negative = v.charCodeAt(0) === 45; // '-'
    const zero = !NONZERO_DIGIT_RE.test(v);
    if (negative && zero) return this.fail(field, `${show(v)} is not an amount: zero has no sign, write "0"`);
    if (rule === 'positive' && (negative || zero)) return this.fail(field, `must be greater than 0, got ${show(v)}`);
    if (rule === 'nonNegative' && negative && !zero) return this.fail(field, `must not be negative, got ${show(v)}`);
    if (rule === 'nonZero' && zero) return this.fail(field, 'must not be zero');
    return v;
  }

  percent(field: string, opts: { max?: number } = NO_OPTIONS) {
    if (!this.present(field, false)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'string' || !PERCENT_RE.test(v)) {
      return this.fail(
        field,
        `must be a percent as a decimal string with at most 2 decimals, such as "90" or "94.5", got ${show(v)}`,
      );
    }
    if (opts.max !== undefined && new Decimal(v).gt(opts.max)) {
      return this.fail(field, `must be at most ${opts.max}, got ${show(v)}`);
    }
    return v;
  }

  date(field: string, opts: { year?: number } = NO_OPTIONS) {
    if (!this.present(field, false)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'string' || !isoDate(v)) return this.fail(field, `must be an ISO date YYYY-MM-DD, got ${show(v)}`);
    if (opts.year !== undefined && Number(v.slice(0, 4)) !== opts.year) {
      return this.fail(field, `must be inside the stream's year ${opts.year}, got ${show(v)}`);
    }
    return v;
  }

  month(field: string, year: number | undefined) {
    if (!this.present(field, false)) return undefined;
    const v = this.obj[field];
    if (typeof v !== 'string' || !isMonth(v)) return this.fail(field, `must be a month YYYY-MM, got ${show(v)}`);
    if (year !== undefined && Number(v.slice(0, 4)) !== year) {
      return this.fail(field, `must be a month of the stream's year ${year}, got ${show(v)}`);
    }
    return v;
  }

  object(field: string, opts: { optional?: boolean } = NO_OPTIONS): Obj | undefined {
    if (!this.present(field, !!opts.optional)) return undefined;
    const v = this.obj[field];
    if (!isPlainObject(v)) {
      this.fail(field, `must be an object, got ${typeOf(v)}`);
      return undefined;
    }
    return v;
  }

  onlyFields(allowed: readonly string[]): void {
    for (const k of Object.keys(this.obj)) {
      if (!allowed.includes(k)) this.fail(k, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** Why a string is not an amount, naming the limit it breaks. */
function notAnAmount(v: string): string {
  const parts = DECIMAL_RE.exec(v);
  const integer = parts?.[1] ?? '';
  const decimals = parts?.[2] ?? '';
  if (parts && integer.length > AMOUNT_INTEGER_DIGITS && !/^0+$/.test(integer))
    return `${show(v)} is not an amount: at most ${AMOUNT_INTEGER_DIGITS} digits before the decimal point (amounts below ten trillion yuan), got ${integer.length}`;
  if (parts && decimals.length > 2)
    return `${show(v)} is not an amount: at most 2 decimals (yuan and fen), got ${decimals.length}`;
  if (parts && integer.length > 1 && integer.startsWith('0')) return `${show(v)} is not an amount: no leading zeros`;
  return `${show(v)} is not an amount: use a plain decimal string with at most 2 decimals and no separators, e.g. "1263391.60"`;
}

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const DATA_FIELDS: Record<EventType, readonly string[]> = {
  YearOpened: ['departmentName', 'schedule', 'checkpoints', 'alertThresholds'],
  UnitRegistered: ['unit', 'name'],
  BudgetAllocated: ['line', 'unit', 'name', 'category', 'economic', 'source', 'amount', 'task'],
  BudgetAdjusted: ['line', 'source', 'amount', 'effectiveOn', 'reason'],
  SpendingRecorded: ['line', 'source', 'month', 'amount'],
  SpendingCorrected: ['corrects', 'amount', 'reason'],
  SpendingPlanned: ['unit', 'month', 'amount'],
  TaskPlanned: ['task', 'unit', 'kind', 'title', 'due'],
  TaskCompleted: ['task', 'completedOn'],
  IndicatorDefined: ['indicator', 'level1', 'level2', 'name', 'target', 'task'],
  IndicatorReported: ['indicator', 'actual', 'asOf', 'met'],
  HeadcountReported: ['asOf', 'authorized', 'onStaff', 'directHires', 'dispatched', 'retired'],
  AssetsReported: ['asOf', 'inUse', 'total'],
  ProcurementReported: ['planned', 'actual', 'policyCompliant'],
  SatisfactionMeasured: ['rate', 'method'],
  PetitionsReported: ['channel', 'received', 'replied', 'repliedOnTime'],
  DisclosureReported: ['budget', 'finalAccounts'],
  AssessmentRecorded: ['criterion', 'score', 'evidence'],
  SelfEvaluationSubmitted: ['scores', 'total', 'grade'],
  YearClosed: [],
  IndicatorProgressReported: ['indicator', 'asOf', 'actual', 'expectedYearEnd', 'likelihood', 'deviation', 'measure'],
  DeviationExplained: ['subject', 'asOf', 'cause', 'reason', 'measure', 'due'],
  CorrectiveActionReported: ['explanation', 'on', 'status', 'note'],
};

/** `checkpoints` of YearOpened (v1.1): 1–12 of `{on: "MM-DD", percent}`, dates and percents strictly increasing. */
function checkCheckpoints(k: Checker, raw: unknown, year: number | undefined): void {
  if (!Array.isArray(raw)) return k.fail('checkpoints', `must be an array of {on, percent}, got ${typeOf(raw)}`);
  if (raw.length === 0 || raw.length > MAX_CHECKPOINTS)
    return k.fail('checkpoints', `must hold 1 to ${MAX_CHECKPOINTS} checkpoints, got ${raw.length}`);
  let previous: { on: string; percent: Decimal } | undefined;
  for (const [i, item] of raw.entries()) {
    const path = `data.checkpoints[${i}]`;
    if (!isPlainObject(item)) {
      k.errors.push({ path, reason: `must be an object {on, percent}, got ${typeOf(item)}` });
      continue;
    }
    const c = new Checker(item, path);
    c.onlyFields(['on', 'percent']);
    const on = c.string('on', { max: 5 });
    const percent = c.percent('percent', { max: 100 });
    if (on !== undefined && !validMonthDay(on, year ?? 2001))
      c.fail('on', `must be a date of the year as MM-DD, such as "04-30", got ${show(on)}`);
    k.errors.push(...c.errors);
    if (c.errors.length || on === undefined || percent === undefined) {
      previous = undefined;
      continue;
    }
    const p = new Decimal(percent);
    if (p.lte(0)) k.errors.push({ path: `${path}.percent`, reason: 'must be greater than 0' });
    else if (previous && on <= previous.on)
      k.errors.push({ path: `${path}.on`, reason: `must come after the checkpoint before it (${previous.on})` });
    else if (previous && p.lte(previous.percent))
      k.errors.push({
        path: `${path}.percent`,
        reason: `must be greater than the checkpoint before it (${previous.percent.toFixed()})`,
      });
    previous = { on, percent: p };
  }
}

/** MM-DD naming a real day of `year` (02-29 only in a leap year). */
function validMonthDay(v: string, year: number): boolean {
  if (!MONTH_DAY_RE.test(v)) return false;
  return isoDate(`${String(year).padStart(4, '0')}-${v}`);
}

const monitoringText = { max: MAX_MONITORING_TEXT };

/** An indicator target must read as printed (≥18处, 72家, 10天内, 每季度10家企业, 显著, 不适用, …). */
function checkTarget(k: Checker, target: string | void): void {
  if (typeof target !== 'string') return;
  try {
    parseTarget(target);
  } catch (e) {
    if (!(e instanceof TargetParseError)) throw e;
    k.fail('target', e.message);
  }
}

const SOURCES = ['fiscal', 'other'] as const;
const DISCLOSURE = ['on_time', 'late', 'none', 'exempt'] as const;

function checkData(type: EventType, data: Obj, year: number | undefined): FieldError[] {
  const k = new Checker(data, 'data');
  k.onlyFields(DATA_FIELDS[type]);
  switch (type) {
    case 'YearOpened': {
      k.string('departmentName', { max: 200 });
      const schedule = k.object('schedule', { optional: true });
      if (schedule) {
        const s = new Checker(schedule, 'data.schedule');
        s.onlyFields(['Q1', 'Q2', 'Q3', 'Q4']);
        const qs = (['Q1', 'Q2', 'Q3', 'Q4'] as const).map((q) => s.percent(q, { max: 100 }));
        k.errors.push(...s.errors);
        if (s.errors.length === 0 && qs.every((q): q is string => q !== undefined)) {
          let previous: string | undefined;
          for (const [i, text] of qs.entries()) {
            const q = new Decimal(text);
            if (q.lte(0)) k.fail(`schedule.Q${i + 1}`, 'must be greater than 0');
            else if (previous !== undefined && q.lt(previous))
              k.fail(`schedule.Q${i + 1}`, `must not be below Q${i} (${previous})`);
            previous = text;
          }
        }
      }
      if (data.checkpoints !== undefined) {
        if (schedule)
          k.fail('checkpoints', 'cannot be given with schedule: checkpoints replace the quarterly schedule');
        else checkCheckpoints(k, data.checkpoints, year);
      }
      const th = k.object('alertThresholds', { optional: true });
      if (th) {
        const t = new Checker(th, 'data.alertThresholds');
        t.onlyFields(['yellow', 'red', 'divergence']);
        const yellow = t.percent('yellow', { max: 100 });
        const red = t.percent('red', { max: 100 });
        if (th.divergence !== undefined) {
          const divergence = t.percent('divergence', { max: 100 });
          if (divergence !== undefined && new Decimal(divergence).lte(0))
            t.fail('divergence', 'must be greater than 0');
        }
        k.errors.push(...t.errors);
        if (yellow && red && new Decimal(red).lte(yellow)) {
          k.fail('alertThresholds.red', `must be greater than yellow (${yellow}), got "${red}"`);
        }
      }
      break;
    }
    case 'UnitRegistered':
      k.key('unit');
      k.string('name', { max: 200 });
      break;
    case 'BudgetAllocated':
      k.key('line');
      k.key('unit');
      k.string('name', { max: 200 });
      k.oneOf('category', ['basic', 'project']);
      k.oneOf('economic', ['personnel', 'routine_public', 'three_public', 'other']);
      k.oneOf('source', SOURCES);
      k.amount('amount', 'nonNegative');
      if (data.task !== undefined) k.key('task');
      break;
    case 'BudgetAdjusted':
      k.key('line');
      k.oneOf('source', SOURCES);
      k.amount('amount', 'nonZero');
      k.date('effectiveOn', { year });
      k.string('reason');
      break;
    case 'SpendingRecorded':
      k.key('line');
      k.oneOf('source', SOURCES);
      k.month('month', year);
      k.amount('amount', 'positive');
      break;
    case 'SpendingCorrected':
      k.string('corrects', { max: 128 });
      k.amount('amount', 'nonZero');
      k.string('reason');
      break;
    case 'SpendingPlanned':
      k.key('unit');
      k.month('month', year);
      k.amount('amount', 'nonNegative');
      break;
    case 'TaskPlanned':
      k.key('task');
      k.key('unit');
      k.oneOf('kind', ['key_work', 'project']);
      k.string('title', { max: 500 });
      k.date('due');
      break;
    case 'TaskCompleted':
      k.key('task');
      k.date('completedOn');
      break;
    case 'IndicatorDefined':
      k.key('indicator');
      k.string('level1', { max: 100 });
      k.string('level2', { max: 100 });
      k.string('name', { max: 500 });
      checkTarget(k, k.string('target', { max: 100 }));
      if (data.task !== undefined) k.key('task');
      break;
    case 'IndicatorReported':
      k.key('indicator');
      k.string('actual', { max: 100 });
      k.date('asOf');
      k.boolean('met', { optional: true });
      break;
    case 'HeadcountReported': {
      k.date('asOf');
      const counts = ['authorized', 'onStaff', 'directHires', 'dispatched'].map((f) => k.count(f));
      k.count('retired', { optional: true });
      void counts;
      break;
    }
    case 'AssetsReported': {
      k.date('asOf');
      const inUse = k.amount('inUse', 'nonNegative');
      const total = k.amount('total', 'nonNegative');
      if (inUse && total && new Decimal(inUse).gt(total))
        k.fail('inUse', `must not exceed total (${total}), got "${inUse}"`);
      break;
    }
    case 'ProcurementReported':
      k.amount('planned', 'nonNegative');
      k.amount('actual', 'nonNegative');
      k.boolean('policyCompliant');
      break;
    case 'SatisfactionMeasured':
      k.percent('rate', { max: 100 });
      k.string('method', { max: 500 });
      break;
    case 'PetitionsReported': {
      k.boolean('channel');
      const received = k.count('received');
      const replied = k.count('replied');
      const onTime = k.count('repliedOnTime');
      if (received !== undefined && replied !== undefined && replied > received) {
        k.fail('replied', `must not exceed received (${received}), got ${replied}`);
      }
      if (replied !== undefined && onTime !== undefined && onTime > replied) {
        k.fail('repliedOnTime', `must not exceed replied (${replied}), got ${onTime}`);
      }
      break;
    }
    case 'DisclosureReported':
      k.oneOf('budget', DISCLOSURE);
      k.oneOf('finalAccounts', DISCLOSURE);
      break;
    case 'AssessmentRecorded': {
      const criterion = k.string('criterion', { max: 128 });
      const score = k.string('score', { max: 16 });
      k.string('evidence');
      if (criterion !== undefined) {
        const def = judged.get(criterion);
        if (!def) {
          const known = allCriteria.get(criterion);
          k.fail(
            'criterion',
            known
              ? `"${criterion}" is computed by rule (${known.how}), not judged; judged criteria: ${[...judged.keys()].join(', ')}`
              : `unknown criterion "${criterion}"; judged criteria: ${[...judged.keys()].join(', ')}`,
          );
        } else if (score !== undefined) {
          if (!SCORE_RE.test(score)) k.fail('score', `must be a decimal string such as "4.5", got ${show(score)}`);
          else if (new Decimal(score).gt(def.weight)) {
            k.fail('score', `${score} is outside [0, ${def.weight}], the weight of ${criterion} (${def.name})`);
          }
        }
      }
      break;
    }
    case 'SelfEvaluationSubmitted': {
      const scores = k.object('scores');
      if (scores) {
        for (const [crit, v] of Object.entries(scores)) {
          const path = `scores.${crit}`;
          if (!allCriteria.has(crit)) k.fail(path, `unknown criterion "${crit}"`);
          else if (typeof v !== 'string' || !SCORE_RE.test(v))
            k.fail(path, `must be a decimal string such as "4.7", got ${show(v)}`);
        }
      }
      const total = k.string('total', { max: 16 });
      if (total !== undefined && !SCORE_RE.test(total))
        k.fail('total', `must be a decimal string such as "95.7", got ${show(total)}`);
      k.oneOf('grade', ['优', '良', '中', '差']);
      break;
    }
    case 'YearClosed':
      break;
    case 'IndicatorProgressReported': {
      k.key('indicator');
      k.date('asOf', { year });
      k.string('actual', { max: 100 });
      k.string('expectedYearEnd', { optional: true, max: 100 });
      const likelihood = k.oneOf('likelihood', LIKELIHOODS);
      const deviation = k.object('deviation', { optional: true });
      if (deviation) {
        const d = new Checker(deviation, 'data.deviation');
        d.onlyFields(['cause', 'reason']);
        d.oneOf('cause', DEVIATION_CAUSES);
        d.string('reason', monitoringText);
        k.errors.push(...d.errors);
      }
      const measure = k.string('measure', { optional: true, max: MAX_MONITORING_TEXT });
      if (likelihood === 'possible' || likelihood === 'impossible') {
        const said = likelihood === 'possible' ? '有可能' : '完全不可能';
        if (data.deviation === undefined)
          k.fail('deviation', `is required when likelihood is "${likelihood}" (${said}): give its cause and reason`);
        if (data.measure === undefined && measure === undefined)
          k.fail('measure', `is required when likelihood is "${likelihood}" (${said}): say what will be done`);
      }
      break;
    }
    case 'DeviationExplained': {
      const subject = k.object('subject');
      if (subject) {
        const sc = new Checker(subject, 'data.subject');
        sc.onlyFields(['kind', 'id']);
        const kind = sc.oneOf('kind', SUBJECT_KINDS);
        if (kind === 'department') {
          if (subject.id !== undefined) sc.fail('id', 'must be left out for the department');
        } else if (kind !== undefined) sc.key('id');
        k.errors.push(...sc.errors);
      }
      const asOf = k.date('asOf', { year });
      k.oneOf('cause', DEVIATION_CAUSES);
      k.string('reason', monitoringText);
      k.string('measure', monitoringText);
      if (data.due !== undefined) {
        const due = k.date('due');
        if (due !== undefined && asOf !== undefined && due < asOf)
          k.fail('due', `must not be before asOf (${asOf}), got ${show(due)}`);
      }
      break;
    }
    case 'CorrectiveActionReported':
      k.string('explanation', ID_OPTIONS);
      k.date('on');
      k.oneOf('status', ACTION_STATUSES);
      k.string('note', monitoringText);
      break;
  }
  return k.errors;
}

/**
 * U+0000 cannot be stored in PostgreSQL text or jsonb, and a lone UTF-16 surrogate (a JSON escape
 * such as "\ud800" with no partner) is not Unicode: either is refused wherever it appears, keys
 * included, instead of failing (or being silently altered) in the database.
 */
// eslint-disable-next-line no-control-regex -- U+0000 (NUL) is one of the characters this pattern is for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const MAX_UNSTORABLE_ERRORS = 10;
const MAX_UNSTORABLE_DEPTH = 32;

function unstorableReason(value: string): string {
  return value.includes('\u0000')
    ? 'contains a NUL character (U+0000), which cannot be stored'
    : 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';
}

function childPath(parent: object, path: string, k: string): string {
  return Array.isArray(parent) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
}

/**
 * Walks every key and string of `value` (depth-first, keys in Object.keys order), stopping at 10
 * errors or below depth 32. Runs on every event, so child paths are only built when reported or
 * descended into, and string children are tested in place rather than through a call.
 */
function unstorableText(value: unknown, path: string, out: FieldError[], depth = 0): void {
  if (out.length >= MAX_UNSTORABLE_ERRORS || depth > MAX_UNSTORABLE_DEPTH) return;
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) out.push({ path, reason: unstorableReason(value) });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (UNSTORABLE.test(k))
      out.push({
        path: childPath(obj, path, k),
        reason: 'the field name contains a NUL character or an unpaired UTF-16 surrogate',
      });
    if (typeof v === 'string') {
      // What the recursive call would do for this string at depth + 1.
      if (out.length < MAX_UNSTORABLE_ERRORS && depth + 1 <= MAX_UNSTORABLE_DEPTH && UNSTORABLE.test(v)) {
        out.push({ path: childPath(obj, path, k), reason: unstorableReason(v) });
      }
    } else if (v !== null && typeof v === 'object') {
      unstorableText(v, childPath(obj, path, k), out, depth + 1);
    }
  }
}

/** Validates one event's fields. Does not look at other events (see stream.ts for that). */
export function validateEvent(raw: unknown): ValidationResult {
  if (!isPlainObject(raw)) {
    return { ok: false, errors: [{ path: '', reason: `an event must be a JSON object, got ${typeOf(raw)}` }] };
  }
  const k = new Checker(raw, '');
  k.onlyFields(ENVELOPE_FIELDS);
  const id = k.string('id', ID_OPTIONS);
  if (id !== undefined && NONCHARACTER.test(id)) k.fail('id', 'contains a Unicode noncharacter (such as U+FFFF)');
  const type = k.oneOf('type', EVENT_TYPES, NO_OPTIONS);
  k.string('department', DEPARTMENT_OPTIONS);
  let year: number | undefined;
  if (raw.year === undefined || raw.year === null) k.fail('year', 'is required');
  else if (Object.is(raw.year, -0)) k.fail('year', 'must be a whole number between 2000 and 2100, got -0');
  else if (typeof raw.year !== 'number' || !Number.isInteger(raw.year) || raw.year < 2000 || raw.year > 2100) {
    k.fail('year', `must be a whole number between 2000 and 2100, got ${show(raw.year)}`);
  } else year = raw.year;
  if (raw.occurredAt === undefined || raw.occurredAt === null) k.fail('occurredAt', 'is required');
  else if (
    typeof raw.occurredAt !== 'string' ||
    raw.occurredAt.length > 40 ||
    occurredOnDateMemo(raw.occurredAt) === null
  ) {
    k.fail('occurredAt', `must be an ISO date or date-time, got ${show(raw.occurredAt)}`);
  }
  if (raw.expectedVersion !== undefined) {
    const v = raw.expectedVersion;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      k.fail('expectedVersion', `must be a whole number ≥ 0, got ${show(v)}`);
    }
  }
  const errors = k.errors;
  if (type) {
    const data = raw.data;
    if (data === null) {
      errors.push({
        path: 'data',
        reason: type === 'YearClosed' ? 'must not be null: leave it out or send {}' : 'is required',
      });
    } else if (data === undefined) {
      // "data: —": an absent data object is accepted for YearClosed and stored as {}.
      if (type !== 'YearClosed') errors.push({ path: 'data', reason: 'is required' });
    } else if (!isPlainObject(data)) {
      errors.push({ path: 'data', reason: `must be an object, got ${typeOf(data)}` });
    } else errors.push(...checkData(type, data, year));
  }
  unstorableText(raw, '', errors);
  if (errors.length > 0) return { ok: false, errors };
  // The object itself when it is complete (no copy per event); YearClosed without data gets {}.
  const event = (raw.data === undefined ? { ...raw, data: {} } : raw) as EventInput;
  return { ok: true, event };
}
