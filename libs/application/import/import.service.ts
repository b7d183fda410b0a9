/**
 * Imports a spreadsheet (xlsx or CSV) into a department-year stream: read → header → rows → plan
 * against the stored stream → ingest (all through IngestService or the HTTP API), and a report of
 * every row: ingested, duplicate, correction, skipped or rejected with its column and reason.
 */
import { shanghaiDate } from '../common/clock.js';
import { InvalidInputError } from '../common/errors.js';
import { ingestLines, type Submit } from '../ingest/file-ingest.js';
import { isIsoDate } from '#domain/dates.js';
import type { EventInput, EventType } from '#domain/events.js';
import type { EventsRepository } from '#persistence/events.repository.js';
import { streamId } from '#domain/events.js';
import { elementAt } from '#domain/required.js';
import { appendAll } from './arrays.js';
import { readCsv } from './csv.js';
import { locateHeader } from './header.js';
import { bytes as showBytes, count, IMPORT_LIMITS, tooLarge } from './limits.js';
import { defaultMapping, type Mapping } from './mapping.js';
import { importMonitoringTable, markedSheets } from './monitoring-table.js';
import { planImport, simulateIngest, type PlannedEvent } from './plan.js';
import type { ImportReport, RowProblem, SheetSummary } from './report.js';
import { readRecords, type AmountRecord } from './rows.js';
import { storedView } from './stored.js';
import type { Table } from './table.js';
import { nameKey, type AmountUnit } from './text.js';
import { looksLikeXlsx, readXlsx } from './xlsx.js';

export type FileFormat = 'xlsx' | 'csv';

export interface ImportOptions {
  department: string;
  year: number;
  /** Shown in the report; its extension decides the format when `format` is not given. */
  fileName: string;
  format?: FileFormat;
  mapping?: Mapping;
  /** Only this sheet (xlsx). */
  sheet?: string;
  /** Unit of every amount column; default: what the headers say, else yuan. */
  unit?: AmountUnit;
  /** CSV encoding (utf-8, gbk, gb18030); default: detected. */
  encoding?: string;
  dryRun?: boolean;
  /** occurredAt of the new events; default today in Asia/Shanghai. */
  recordedOn?: string;
  /** How many events the report previews (default 20). */
  previewLimit?: number;
  batchSize?: number;
}

export interface ImportPorts {
  /** Every event of the stream, in stream order. */
  readStream(department: string, year: number): Promise<EventInput[]>;
  /** Ingests one batch (IngestService.ingest, or POST /api/v1/events). */
  submit: Submit;
}

/** Reads a stream through the repository, page by page. */
export function repositoryStream(repo: EventsRepository): ImportPorts['readStream'] {
  return async (department, year) => {
    const out: EventInput[] = [];
    for (let from = 1; ;) {
      const page = await repo.page(streamId(department, year), from, 1000);
      appendAll(out, page);
      const last = page.at(-1);
      if (page.length < 1000 || last === undefined) return out;
      from = last.version + 1;
    }
  };
}

export function formatOf(fileName: string, bytes: Uint8Array, contentType?: string): FileFormat {
  const name = fileName.toLowerCase();
  if (name.endsWith('.xlsx') || name.endsWith('.xlsm')) return 'xlsx';
  if (name.endsWith('.csv') || name.endsWith('.txt') || name.endsWith('.tsv')) return 'csv';
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('spreadsheetml')) return 'xlsx';
  if (ct.startsWith('text/')) return 'csv';
  return looksLikeXlsx(bytes) ? 'xlsx' : 'csv';
}

export async function readTables(
  bytes: Buffer,
  format: FileFormat,
  fileName: string,
  encoding?: string,
): Promise<{ tables: Table[]; encoding?: string }> {
  if (format === 'xlsx') return { tables: await readXlsx(bytes) };
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || 'csv';
  const { table, encoding: used } = readCsv(bytes, base, encoding);
  return { tables: [table], encoding: used };
}

const ORDER: EventType[] = [
  'UnitRegistered',
  'BudgetAllocated',
  'BudgetAdjusted',
  'SpendingRecorded',
  'SpendingCorrected',
  'SpendingPlanned',
  'IndicatorProgressReported',
  'DeviationExplained',
];

/** 413 for a file larger than IMPORT_LIMITS.fileBytes (`bytes`: the file, or anything with its size). */
export function checkFileSize(bytes: { length: number }, fileName: string): void {
  if (bytes.length > IMPORT_LIMITS.fileBytes)
    tooLarge(
      'fileBytes',
      bytes.length,
      `${fileName} has ${count(bytes.length)} bytes`,
      `an import reads files of at most ${showBytes(IMPORT_LIMITS.fileBytes)}`,
    );
}

function bad(path: string, reason: string): never {
  throw new InvalidInputError(reason, [{ index: 0, path, reason }]);
}

