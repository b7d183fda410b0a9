/**
 * Which column holds which event field. A built-in default knows the usual Chinese headers; a
 * mapping file (JSON) adds or overrides headers, names unit and line ids, and sets defaults.
 */
import type { Category, Economic, FundSource } from '#domain/events.js';
import { InvalidInputError } from '../common/errors.js';
import { sourceOf } from './codes.js';
import { nameKey, normalizeHeaderPath, type AmountUnit } from './text.js';

export const FIELDS = [
  'unit',
  'unitName',
  'line',
  'lineName',
  'source',
  'month',
  'spending',
  'budget',
  'adjustment',
  'effectiveOn',
  'reason',
  'plan',
  'category',
  'economic',
  'ignore',
] as const;
export type Field = (typeof FIELDS)[number];

export const AMOUNT_FIELDS = ['spending', 'budget', 'adjustment', 'plan'] as const;
export type AmountField = (typeof AMOUNT_FIELDS)[number];

export function isAmountField(f: Field): f is AmountField {
  return (AMOUNT_FIELDS as readonly string[]).includes(f);
}

export interface ColumnRule {
  field: Field;
  /** For amount columns split by fund source (预算数/其中：财政拨款). */
  source?: FundSource;
}

export interface Mapping {
  /** Normalized header (or "group/sub" for two header rows) → rule. */
  columns: Map<string, ColumnRule>;
  /** nameKey(unit name) → unit id. */
  units: Map<string, string>;
  /** nameKey(line name) → line id. */
  lines: Map<string, string>;
  defaults: { source: FundSource; category: Category; economic: Economic; effectiveOn?: string };
  /** Unit of every amount column, overriding what the headers say. */
  unit?: AmountUnit;
  /** 1-based header row, when detection should not guess. */
  headerRow?: number;
  /** 1 or 2 header rows (with headerRow). */
  headerRows?: 1 | 2;
}

/** The headers the importer knows without a mapping file (the exporter writes these). */
export const DEFAULT_COLUMNS: Record<string, Field> = {
  科室: 'unitName',
  业务科室: 'unitName',
  科室名称: 'unitName',
  处室: 'unitName',
  内设机构: 'unitName',
  科室编码: 'unit',
  科室代码: 'unit',
  科室id: 'unit',
  预算项目: 'lineName',
  预算项目名称: 'lineName',
  项目名称: 'lineName',
  项目: 'lineName',
  项目编码: 'line',
  项目代码: 'line',
  预算项目编码: 'line',
  项目id: 'line',
  资金来源: 'source',
  资金性质: 'source',
  经费来源: 'source',
  月份: 'month',
  月: 'month',
  支出月份: 'month',
  所属月份: 'month',
  支出金额: 'spending',
  支出数: 'spending',
  实际支出: 'spending',
  实际支出数: 'spending',
  支付金额: 'spending',
  本月支出: 'spending',
  本月支出数: 'spending',
  预算数: 'budget',
  年初预算: 'budget',
  年初预算数: 'budget',
  预算金额: 'budget',
  批复预算数: 'budget',
  调整数: 'adjustment',
  预算调整数: 'adjustment',
  调整金额: 'adjustment',
  调整日期: 'effectiveOn',
  生效日期: 'effectiveOn',
  调整生效日期: 'effectiveOn',
  调整原因: 'reason',
  调整说明: 'reason',
  计划数: 'plan',
  计划金额: 'plan',
  支出计划: 'plan',
  用款计划: 'plan',
  计划支出: 'plan',
  经济分类: 'economic',
  支出经济分类: 'economic',
  经济分类科目: 'economic',
  项目类别: 'category',
  支出类别: 'category',
  支出类型: 'category',
  项目类型: 'category',
  序号: 'ignore',
  备注: 'ignore',
  调整后预算数: 'ignore',
  执行率: 'ignore',
};

