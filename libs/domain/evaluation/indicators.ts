/**
 * Performance indicators (绩效指标) as printed: targets such as `≥18处`, `72家` (bare number = at
 * least), `≤5%`, `100%`, `10天内`, `每季度10家企业`, `显著` (qualitative), `不适用`; actuals such as
 * `18处`, `94.5%`, `3天`, `每季度平均16家次`. Numbers are compared as Decimal, never as JS numbers.
 */
import { Decimal } from '../decimal.js';
import { required } from '../required.js';

export type Comparator = '>=' | '>' | '<=' | '<' | '=';

export type ParsedTarget =
  | { kind: 'not_applicable'; text: string }
  | { kind: 'qualitative'; text: string; label: string }
  | {
      kind: 'quantitative';
      text: string;
      comparator: Comparator;
      value: Decimal;
      /** Unit as printed after the number (e.g. `家企业`), null when none. */
      unit: string | null;
      /** Period of a per-period figure (`每季度…` → `季度`), null when none. */
      per: string | null;
    };

export type ParsedActual =
  | { kind: 'not_applicable'; text: string }
  | { kind: 'qualitative'; text: string; label: string }
  | { kind: 'quantitative'; text: string; value: Decimal; unit: string | null; per: string | null };

export type IndicatorJudgement = 'met' | 'not_met' | 'not_applicable';

/** Base class of the indicator text errors; messages are in English and Chinese. */
export class IndicatorError extends Error {}

export class TargetParseError extends IndicatorError {
  constructor(
    readonly text: string,
    readonly detail: string,
  ) {
    super(
      `cannot parse indicator target "${text}": ${detail}; expected a comparison such as ≥18处, 72家, ≤5%, 100%, 10天内, ` +
        `每季度10家企业, a qualitative word such as 显著, or 不适用 / 无法解析绩效指标目标值“${text}”，` +
        `应为 ≥18处、72家、≤5%、100%、10天内、每季度10家企业 等比较式，或 显著 等定性描述，或 不适用`,
    );
    this.name = 'TargetParseError';
  }
}

export class ActualParseError extends IndicatorError {
  constructor(
    readonly text: string,
    readonly detail: string,
  ) {
    super(`cannot read indicator actual "${text}": ${detail} / 无法解析绩效指标实际完成值“${text}”：${detail}`);
    this.name = 'ActualParseError';
  }
}

export class UnitMismatchError extends IndicatorError {
  constructor(
    readonly target: string,
    readonly actual: string,
    readonly detail: string,
  ) {
    super(
      `indicator target "${target}" and actual "${actual}" are not comparable: ${detail} / ` +
        `绩效指标目标值“${target}”与实际完成值“${actual}”计量单位不一致，无法比较`,
    );
    this.name = 'UnitMismatchError';
  }
}

const NOT_APPLICABLE = new Set(['不适用', '不涉及']);

/** Word comparators, longest first. */
const WORD_COMPARATORS: [string, Comparator][] = [
  ['大于等于', '>='],
  ['小于等于', '<='],
  ['不少于', '>='],
  ['不低于', '>='],
  ['不小于', '>='],
  ['至少', '>='],
  ['不超过', '<='],
  ['不高于', '<='],
  ['不大于', '<='],
  ['至多', '<='],
  ['最多', '<='],
  ['大于', '>'],
  ['高于', '>'],
  ['超过', '>'],
  ['多于', '>'],
  ['小于', '<'],
  ['低于', '<'],
  ['少于', '<'],
];

const SYMBOL_COMPARATORS: [string, Comparator][] = [
  ['>=', '>='],
  ['<=', '<='],
  ['≥', '>='],
  ['≧', '>='],
  ['≤', '<='],
  ['≦', '<='],
  ['>', '>'],
  ['<', '<'],
  ['=', '='],
];

/** Suffixes after the unit, longest first, and the comparison they imply. */
const SUFFIXES: [string, Comparator][] = [
  ['及以上', '>='],
  ['及以下', '<='],
  ['以上', '>='],
  ['以下', '<='],
  ['以内', '<='],
  ['之内', '<='],
  ['内', '<='],
];

/** Words that may precede the number without changing it (`每季度平均16家次`). */
const FILLERS = ['平均', '累计', '达到', '共计', '共', '约', '达'];

/** Multi-character units kept whole; any other unit is compared by its leading measure word. */
const COMPOUND_UNITS = [
  '万元',
  '亿元',
  '千元',
  '小时',
  '分钟',
  '个月',
  '工作日',
  '平方公里',
  '平方米',
  '立方米',
  '公里',
  '千米',
  '万人',
];

const PER_RE = /^每(半年|季度|年度|年|月|周|日|天)/;
const NUMBER_RE = /^(\d+(?:\.\d+)?)/;

/** Full-width forms to ASCII (NFKC), no blanks, no thousands separators, no parenthesised notes. */
export function normalizeIndicatorText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/(?<=\d),(?=\d{3}(?!\d))/g, '')
    .replace(/\([^()]*\)/g, '');
}

/** The unit two figures are compared by: `家企业` and `家次` are both counted in `家`. */
export function canonicalUnit(unit: string): string {
  const compound = COMPOUND_UNITS.find((u) => unit.startsWith(u));
  if (compound) return compound;
  return [...unit][0] ?? ''; // an empty unit (lex never yields one) has no measure word
}

interface Lexed {
  per: string | null;
  comparator: Comparator | null;
  value: Decimal;
  unit: string | null;
  suffix: Comparator | null;
}