export async function importSpreadsheet(bytes: Buffer, o: ImportOptions, ports: ImportPorts): Promise<ImportReport> {
  const mapping = o.mapping ?? defaultMapping();
  const recordedOn = o.recordedOn ?? shanghaiDate(new Date());
  if (!isIsoDate(recordedOn)) bad('recordedOn', `recordedOn must be a date YYYY-MM-DD, got "${recordedOn}"`);
  if (bytes.length === 0) bad('', 'the file is empty');
  checkFileSize(bytes, o.fileName);
  const format = o.format ?? formatOf(o.fileName, bytes);
  const { tables, encoding } = await readTables(bytes, format, o.fileName, o.encoding);

  let chosen = tables;
  const sheet = o.sheet;
  if (sheet !== undefined && sheet !== '' && format === 'xlsx') {
    chosen = tables.filter((t) => t.name === sheet || nameKey(t.name) === nameKey(sheet));
    if (chosen.length === 0)
      bad('sheet', `no sheet named "${sheet}" (sheets: ${tables.map((t) => t.name).join(', ')})`);
  }

  // A monitoring table (绩效运行监控表) downloaded from …/monitoring.xlsx and filled in: recognized by
  // the marker of its sheets, imported as progress reports and explanations (monitoring-table.ts).
  const marked = format === 'xlsx' ? markedSheets(chosen) : [];
  if (marked.length > 0)
    return importMonitoringTable(
      marked,
      chosen.filter((t) => !marked.some((m) => m.table === t)),
      { ...o, recordedOn },
      ports,
    );

  const sheets: SheetSummary[] = [];
  const records: AmountRecord[] = [];
  const rejected: RowProblem[] = [];
  const skipped: ImportReport['skipped'] = [];
  for (const t of chosen) {
    const layout = locateHeader(t, mapping);
    if (!layout) {
      sheets.push({
        name: t.name,
        kinds: [],
        rows: 0,
        columns: [],
        unmapped: [],
        note: 'no header row with known columns (预算项目, 月份, 支出金额, 预算数, …)',
      });
      continue;
    }
    const read = readRecords(t, layout, { year: o.year, mapping, unit: o.unit });
    sheets.push({
      name: t.name,
      kinds: read.kinds,
      headerRow: layout.headerRow,
      headerRows: layout.headerRows,
      rows: read.dataRows,
      unit: read.unit,
      columns: layout.columns.map((c) => ({
        column: c.letter,
        header: c.header,
        field: c.rule.field,
        ...(c.rule.source ? { source: c.rule.source } : {}),
        ...(c.unit ? { unit: c.unit } : {}),
      })),
      unmapped: layout.unmapped,
    });
    appendAll(records, read.records);
    appendAll(rejected, read.rejected);
    appendAll(skipped, read.skipped);
  }
  if (!sheets.some((s) => s.kinds.length > 0)) {
    bad(
      '',
      `${o.fileName}: no sheet has a header row with known columns (such as 预算项目, 科室, 月份, 支出金额, 预算数); give a mapping file for other headers`,
    );
  }

  const stored = await ports.readStream(o.department, o.year);
  const view = storedView(stored);
  if (!view.opened)
    bad(
      '',
      `${o.department}/${o.year} has no YearOpened: open the year first (ingest a YearOpened event), then import`,
    );
  if (view.closed)
    bad('', `${o.department}/${o.year} is closed (YearClosed): spending and budgets can no longer be imported`);

  const plan = planImport(records, view, { department: o.department, year: o.year, recordedOn, mapping });
  appendAll(rejected, plan.rejected);
  appendAll(skipped, plan.skipped);

  const refused = new Set<number>();
  const refuse = (p: PlannedEvent, path: string, reason: string) => {
    const col = p.cols[path];
    for (const row of p.rows)
      rejected.push({
        sheet: p.sheet,
        row,
        ...(col ? { column: col.column, header: col.header } : {}),
        reason: `${p.event.type} ${path ? `${path}: ` : ''}${reason}`,
      });
  };
  let accepted = 0;
  let duplicates = plan.duplicates;
  if (o.dryRun) {
    for (const e of simulateIngest(
      view.events,
      plan.events.map((p) => p.event),
    )) {
      refused.add(e.index);
      refuse(elementAt(plan.events, e.index, 'planned event'), e.path, e.reason);
    }
  } else if (plan.events.length > 0) {
    const summary = await ingestLines(
      plan.events.map((p) => JSON.stringify(p.event)),
      ports.submit,
      { batchSize: o.batchSize ?? 500 },
    );
    accepted = summary.accepted;
    duplicates += summary.duplicates;
    for (const r of summary.rejected) {
      refused.add(r.line - 1);
      refuse(elementAt(plan.events, r.line - 1, 'planned event'), r.path, r.reason);
    }
  }

  const kept = plan.events.filter((_, i) => !refused.has(i));
  const events: ImportReport['events'] = {};
  for (const t of ORDER) {
    const n = kept.filter((p) => p.event.type === t).length;
    if (n > 0) events[t] = n;
  }
  const sheetOrder = new Map(chosen.map((t, i) => [t.name, i]));
  const byPlace = (a: { sheet: string; row: number }, b: { sheet: string; row: number }) =>
    (sheetOrder.get(a.sheet) ?? 0) - (sheetOrder.get(b.sheet) ?? 0) || a.row - b.row;
  rejected.sort(byPlace);
  skipped.sort(byPlace);
  return {
    file: o.fileName,
    format,
    ...(encoding ? { encoding } : {}),
    department: o.department,
    year: o.year,
    dryRun: !!o.dryRun,
    recordedOn,
    sheets,
    events,
    accepted,
    duplicates,
    corrections: plan.events.flatMap((p, i) =>
      p.change ? [{ ...p.change, ...(refused.has(i) ? { rejected: true } : {}) }] : [],
    ),
    skipped,
    rejected,
    rejectedRows: new Set(rejected.map((r) => `${r.sheet}|${r.row}`)).size,
    preview: kept.slice(0, o.previewLimit ?? 20).map((p) => p.preview),
  };
}
