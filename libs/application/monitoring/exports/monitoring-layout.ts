/**
 * The layout of the monitoring table (绩效运行监控表) as a workbook: where each column is, the words
 * of its headers, and the marker that lets the importer recognize a filled-in table. The export
 * (monitoring-xlsx.ts) writes it and the importer (libs/application/import/monitoring-table.ts)
 * reads it, so both take it from here.
 *
 * Every sheet of the table has a hidden key column (P). Its first cell holds the marker, a JSON
 * object naming the format, its version, the stream, the table's dates and the sheet's subject;
 * below, each row the importer reads is keyed: `spending` (the project's or the department's
 * money row), `header` (the target block's header) and `indicator:<id>` (one target). Rows can be
 * moved, inserted or deleted; columns cannot (the importer checks the header row).
 */
import { lastDayOfMonth } from '#domain/dates.js';
import type { DeviationCause, Likelihood } from '#domain/events.js';
import { dateCn, monthsCn } from '#domain/format.js';

export const MARKER_FORMAT = 'paceline/monitoring-table';
export const MARKER_VERSION = 1;

/** What the marker cell says (JSON). `subject`: `department`, or `task:<project id>`. */
export interface TableMarker {
  format: typeof MARKER_FORMAT;
  version: number;
  /** The stream, `department/year`, and its parts. */
  stream: string;
  department: string;
  year: number;
  /** The answer's "as of" and "as known on" dates, and its through-month (the X of 1—X月). */
  asOf: string;
  knownOn: string | null;
  throughMonth: number;
  subject: string;
}

/** 1-based columns of every sheet (A … P). */
export const COL = {
  label: 1,
  level1: 2,
  level2: 3,
  name: 4,
  target: 5,
  actual: 6,
  expected: 7,
  likelihood: 8,
  /** The five cause columns, in CAUSES order: 9 … 13. */
  firstCause: 9,
  reason: 14,
  measure: 15,
  /** Hidden: the marker (row 1) and the row keys. */
  key: 16,
} as const;

/** The money row's figures share the target columns' places. */
export const MONEY_COL = {
  budget: 2,
  spent: 3,
  rate: 4,
  schedule: 5,
  projected: 6,
  carryOver: 7,
  level: 8,
} as const;

/** 偏差原因分析: the five categories of the paper form, in its order. */
export const CAUSES: readonly { cause: DeviationCause; text: string }[] = [
  { cause: 'funding', text: '经费保障' },
  { cause: 'policy', text: '制度保障' },
  { cause: 'staffing', text: '人员保障' },
  { cause: 'equipment', text: '硬件条件保障' },
  { cause: 'other', text: '其他' },
];

export const LIKELIHOOD_TEXT: Record<Likelihood, string> = {
  certain: '确定能',
  possible: '有可能',
  impossible: '完全不可能',
};

/** How a cause column is marked in the export (the importer also reads √, ✔, ☑, 是, v, x, 1). */
export const MARK = '✓';

export const KEY = {
  spending: 'spending',
  header: 'header',
  indicator: (id: string) => `indicator:${id}`,
} as const;

/** The period of the table as the notices write it (monthsCn): `1—7月`, `1月`, or `截至1月15日` before January ends. */
export function periodLabel(throughMonth: number, asOf: string): string {
  return throughMonth >= 1 ? monthsCn(throughMonth) : `截至${dateCn(asOf)}`;
}

/**
 * The date the figures filled in are "through" (IndicatorProgressReported.asOf and
 * DeviationExplained.asOf of an imported table): the last day of the through-month (1—7月:
 * July 31), or the table's date when no month has ended yet.
 */
export function reportDate(year: number, throughMonth: number, asOf: string): string {
  return throughMonth >= 1 ? lastDayOfMonth(year, throughMonth) : asOf;
}

/**
 * The first day of the table's period: a progress report or an explanation dated before it is
 * not the period's and is not shown in the fill-in columns (nor counted as what a row repeats).
 */
export function periodStart(year: number, throughMonth: number): string {
  return `${year}-${String(Math.max(throughMonth, 1)).padStart(2, '0')}-01`;
}

export type HeaderField = 'actual' | 'expected' | 'likelihood' | DeviationCause | 'reason' | 'measure';

/** The target block's headers the importer checks, by column: the unit fills these in. */
export function fillInHeaders(label: string): { col: number; field: HeaderField; text: string; path: string }[] {
  return [
    { col: COL.actual, field: 'actual', text: `${label}实际完成值`, path: 'data.actual' },
    { col: COL.expected, field: 'expected', text: '全年预计完成值', path: 'data.expectedYearEnd' },
    { col: COL.likelihood, field: 'likelihood', text: '完成目标可能性', path: 'data.likelihood' },
    ...CAUSES.map((c, i) => ({ col: COL.firstCause + i, field: c.cause, text: c.text, path: 'data.deviation.cause' })),
    { col: COL.reason, field: 'reason', text: '原因说明', path: 'data.deviation.reason' },
    { col: COL.measure, field: 'measure', text: '完善措施', path: 'data.measure' },
  ];
}
