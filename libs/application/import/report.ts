/** What an import did (or, in a dry run, would do): the same shape for the CLI and the API. */
import type { EventType } from '#domain/events.js';
import type { AmountUnit } from './text.js';

export interface RowRef {
  sheet: string;
  /** 1-based spreadsheet row (CSV: record number, as a spreadsheet program shows it). */
  row: number;
}

export interface ColumnRef {
  /** Excel column letter. */
  column: string;
  /** The column's header as printed. */
  header: string;
}

export interface RowProblem extends RowRef {
  column?: string;
  header?: string;
  value?: string;
  reason: string;
}

export type SkipReason = 'blank' | 'subtotal' | 'no-amount' | 'zero';

export interface SkippedRow extends RowRef {
  reason: SkipReason;
  /** The text that marked it (subtotal rows) or a short description. */
  text?: string;
}

export interface SheetSummary {
  name: string;
  /**
   * What the sheet holds, from its columns: budget, spending, plan; `monitoring` for a sheet of a
   * monitoring table (绩效运行监控表, recognized by its marker); empty when it was left out.
   */
  kinds: ('budget' | 'spending' | 'plan' | 'monitoring')[];
  headerRow?: number;
  headerRows?: number;
  /** Data rows read (below the header). */
  rows: number;
  unit?: AmountUnit;
  columns: { column: string; header: string; field: string; source?: string; unit?: AmountUnit }[];
  unmapped: string[];
  note?: string;
}

/** A correction, budget adjustment or new plan made because a row differs from what is stored. */
export interface ChangeEntry {
  type: EventType;
  id: string;
  sheet: string;
  rows: number[];
  unit?: string;
  line?: string;
  month?: string;
  effectiveOn?: string;
  source?: string;
  old: string;
  new: string;
  delta: string;
  /** The event was refused (its rows are in `rejected`). */
  rejected?: boolean;
}

export interface PreviewRow {
  sheet: string;
  rows: number[];
  type: EventType;
  id: string;
  unit?: string;
  line?: string;
  name?: string;
  source?: string;
  month?: string;
  amount?: string;
  note?: string;
  /** The event's data (monitoring tables: the progress report or explanation in full). */
  data?: unknown;
}

export interface ImportReport {
  file: string;
  format: 'xlsx' | 'csv';
  encoding?: string;
  department: string;
  year: number;
  dryRun: boolean;
  recordedOn: string;
  sheets: SheetSummary[];
  /** Events stored by this run (dry run: events that would be stored), by type. */
  events: Partial<Record<EventType, number>>;
  /** Events stored now (0 in a dry run). */
  accepted: number;
  /** Events the file implies that are already stored with the same figures. */
  duplicates: number;
  /** Rows that changed what is stored: corrections, budget adjustments, replaced plans (old → new). */
  corrections: ChangeEntry[];
  skipped: SkippedRow[];
  rejected: RowProblem[];
  /** Distinct rows in `rejected`. */
  rejectedRows: number;
  /** The first events (dry run: to be) ingested. */
  preview: PreviewRow[];
}

const TYPE_ORDER: EventType[] = [
  'UnitRegistered',
  'BudgetAllocated',
  'BudgetAdjusted',
  'SpendingRecorded',
  'SpendingCorrected',
  'SpendingPlanned',
  'IndicatorProgressReported',
  'DeviationExplained',
];

const rowsLabel = (sheet: string, rows: number[]) =>
  `${sheet}!${rows.length > 3 ? `${rows.slice(0, 3).join(',')}…` : rows.join(',')}`;

function table(head: string[], body: string[][]): string[] {
  const widths = head.map((h, i) => {
    let w = width(h);
    for (const r of body) w = Math.max(w, width(r[i] ?? ''));
    return w;
  });
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const w = widths[i];
        // A cell beyond the head's columns is left unpadded.
        return w === undefined ? c : c + ' '.repeat(w - width(c));
      })
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)];
}

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

const SKIP_LABEL: Record<SkipReason, string> = {
  blank: '空行 blank',
  subtotal: '合计行 subtotal',
  'no-amount': '无金额 no amount',
  zero: '金额为零 zero',
};

