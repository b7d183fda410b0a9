/**
 * Rows → events, against what the stream already holds:
 * - budget rows register missing units (UnitRegistered) and allocate missing lines (BudgetAllocated);
 *   调整数 becomes BudgetAdjusted for what is not yet adjusted on that line and date;
 * - spending rows (summed per line and month) become SpendingRecorded, or SpendingCorrected with the
 *   signed difference from what is stored (records plus corrections), or nothing when equal;
 * - plan rows become SpendingPlanned when the plan in force differs.
 * Rows the stream cannot take are rejected here with their column; the rest is left to ingest.
 */
import { Decimal, ZERO, money } from '#domain/decimal.js';
import type { EventInput, EventType, FundSource } from '#domain/events.js';
import { decide, evolve, initialStreamState } from '#domain/stream.js';
import { elementAt, required } from '#domain/required.js';
import { validateEvent } from '#domain/validation.js';
import type { EventError } from '../common/errors.js';
import { derivedLineId, derivedUnitId, importEventId } from './ids.js';
import type { Mapping } from './mapping.js';
import type { ChangeEntry, ColumnRef, PreviewRow, RowProblem, SkippedRow } from './report.js';
import type { AmountRecord, RowInfo } from './rows.js';
import { adjustmentKey, planKey, spendingKey, type KnownLine, type StoredView } from './stored.js';
import { nameKey } from './text.js';

export interface PlanOptions {
  department: string;
  year: number;
  /** occurredAt of the new events (the import's record date). */
  recordedOn: string;
  mapping: Mapping;
}

export interface PlannedEvent {
  event: EventInput;
  sheet: string;
  rows: number[];
  /** Event path (data.amount, …) → the column it came from. */
  cols: Record<string, ColumnRef | undefined>;
  change?: ChangeEntry;
  preview: PreviewRow;
}

export interface ImportPlan {
  events: PlannedEvent[];
  duplicates: number;
  skipped: SkippedRow[];
  rejected: RowProblem[];
}

interface Group {
  recs: AmountRecord[];
  total: Decimal;
}

const rowsOf = (g: Group) => [...new Set(g.recs.map((r) => r.info.ref.row))];
const first = (g: Group) => elementAt(g.recs, 0, 'the first record of a group');

/** The group under `key`, added with `make()` when there is none yet. */
function groupOf<G>(groups: Map<string, G>, key: string, make: () => G): G {
  let g = groups.get(key);
  if (g === undefined) groups.set(key, (g = make()));
  return g;
}