function takePrefix<T>(s: string, table: [string, T][]): [T | null, string] {
  for (const [word, value] of table) if (s.startsWith(word)) return [value, s.slice(word.length)];
  return [null, s];
}

/** Lexes `[每P][filler][comparator][filler]number[unit][suffix]`; returns a reason string when it does not fit. */
function lex(s: string): Lexed | string {
  let rest = s;
  let per: string | null = null;
  const perMatch = PER_RE.exec(rest);
  if (perMatch) {
    const period = required(perMatch[1], 'the period of PER_RE');
    per = period === '天' ? '日' : period === '年度' ? '年' : period;
    rest = rest.slice(perMatch[0].length);
  }
  [, rest] = takePrefix(
    rest,
    FILLERS.map((f) => [f, true] as [string, boolean]),
  );
  let comparator: Comparator | null;
  [comparator, rest] = takePrefix(rest, SYMBOL_COMPARATORS);
  if (!comparator) [comparator, rest] = takePrefix(rest, WORD_COMPARATORS);
  [, rest] = takePrefix(
    rest,
    FILLERS.map((f) => [f, true] as [string, boolean]),
  );
  const num = NUMBER_RE.exec(rest);
  if (!num)
    return comparator ? 'a comparison sign must be followed by a number' : 'no number found where one was expected';
  rest = rest.slice(num[0].length);
  let suffix: Comparator | null = null;
  for (const [word, cmp] of SUFFIXES) {
    if (rest.endsWith(word)) {
      suffix = cmp;
      rest = rest.slice(0, -word.length);
      break;
    }
  }
  if (/[\d<>=≥≤≧≦]/.test(rest))
    return `unexpected "${rest}" after the number (ranges and several numbers are not supported)`;
  const value = new Decimal(required(num[1], 'the number of NUMBER_RE'));
  return { per, comparator, value, unit: rest === '' ? null : rest, suffix };
}

function isQualitative(s: string): boolean {
  return !/[\d<>=≥≤≧≦]/.test(s);
}

/** Parses an indicator target as printed. Throws TargetParseError when it cannot be read. */
export function parseTarget(text: string): ParsedTarget {
  const s = normalizeIndicatorText(text);
  if (s === '') throw new TargetParseError(text, 'the target is empty');
  if (NOT_APPLICABLE.has(s)) return { kind: 'not_applicable', text };
  if (isQualitative(s)) return { kind: 'qualitative', text, label: s };
  const lexed = lex(s);
  if (typeof lexed === 'string') throw new TargetParseError(text, lexed);
  if (lexed.comparator && lexed.suffix && lexed.comparator !== lexed.suffix) {
    throw new TargetParseError(text, 'the comparison sign and the suffix (以上/以下/以内) contradict each other');
  }
  return {
    kind: 'quantitative',
    text,
    comparator: lexed.comparator ?? lexed.suffix ?? '>=',
    value: lexed.value,
    unit: lexed.unit,
    per: lexed.per,
  };
}

/** Parses an indicator actual as printed; a comparison sign in an actual is ignored. */
export function parseActual(text: string): ParsedActual {
  const s = normalizeIndicatorText(text);
  if (s === '') throw new ActualParseError(text, 'the actual is empty');
  if (NOT_APPLICABLE.has(s)) return { kind: 'not_applicable', text };
  if (isQualitative(s)) return { kind: 'qualitative', text, label: s };
  const lexed = lex(s);
  if (typeof lexed === 'string') throw new ActualParseError(text, lexed);
  return { kind: 'quantitative', text, value: lexed.value, unit: lexed.unit, per: lexed.per };
}

function compare(actual: Decimal, comparator: Comparator, target: Decimal): boolean {
  switch (comparator) {
    case '>=':
      return actual.gte(target);
    case '>':
      return actual.gt(target);
    case '<=':
      return actual.lte(target);
    case '<':
      return actual.lt(target);
    case '=':
      return actual.eq(target);
  }
}

/**
 * Whether an actual attains a target. Qualitative targets: `met` when given, else met when the
 * actual reads the same as the target (显著/显著). Quantitative targets: numbers compared as Decimal;
 * units (and periods such as 每季度) must agree when both sides print one (UnitMismatchError).
 */
export function judgeIndicator(target: ParsedTarget | string, actual: string, met?: boolean): IndicatorJudgement {
  const t = typeof target === 'string' ? parseTarget(target) : target;
  if (t.kind === 'not_applicable') return 'not_applicable';
  const verdict = (ok: boolean): IndicatorJudgement => (ok ? 'met' : 'not_met');
  if (t.kind === 'qualitative') {
    if (met !== undefined) return verdict(met);
    return verdict(normalizeIndicatorText(actual) === t.label);
  }
  const a = parseActual(actual);
  if (a.kind === 'not_applicable') {
    throw new ActualParseError(actual, `the target "${t.text}" applies, so the actual cannot be 不适用`);
  }
  if (a.kind === 'qualitative') {
    if (met !== undefined) return verdict(met);
    throw new ActualParseError(
      actual,
      `the target "${t.text}" is a number, the actual has none (report met to judge it)`,
    );
  }
  if (t.unit !== null && a.unit !== null && canonicalUnit(t.unit) !== canonicalUnit(a.unit)) {
    throw new UnitMismatchError(t.text, actual, `unit "${t.unit}" vs "${a.unit}"`);
  }
  if (t.per !== null && a.per !== null && t.per !== a.per) {
    throw new UnitMismatchError(t.text, actual, `period 每${t.per} vs 每${a.per}`);
  }
  return verdict(compare(a.value, t.comparator, t.value));
}