/** The report as the CLI prints it. */
export function formatReport(r: ImportReport, previewRows = 10): string {
  const out: string[] = [];
  out.push(
    `${r.file} (${r.format}${r.encoding ? `, ${r.encoding}` : ''}) → ${r.department}/${r.year}${r.dryRun ? '  — 试运行 dry run: nothing stored' : ''}`,
  );
  for (const s of r.sheets) {
    if (s.kinds.length === 0) {
      out.push(`  sheet ${s.name}: left out${s.note ? ` (${s.note})` : ''}`);
      continue;
    }
    if (s.kinds.includes('monitoring')) {
      out.push(`  sheet ${s.name}: monitoring table, ${s.rows} rows${s.note ? ` (${s.note})` : ''}`);
      continue;
    }
    out.push(
      `  sheet ${s.name}: ${s.kinds.join('+')}, header row ${s.headerRow}${s.headerRows === 2 && s.headerRow !== undefined ? '–' + (s.headerRow + 1) : ''}, ${s.rows} rows, amounts in ${s.unit === 'wan' ? '万元' : '元'}`,
    );
    out.push(
      `    columns: ${s.columns.map((c) => `${c.column} ${c.header}→${c.field}${c.source ? `(${c.source})` : ''}`).join(', ')}`,
    );
    if (s.unmapped.length > 0) out.push(`    not imported: ${s.unmapped.join(', ')}`);
  }
  const counts = TYPE_ORDER.filter((t) => r.events[t]).map((t) => `${t} ${r.events[t]}`);
  out.push(`  ${r.dryRun ? 'would ingest' : 'ingested'}: ${counts.length > 0 ? counts.join(', ') : 'nothing new'}`);
  if (r.preview.length > 0) {
    out.push(`  ${r.dryRun ? 'first events to ingest' : 'first events ingested'}:`);
    const monitoring = r.preview.some((p) => p.data !== undefined);
    const shownRows = r.preview.slice(0, previewRows);
    const body = monitoring
      ? shownRows.map((p) => [rowsLabel(p.sheet, p.rows), p.type, p.name ?? '', p.note ?? ''])
      : shownRows.map((p) => [
          rowsLabel(p.sheet, p.rows),
          p.type,
          p.unit ?? '',
          p.line ?? '',
          p.source ?? '',
          p.month ?? '',
          p.amount ?? '',
          p.note ?? '',
        ]);
    const head = monitoring
      ? ['row', 'type', 'name', 'note']
      : ['row', 'type', 'unit', 'line', 'source', 'month', 'amount', 'note'];
    for (const l of table(head, body)) out.push(`    ${l}`);
    const total = Object.values(r.events).reduce((a, b) => a + (b ?? 0), 0);
    const shown = Math.min(previewRows, r.preview.length);
    if (total > shown) out.push(`    … ${total - shown} more`);
  }
  if (r.corrections.length > 0) {
    out.push(`  corrections (old → new):`);
    for (const c of r.corrections) {
      const what = [c.unit, c.line, c.month ?? c.effectiveOn, c.source].filter(Boolean).join(' ');
      out.push(
        `    ${rowsLabel(c.sheet, c.rows)} ${c.type} ${what}: ${c.old} → ${c.new} (${c.delta.startsWith('-') ? c.delta : `+${c.delta}`})${c.rejected ? ' — rejected' : ''}`,
      );
    }
  }
  out.push(`  新增 accepted:     ${r.accepted}${r.dryRun ? ' (dry run)' : ''}`);
  out.push(`  重复 duplicates:   ${r.duplicates}`);
  out.push(`  更正 corrections:  ${r.corrections.filter((c) => !c.rejected).length}`);
  const byReason = (Object.keys(SKIP_LABEL) as SkipReason[])
    .map((k) => [k, r.skipped.filter((s) => s.reason === k).length] as const)
    .filter(([, n]) => n > 0);
  out.push(
    `  跳过 skipped:      ${r.skipped.length}${byReason.length > 0 ? ` (${byReason.map(([k, n]) => `${SKIP_LABEL[k]} ${n}`).join(', ')})` : ''}`,
  );
  for (const s of r.skipped.filter((x) => x.reason !== 'blank'))
    out.push(`    ${s.sheet}!${s.row}: ${SKIP_LABEL[s.reason]}${s.text ? ` «${s.text}»` : ''}`);
  out.push(`  拒绝 rejected:     ${r.rejectedRows} rows`);
  for (const x of r.rejected) {
    const col = x.column ? ` ${x.column}${x.header ? `「${x.header}」` : ''}` : '';
    out.push(`    第 ${x.row} 行 row ${x.sheet}!${x.row}${col}: ${x.reason}`);
  }
  return out.join('\n');
}