export function planImport(records: AmountRecord[], view: StoredView, o: PlanOptions): ImportPlan {
  const { department, year } = o;
  const plan: ImportPlan = { events: [], duplicates: 0, skipped: [], rejected: [] };
  const base = (type: EventType, id: string, data: unknown) =>
    ({ id, type, department, year, occurredAt: o.recordedOn, data }) as EventInput;
  const units = new Map(view.units);
  const lines = new Map<string, KnownLine>(view.lines);
  const unitsSeen = new Set<string>();
  // Units and lines by name key, in the order they were added (a file may name thousands: a lookup
  // must not scan them all, and the first match in that order is the one taken).
  const unitByKey = new Map<string, string>();
  const addUnit = (u: { unit: string; name: string }) => {
    units.set(u.unit, u);
    const k = nameKey(u.name);
    if (!unitByKey.has(k)) unitByKey.set(k, u.unit);
  };
  for (const u of view.units.values()) {
    const k = nameKey(u.name);
    if (!unitByKey.has(k)) unitByKey.set(k, u.unit);
  }
  const linesByKey = new Map<string, KnownLine[]>();
  const indexLine = (l: KnownLine) => {
    const k = nameKey(l.name);
    const same = linesByKey.get(k);
    if (same) same.push(l);
    else linesByKey.set(k, [l]);
  };
  for (const l of view.lines.values()) indexLine(l);
  const addLine = (l: KnownLine) => {
    lines.set(l.line, l);
    indexLine(l);
  };

  const reject = (recs: AmountRecord[], col: ColumnRef | undefined, reason: string) => {
    const seen = new Set<string>();
    for (const r of recs) {
      const k = `${r.info.ref.sheet}|${r.info.ref.row}`;
      if (seen.has(k)) continue;
      seen.add(k);
      plan.rejected.push({ ...r.info.ref, ...(col ? { column: col.column, header: col.header } : {}), reason });
    }
  };
  const add = (p: Omit<PlannedEvent, 'preview'>, preview: Omit<PreviewRow, 'sheet' | 'rows' | 'type' | 'id'>) => {
    plan.events.push({
      ...p,
      preview: { sheet: p.sheet, rows: p.rows, type: p.event.type, id: p.event.id, ...preview },
    });
  };
  const lineCol = (i: RowInfo) => i.cols.line ?? i.cols.lineName;
  const unitCol = (i: RowInfo) => i.cols.unit ?? i.cols.unitName;

  /** A unit by id or name; registers it (UnitRegistered) when `create` and it is unknown. */
  const unitOf = (rec: AmountRecord, create: boolean): string | undefined => {
    const i = rec.info;
    let id = i.unitId;
    if (!id && i.unitName) {
      const k = nameKey(i.unitName);
      id = o.mapping.units.get(k) ?? unitByKey.get(k);
      if (!id && create) id = derivedUnitId(i.unitName);
    }
    if (!id) {
      reject(
        [rec],
        unitCol(i),
        i.unitName
          ? `unknown unit "${i.unitName}": it is not registered in ${department}/${year} (list it in the budget sheet or name it in the mapping's "units")`
          : 'no unit given',
      );
      return undefined;
    }
    if (units.has(id)) {
      // A unit the stream already has: what the budget sheet states is already there.
      if (create && view.units.has(id) && !unitsSeen.has(id)) plan.duplicates++;
      unitsSeen.add(id);
      return id;
    }
    if (!create) {
      reject([rec], unitCol(i), `unknown unit "${id}": it is not registered in ${department}/${year}`);
      return undefined;
    }
    const name = i.unitName ?? id;
    addUnit({ unit: id, name });
    add(
      {
        event: base('UnitRegistered', importEventId('unit', [department, year, id]), { unit: id, name }),
        sheet: i.ref.sheet,
        rows: [i.ref.row],
        cols: { 'data.unit': unitCol(i), 'data.name': i.cols.unitName },
      },
      { unit: id, name },
    );
    return id;
  };

  /** An existing line (stored or allocated by this file) for a spending or adjustment row. */
  const existingLine = (rec: AmountRecord): KnownLine | undefined => {
    const i = rec.info;
    const source = rec.source ?? i.source;
    if (i.lineId) {
      const l = lines.get(i.lineId);
      if (!l)
        reject(
          [rec],
          lineCol(i),
          `unknown budget line "${i.lineId}": it needs a row in the budget sheet or a BudgetAllocated in ${department}/${year}`,
        );
      return l;
    }
    const k = nameKey(i.lineName ?? '');
    const mapped = o.mapping.lines.get(k);
    if (mapped) {
      const l = lines.get(mapped);
      if (!l)
        reject(
          [rec],
          lineCol(i),
          `unknown budget line "${mapped}" (mapped from "${i.lineName}"): it needs a BudgetAllocated first`,
        );
      return l;
    }
    let candidates = linesByKey.get(k) ?? [];
    if (source && candidates.length > 1) candidates = candidates.filter((l) => l.source === source);
    if (candidates.length > 1 && (i.unitId || i.unitName)) {
      const unitKey = i.unitName ? nameKey(i.unitName) : undefined;
      candidates = candidates.filter(
        (l) =>
          l.unit === i.unitId ||
          (unitKey !== undefined && nameKey(units.get(l.unit)?.name ?? '') === unitKey) ||
          o.mapping.units.get(unitKey ?? '') === l.unit,
      );
    }
    if (candidates.length === 1) return candidates[0];
    reject(
      [rec],
      lineCol(i),
      candidates.length === 0
        ? `unknown budget line "${i.lineName}": no line of that name in ${department}/${year} or in this file's budget sheet`
        : `several budget lines are named "${i.lineName}" (${candidates.map((l) => l.line).join(', ')}): add 科室, 资金来源 or 项目编码`,
    );
    return undefined;
  };

  const sourceMatches = (rec: AmountRecord, line: KnownLine): boolean => {
    const source = rec.source ?? rec.info.source;
    if (!source || source === line.source) return true;
    reject(
      [rec],
      rec.source ? rec.col : rec.info.cols.source,
      `line "${line.line}" is funded from ${line.source}, not ${source}`,
    );
    return false;
  };

  // 1. Budget rows: units, then lines (grouped per line: detail rows add up).
  const allocations = new Map<string, Group & { unit: string; source: FundSource; name: string }>();
  const allocationsByKey = new Map<string, { line: string; g: Group & { unit: string; source: FundSource } }[]>();
  for (const rec of records.filter((r) => r.field === 'budget')) {
    const i = rec.info;
    const unit = unitOf(rec, true);
    if (!unit) continue;
    const source: FundSource = rec.source ?? i.source ?? o.mapping.defaults.source;
    // A budget row has a line id or a line name (rows.ts rejects it otherwise).
    const name = i.lineName ?? lines.get(i.lineId ?? '')?.name ?? required(i.lineId, 'the line of a budget row');
    const k = nameKey(name);
    const line =
      i.lineId ??
      o.mapping.lines.get(k) ??
      linesByKey.get(k)?.find((l) => l.source === source && l.unit === unit)?.line ??
      allocationsByKey.get(k)?.find(({ g }) => g.source === source && g.unit === unit)?.line ??
      derivedLineId(unit, name, source);
    const known = lines.get(line) ?? allocations.get(line);
    if (known && known.unit !== unit) {
      reject([rec], unitCol(i), `budget line "${line}" belongs to unit "${known.unit}", not "${unit}"`);
      continue;
    }
    if (known && known.source !== source) {
      reject(
        [rec],
        rec.source ? rec.col : i.cols.source,
        `budget line "${line}" is funded from ${known.source}, not ${source}`,
      );
      continue;
    }
    const g = groupOf(allocations, line, () => {
      const made: Group & { unit: string; source: FundSource; name: string } = {
        recs: [],
        total: ZERO,
        unit,
        source,
        name,
      };
      const same = allocationsByKey.get(k);
      if (same) same.push({ line, g: made });
      else allocationsByKey.set(k, [{ line, g: made }]);
      return made;
    });
    g.recs.push(rec);
    g.total = g.total.plus(rec.amount);
  }
  for (const [line, g] of allocations) {
    const f = first(g);
    const stored = lines.get(line);
    if (stored) {
      if (stored.allocation.eq(g.total)) plan.duplicates++;
      else {
        reject(
          g.recs,
          f.col,
          `budget line "${line}" is already allocated ${money(stored.allocation)}; this file says ${money(g.total)}. An import does not change an allocation: put the difference in 调整数 with a 调整日期`,
        );
      }
      continue;
    }
    if (g.total.isNeg()) {
      reject(g.recs, f.col, `the budget of line "${line}" cannot be negative (${money(g.total)})`);
      continue;
    }
    const i = f.info;
    const category = i.category ?? o.mapping.defaults.category;
    const economic = i.economic ?? o.mapping.defaults.economic;
    addLine({ line, unit: g.unit, name: g.name, source: g.source, category, economic, allocation: g.total });
    add(
      {
        event: base('BudgetAllocated', importEventId('budget', [department, year, line]), {
          line,
          unit: g.unit,
          name: g.name,
          category,
          economic,
          source: g.source,
          amount: money(g.total),
        }),
        sheet: i.ref.sheet,
        rows: rowsOf(g),
        cols: {
          'data.amount': f.col,
          'data.line': lineCol(i),
          'data.unit': unitCol(i),
          'data.name': i.cols.lineName,
          'data.category': i.cols.category,
          'data.economic': i.cols.economic,
          'data.source': f.source ? f.col : i.cols.source,
        },
      },
      { unit: g.unit, line, name: g.name, source: g.source, amount: money(g.total) },
    );
  }

  // 2. Budget adjustments per line and effective date.
  const adjustments = new Map<string, Group & { line: KnownLine; effectiveOn: string }>();
  for (const rec of records.filter((r) => r.field === 'adjustment')) {
    if (!rec.info.effectiveOn) continue; // a zero 调整数 without a date states nothing
    const line = existingLine(rec);
    if (!line || !sourceMatches(rec, line)) continue;
    const key = adjustmentKey(line.line, rec.info.effectiveOn);
    const effectiveOn = rec.info.effectiveOn;
    const g = groupOf(adjustments, key, () => ({ recs: [], total: ZERO, line, effectiveOn }));
    g.recs.push(rec);
    g.total = g.total.plus(rec.amount);
  }
  for (const [key, g] of adjustments) {
    const stored = view.adjustments.get(key) ?? { total: ZERO, count: 0 };
    if (stored.total.eq(g.total)) {
      if (stored.count > 0) plan.duplicates++;
      continue;
    }
    const f = first(g);
    const delta = g.total.minus(stored.total);
    const given = g.recs.map((r) => r.info.reason).find((r) => r) ?? '导入调整数';
    const reason = stored.count > 0 ? `${given}（导入更正：调整数 ${money(stored.total)} → ${money(g.total)}）` : given;
    const id =
      stored.count === 0
        ? importEventId('adjustment', [department, year, g.line.line, g.effectiveOn])
        : importEventId('adjustment', [department, year, g.line.line, g.effectiveOn, stored.count, money(g.total)]);
    const event = base('BudgetAdjusted', id, {
      line: g.line.line,
      source: g.line.source,
      amount: money(delta),
      effectiveOn: g.effectiveOn,
      reason,
    });
    const rows = rowsOf(g);
    add(
      {
        event,
        sheet: f.info.ref.sheet,
        rows,
        cols: {
          'data.amount': f.col,
          'data.line': lineCol(f.info),
          'data.effectiveOn': f.info.cols.effectiveOn,
          'data.source': f.info.cols.source,
          'data.reason': f.info.cols.reason,
        },
        ...(stored.count > 0
          ? {
              change: {
                type: 'BudgetAdjusted',
                id,
                sheet: f.info.ref.sheet,
                rows,
                line: g.line.line,
                effectiveOn: g.effectiveOn,
                source: g.line.source,
                old: money(stored.total),
                new: money(g.total),
                delta: money(delta),
              },
            }
          : {}),
      },
      {
        unit: g.line.unit,
        line: g.line.line,
        source: g.line.source,
        amount: money(delta),
        note: `调整 effective ${g.effectiveOn}${stored.count > 0 ? `, ${money(stored.total)} → ${money(g.total)}` : ''}`,
      },
    );
  }

  // 3. Spending per line and month.
  const spending = new Map<string, Group & { line: KnownLine; month: string }>();
  for (const rec of records.filter((r) => r.field === 'spending')) {
    const line = existingLine(rec);
    if (!line || !sourceMatches(rec, line)) continue;
    const month = required(rec.info.month, 'the month of a spending row'); // rows.ts rejects a row without one
    const key = spendingKey(line.line, month);
    const g = groupOf(spending, key, () => ({ recs: [], total: ZERO, line, month }));
    g.recs.push(rec);
    g.total = g.total.plus(rec.amount);
  }
  for (const [key, g] of spending) {
    const f = first(g);
    const { line, month } = g;
    const identity = [department, year, line.line, month, line.source];
    const recordId = importEventId('spending', identity);
    const stored = view.spending.get(key);
    const rows = rowsOf(g);
    const cols = {
      'data.amount': f.col,
      'data.month': f.info.cols.month,
      'data.line': lineCol(f.info),
      'data.source': f.source ? f.col : f.info.cols.source,
      'data.corrects': lineCol(f.info),
    };
    if (!stored) {
      if (g.total.isZero()) {
        for (const row of rows)
          plan.skipped.push({ sheet: f.info.ref.sheet, row, reason: 'zero', text: `${line.line} ${month}` });
      } else if (g.total.isNeg()) {
        reject(
          g.recs,
          f.col,
          `spending of line "${line.line}" in ${month} is ${money(g.total)}: a negative amount can only correct spending already recorded, and none is`,
        );
      } else {
        add(
          {
            event: base('SpendingRecorded', recordId, {
              line: line.line,
              source: line.source,
              month,
              amount: money(g.total),
            }),
            sheet: f.info.ref.sheet,
            rows,
            cols,
          },
          { unit: line.unit, line: line.line, source: line.source, month, amount: money(g.total) },
        );
      }
      continue;
    }
    if (stored.total.eq(g.total)) {
      plan.duplicates++;
      continue;
    }
    const delta = g.total.minus(stored.total);
    const corrects = stored.records.includes(recordId)
      ? recordId
      : elementAt(stored.records, 0, 'a stored SpendingRecorded of the key');
    const id = importEventId('correction', [...identity, stored.corrections, money(g.total)]);
    add(
      {
        event: base('SpendingCorrected', id, {
          corrects,
          amount: money(delta),
          reason: `导入更正：${line.name} ${month} ${money(stored.total)} → ${money(g.total)}`,
        }),
        sheet: f.info.ref.sheet,
        rows,
        cols,
        change: {
          type: 'SpendingCorrected',
          id,
          sheet: f.info.ref.sheet,
          rows,
          unit: line.unit,
          line: line.line,
          month,
          source: line.source,
          old: money(stored.total),
          new: money(g.total),
          delta: money(delta),
        },
      },
      {
        unit: line.unit,
        line: line.line,
        source: line.source,
        month,
        amount: money(delta),
        note: `${money(stored.total)} → ${money(g.total)}`,
      },
    );
  }

  // 4. Plans per unit and month.
  const plans = new Map<string, Group & { unit: string; month: string }>();
  for (const rec of records.filter((r) => r.field === 'plan')) {
    const unit = unitOf(rec, false);
    if (!unit) continue;
    const month = required(rec.info.month, 'the month of a plan row'); // rows.ts rejects a row without one
    const key = planKey(unit, month);
    const g = groupOf(plans, key, () => ({ recs: [], total: ZERO, unit, month }));
    g.recs.push(rec);
    g.total = g.total.plus(rec.amount);
  }
  for (const [key, g] of plans) {
    const f = first(g);
    const rows = rowsOf(g);
    if (g.total.isNeg()) {
      reject(g.recs, f.col, `a plan cannot be negative (${money(g.total)})`);
      continue;
    }
    const stored = view.plans.get(key);
    if (stored && stored.amount.eq(g.total)) {
      plan.duplicates++;
      continue;
    }
    const id = stored
      ? importEventId('plan', [department, year, g.unit, g.month, stored.count, money(g.total)])
      : importEventId('plan', [department, year, g.unit, g.month]);
    add(
      {
        event: base('SpendingPlanned', id, { unit: g.unit, month: g.month, amount: money(g.total) }),
        sheet: f.info.ref.sheet,
        rows,
        cols: { 'data.amount': f.col, 'data.month': f.info.cols.month, 'data.unit': unitCol(f.info) },
        ...(stored
          ? {
              change: {
                type: 'SpendingPlanned',
                id,
                sheet: f.info.ref.sheet,
                rows,
                unit: g.unit,
                month: g.month,
                old: money(stored.amount),
                new: money(g.total),
                delta: money(g.total.minus(stored.amount)),
              },
            }
          : {}),
      },
      {
        unit: g.unit,
        month: g.month,
        amount: money(g.total),
        ...(stored ? { note: `plan ${money(stored.amount)} → ${money(g.total)}` } : {}),
      },
    );
  }

  // Units and lines first, then adjustments, spending, corrections, plans (the order above already is).
  const order: EventType[] = [
    'UnitRegistered',
    'BudgetAllocated',
    'BudgetAdjusted',
    'SpendingRecorded',
    'SpendingCorrected',
    'SpendingPlanned',
  ];
  plan.events.sort((a, b) => order.indexOf(a.event.type) - order.indexOf(b.event.type));
  return plan;
}

/**
 * What ingest would say, without storing: field validation and the stream's rules applied to the
 * planned events on top of the stored ones (the dry run's rejections).
 */
export function simulateIngest(stored: EventInput[], planned: EventInput[]): EventError[] {
  const state = initialStreamState();
  for (const e of stored) evolve(state, e);
  const errors: EventError[] = [];
  planned.forEach((raw, index) => {
    const v = validateEvent(raw);
    if (!v.ok) {
      for (const e of v.errors) errors.push({ index, id: raw.id, path: e.path, reason: e.reason });
      return;
    }
    const problems = decide(state, v.event);
    if (problems.length > 0) {
      for (const p of problems) errors.push({ index, id: raw.id, path: p.path, reason: p.reason });
      return;
    }
    evolve(state, v.event);
  });
  return errors;
}