export function defaultMapping(): Mapping {
  const columns = new Map<string, ColumnRule>();
  for (const [k, field] of Object.entries(DEFAULT_COLUMNS)) columns.set(normalizeHeaderPath(k), { field });
  return {
    columns,
    units: new Map(),
    lines: new Map(),
    defaults: { source: 'fiscal', category: 'project', economic: 'other' },
  };
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

class MappingProblems {
  readonly errors: { path: string; reason: string }[] = [];
  fail(path: string, reason: string): void {
    this.errors.push({ path, reason });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a mapping file's JSON:
 *
 * ```json
 * { "columns": { "项目名称": "lineName", "实付金额": "spending", "预算数/其中：财政拨款": { "field": "budget", "source": "fiscal" } },
 *   "units": { "办公室": "office" }, "lines": { "安全生产工作": "safety" },
 *   "defaults": { "source": "fiscal", "category": "project", "economic": "other", "effectiveOn": "2023-07-01" },
 *   "unit": "wan", "headerRow": 3, "headerRows": 2, "replaceDefaults": false }
 * ```
 *
 * Headers listed here are added to the built-in ones (or replace them all with "replaceDefaults").
 * Throws InvalidInputError naming every problem (path `mapping.…`).
 */
export function parseMapping(raw: unknown): Mapping {
  const p = new MappingProblems();
  const m = defaultMapping();
  if (!isObject(raw))
    throw new InvalidInputError('the mapping must be a JSON object', [
      { index: 0, path: 'mapping', reason: 'must be a JSON object' },
    ]);
  const allowed = ['columns', 'units', 'lines', 'defaults', 'unit', 'headerRow', 'headerRows', 'replaceDefaults'];
  for (const k of Object.keys(raw))
    if (!allowed.includes(k)) p.fail(`mapping.${k}`, `unknown setting (allowed: ${allowed.join(', ')})`);
  if (raw.replaceDefaults === true) m.columns.clear();
  else if (raw.replaceDefaults !== undefined && raw.replaceDefaults !== false)
    p.fail('mapping.replaceDefaults', 'must be true or false');
  if (raw.columns !== undefined) {
    if (!isObject(raw.columns)) p.fail('mapping.columns', 'must be an object of header → field');
    else {
      for (const [header, rule] of Object.entries(raw.columns)) {
        const path = `mapping.columns.${header}`;
        const key = normalizeHeaderPath(header);
        if (key === '') {
          p.fail(path, 'the header is empty');
          continue;
        }
        const field = typeof rule === 'string' ? rule : isObject(rule) ? rule.field : undefined;
        if (typeof field !== 'string' || !(FIELDS as readonly string[]).includes(field)) {
          p.fail(
            path,
            `must name a field: one of ${FIELDS.join(', ')} (or { "field": …, "source": "fiscal" | "other" })`,
          );
          continue;
        }
        let source: FundSource | undefined;
        if (isObject(rule) && rule.source !== undefined) {
          source =
            typeof rule.source === 'string'
              ? rule.source === 'fiscal' || rule.source === 'other'
                ? rule.source
                : sourceOf(rule.source)
              : undefined;
          if (!source) p.fail(`${path}.source`, 'must be "fiscal" or "other"');
          else if (!(AMOUNT_FIELDS as readonly string[]).includes(field))
            p.fail(`${path}.source`, `only amount columns (${AMOUNT_FIELDS.join(', ')}) take a source`);
        }
        m.columns.set(key, { field: field as Field, ...(source ? { source } : {}) });
      }
    }
  }
  for (const which of ['units', 'lines'] as const) {
    const v = raw[which];
    if (v === undefined) continue;
    if (!isObject(v)) {
      p.fail(`mapping.${which}`, 'must be an object of name → id');
      continue;
    }
    for (const [name, id] of Object.entries(v)) {
      if (typeof id !== 'string' || !KEY_RE.test(id))
        p.fail(`mapping.${which}.${name}`, 'must be an id of letters, digits, ".", "_" or "-" (1–64 chars)');
      else m[which].set(nameKey(name), id);
    }
  }
  if (raw.defaults !== undefined) {
    const d = raw.defaults;
    if (!isObject(d)) p.fail('mapping.defaults', 'must be an object');
    else {
      for (const k of Object.keys(d))
        if (!['source', 'category', 'economic', 'effectiveOn'].includes(k))
          p.fail(`mapping.defaults.${k}`, 'unknown default (allowed: source, category, economic, effectiveOn)');
      if (d.source !== undefined) {
        if (d.source === 'fiscal' || d.source === 'other') m.defaults.source = d.source;
        else p.fail('mapping.defaults.source', 'must be "fiscal" or "other"');
      }
      if (d.category !== undefined) {
        if (d.category === 'basic' || d.category === 'project') m.defaults.category = d.category;
        else p.fail('mapping.defaults.category', 'must be "basic" or "project"');
      }
      if (d.economic !== undefined) {
        if (['personnel', 'routine_public', 'three_public', 'other'].includes(d.economic as string))
          m.defaults.economic = d.economic as Economic;
        else p.fail('mapping.defaults.economic', 'must be "personnel", "routine_public", "three_public" or "other"');
      }
      if (d.effectiveOn !== undefined) {
        if (typeof d.effectiveOn === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d.effectiveOn))
          m.defaults.effectiveOn = d.effectiveOn;
        else p.fail('mapping.defaults.effectiveOn', 'must be a date YYYY-MM-DD');
      }
    }
  }
  if (raw.unit !== undefined) {
    if (raw.unit === 'yuan' || raw.unit === 'wan') m.unit = raw.unit;
    else p.fail('mapping.unit', 'must be "yuan" or "wan"');
  }
  if (raw.headerRow !== undefined) {
    if (
      typeof raw.headerRow === 'number' &&
      Number.isInteger(raw.headerRow) &&
      raw.headerRow >= 1 &&
      raw.headerRow <= 1000
    )
      m.headerRow = raw.headerRow;
    else p.fail('mapping.headerRow', 'must be a row number (1-based)');
  }
  if (raw.headerRows !== undefined) {
    if (raw.headerRows === 1 || raw.headerRows === 2) m.headerRows = raw.headerRows;
    else p.fail('mapping.headerRows', 'must be 1 or 2');
  }
  if (p.errors.length > 0) {
    throw new InvalidInputError(
      `the mapping is invalid: ${p.errors.map((e) => `${e.path}: ${e.reason}`).join('; ')}`,
      p.errors.map((e) => ({ index: 0, ...e })),
    );
  }
  return m;
}

/** Parses mapping file text (JSON). */
export function parseMappingText(text: string): Mapping {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InvalidInputError('the mapping is not valid JSON', [
      { index: 0, path: 'mapping', reason: `not valid JSON: ${(e as Error).message}` },
    ]);
  }
  return parseMapping(raw);
}
