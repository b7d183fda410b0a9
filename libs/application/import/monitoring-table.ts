/**
 * A filled-in monitoring table (绩效运行监控表, as downloaded from …/monitoring.xlsx) imported into
 * its stream: each target row becomes an IndicatorProgressReported, each money row with an
 * explanation a DeviationExplained of the project (or the department), all dated the table's
 * report date (the last day of its 1—X月). Recognized by the marker in the hidden key column
 * (libs/application/monitoring/exports/monitoring-layout.ts). docs/monitoring.md, "The monitoring
 * table", says what is read and how.
 *
 * All or nothing: every row is validated as ingest validates events (field checks and the
 * stream's rules, on top of what is stored); one problem and nothing is stored (400 naming the
 * sheet, cell, column and field; a dry run lists them in `rejected`). Blank rows are skipped. A
 * row that states what the stream already says for the period is a duplicate; ids are hashes of
 * stream, indicator (or subject) and report date, so importing the same file again stores nothing.
 */
import { createHash } from 'node:crypto';
import { occurredOnDate } from '#domain/dates.js';
import type { DeviationCause, EventInput, EventType, Likelihood } from '#domain/events.js';
import {
  latestAsOf,
  monitoringStateFrom,
  subjectKey,
  type ExplanationRecord,
  type MonitoringEvent,
  type ProgressReport,
} from '#domain/monitoring/monitoring-state.js';
import { ConflictError, InvalidInputError, type EventError } from '../common/errors.js';
import {
  CAUSES,
  COL,
  fillInHeaders,
  KEY,
  LIKELIHOOD_TEXT,
  MARKER_FORMAT,
  MARKER_VERSION,
  periodLabel,
  periodStart,
  reportDate,
  type TableMarker,
} from '../monitoring/exports/monitoring-layout.js';
import { importEventId } from './ids.js';
import { simulateIngest } from './plan.js';
import type { ImportOptions, ImportPorts } from './import.service.js';
import type { ImportReport, PreviewRow, RowProblem, SheetSummary, SkippedRow } from './report.js';
import { storedView } from './stored.js';
import { cellAt, type Table } from './table.js';
import { cellText, columnLetter, displayText, isBlank, nameKey, type CellValue } from './text.js';

/** A sheet of a monitoring table: its marker and where the hidden key column is (0-based). */
export interface MarkedSheet {
  table: Table;
  marker: TableMarker;
  keyCol: number;
}

/** A problem with a cell, in the import's row style, plus the event field it is about. */
interface Problem extends RowProblem {
  path: string;
  index: number;
  id?: string;
}

interface Planned {
  event: EventInput;
  sheet: string;
  row: number;
  /** Event path → column (1-based) and its header. */
  cols: Record<string, { col: number; header: string }>;
  preview: PreviewRow;
}

function bad(path: string, reason: string): never {
  throw new InvalidInputError(reason, [{ index: 0, path, reason }]);
}

const address = (row: number, col: number) => `${columnLetter(col)}${row}`;

/** How far down the marker is looked for (it is written in row 1; a unit may insert rows above). */
const MARKER_ROWS = 10;

/**
 * The sheet's marker, when one of its first rows holds one (in the hidden column P, or wherever it
 * moved); null for any other sheet. A marker that cannot be read refuses the file (400).
 */
export function markedSheet(t: Table): MarkedSheet | null {
  for (let r = 0; r < Math.min(t.rows.length, MARKER_ROWS); r++) {
    const found = markerIn(t, r);
    if (found) return found;
  }
  return null;
}

function markerIn(t: Table, r: number): MarkedSheet | null {
  const cells = t.rows[r] ?? [];
  for (let c = 0; c < cells.length; c++) {
    const v = cells[c];
    if (typeof v !== 'string' || !v.startsWith('{') || !v.includes(MARKER_FORMAT)) continue;
    const where = `${t.name}!${address(r + 1, c + 1)}`;
    let m: Partial<TableMarker>;
    try {
      m = JSON.parse(v) as Partial<TableMarker>;
    } catch {
      bad('', `${where}: the monitoring table's marker cannot be read: download the table again`);
    }
    const ok =
      m.format === MARKER_FORMAT &&
      typeof m.version === 'number' &&
      typeof m.department === 'string' &&
      typeof m.year === 'number' &&
      typeof m.asOf === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(m.asOf) &&
      (m.knownOn === null || typeof m.knownOn === 'string') &&
      typeof m.throughMonth === 'number' &&
      Number.isInteger(m.throughMonth) &&
      m.throughMonth >= 0 &&
      m.throughMonth <= 12 &&
      typeof m.subject === 'string' &&
      (m.subject === 'department' || /^task:.+/.test(m.subject));
    if (!ok) bad('', `${where}: the monitoring table's marker is incomplete or altered: download the table again`);
    if (m.version !== MARKER_VERSION)
      bad(
        '',
        `${where}: this monitoring table is format version ${m.version}; this server reads version ${MARKER_VERSION}: download the table from this server`,
      );
    return { table: t, marker: m as TableMarker, keyCol: c };
  }
  return null;
}

/** The sheets of a workbook that are monitoring tables. */
export function markedSheets(tables: Table[]): MarkedSheet[] {
  return tables.map(markedSheet).filter((m): m is MarkedSheet => m !== null);
}

/** Text of a short cell (指标值): whitespace runs collapsed. */
const shortText = (v: CellValue) => displayText(v);
/** Text of a long cell (原因说明, 完善措施): line breaks kept, trimmed. */
const longText = (v: CellValue) =>
  typeof v === 'string'
    ? v
        .replace(/\r\n?/g, '\n')
        .replace(/[ \t\u3000]+$/gm, '')
        .trim()
    : cellText(v);

const MARKS = new Set(['✓', '√', '✔', '☑', '✅', 'v', '是', '1', 'true']);

/** A cause cell: marked (✓, √, ✔, ☑, v, 是, 1), blank, or something else (null). */
function markOf(v: CellValue): boolean | null {
  if (v === true) return true;
  if (isBlank(v) || v === false) return false;
  return MARKS.has(cellText(v).toLowerCase()) ? true : null;
}

function likelihoodOf(text: string): Likelihood | null {
  const key = nameKey(text);
  for (const [l, t] of Object.entries(LIKELIHOOD_TEXT) as [Likelihood, string][])
    if (key === t || key.toLowerCase() === l) return l;
  return null;
}

function hash(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, 16);
}

/** Same text, as the table reads it back (the stored one normalized like a cell). */
const sameShort = (stored: string | null, read: string | undefined) => shortText(stored) === (read ?? '');
const sameLong = (stored: string | null, read: string | undefined) => longText(stored) === (read ?? '');

type ProgressData = {
  indicator: string;
  asOf: string;
  actual?: string;
  expectedYearEnd?: string;
  likelihood?: Likelihood;
  deviation?: { cause?: DeviationCause; reason?: string };
  measure?: string;
};

type ExplanationData = {
  subject: { kind: 'department' } | { kind: 'task'; id: string };
  asOf: string;
  cause?: DeviationCause;
  reason?: string;
  measure?: string;
};

function sameProgress(p: ProgressReport | null, d: ProgressData): boolean {
  return (
    p !== null &&
    sameShort(p.actual, d.actual) &&
    sameShort(p.expectedYearEnd, d.expectedYearEnd) &&
    p.likelihood === d.likelihood &&
    (p.deviation?.cause ?? undefined) === d.deviation?.cause &&
    sameLong(p.deviation?.reason ?? null, d.deviation?.reason) &&
    sameLong(p.measure, d.measure)
  );
}

function sameExplanation(x: ExplanationRecord | null, d: ExplanationData): boolean {
  return x !== null && x.cause === d.cause && sameLong(x.reason, d.reason) && sameLong(x.measure, d.measure);
}

const CAUSE_TEXT = new Map(CAUSES.map((c) => [c.cause, c.text]));

/** Where each field of an event is in the row (paths of validation errors → columns). */
function columnsFor(label: string, kind: 'progress' | 'explanation'): Record<string, { col: number; header: string }> {
  const cols: Record<string, { col: number; header: string }> = {};
  for (const h of fillInHeaders(label)) if (!(h.path in cols)) cols[h.path] = { col: h.col, header: h.text };
  const cause = { col: COL.firstCause, header: '偏差原因分析' };
  if (kind === 'progress') {
    cols['data.deviation.cause'] = cause;
    cols['data.deviation'] = cause;
    cols['data.indicator'] = { col: COL.name, header: '三级指标' };
    return cols;
  }
  return {
    'data.cause': cause,
    'data.reason': { col: COL.reason, header: '原因说明' },
    'data.measure': { col: COL.measure, header: '完善措施' },
    'data.subject': { col: COL.label, header: '项目资金' },
    'data.subject.id': { col: COL.label, header: '项目资金' },
  };
}

/** The column a validation error's path is about: the path itself, else its nearest parent. */
function columnOf(cols: Planned['cols'], path: string): { col: number; header: string } | undefined {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') if (cols[p]) return cols[p];
  return undefined;
}

function typeCounts(events: Planned[]): ImportReport['events'] {
  const out: ImportReport['events'] = {};
  for (const t of ['IndicatorProgressReported', 'DeviationExplained'] as EventType[]) {
    const n = events.filter((p) => p.event.type === t).length;
    if (n > 0) out[t] = n;
  }
  return out;
}

/** One problem as the 400's message lists it: 良种推广补贴项目!O11「完善措施」 IndicatorProgressReported data.measure: … */
const problemText = (p: Problem) =>
  `${p.sheet}!${p.column ? `${p.column}${p.row}` : p.row}${p.header ? `「${p.header}」` : ''} ${p.reason}`;

export async function importMonitoringTable(
  marked: MarkedSheet[],
  others: Table[],
  o: ImportOptions & { recordedOn: string },
  ports: ImportPorts,
): Promise<ImportReport> {
  for (const m of marked)
    if (m.marker.department !== o.department || m.marker.year !== o.year)
      bad(
        '',
        `sheet ${m.table.name} is the monitoring table of ${m.marker.department}/${m.marker.year}, not of ${o.department}/${o.year}: import it there`,
      );

  const stored = await ports.readStream(o.department, o.year);
  const view = storedView(stored);
  if (!view.opened)
    bad(
      '',
      `${o.department}/${o.year} has no YearOpened: open the year first (ingest a YearOpened event), then import`,
    );
  if (view.closed)
    bad('', `${o.department}/${o.year} is closed (YearClosed): monitoring tables can no longer be imported`);
  const state = monitoringStateFrom(
    stored.map((e): MonitoringEvent => ({
      ...e,
      occurredOn: occurredOnDate(e.occurredAt) ?? e.occurredAt.slice(0, 10),
    })),
  );

  const planned: Planned[] = [];
  const problems: Problem[] = [];
  const skipped: SkippedRow[] = [];
  const sheets: SheetSummary[] = [];
  let duplicates = 0;
  const seen = new Map<string, string>();
  const base = (type: EventType, id: string, data: unknown) =>
    ({ id, type, department: o.department, year: o.year, occurredAt: o.recordedOn, data }) as EventInput;

  for (const { table: t, marker, keyCol } of marked) {
    const label = periodLabel(marker.throughMonth, marker.asOf);
    const dated = reportDate(o.year, marker.throughMonth, marker.asOf);
    const from = periodStart(o.year, marker.throughMonth);
    const keyAt = (r: number) => cellText(cellAt(t, r, keyCol));
    const at = (r: number, col: number) => cellAt(t, r, col - 1);

    // The columns must be where the table put them: the target block's header says so.
    let header = -1;
    for (let r = 1; r < t.rows.length && header < 0; r++) if (keyAt(r) === KEY.header) header = r;
    if (header < 0)
      bad(
        '',
        `sheet ${t.name}: the header row of the targets is missing (its key in the hidden column was removed): download the table again`,
      );
    for (const h of fillInHeaders(label)) {
      const found = [at(header, h.col), at(header + 1, h.col)].map((v) => nameKey(cellText(v)));
      if (!found.includes(nameKey(h.text)))
        bad(
          '',
          `sheet ${t.name}, cell ${address(header + 1, h.col)}: expected the column 「${h.text}」, found 「${cellText(at(header, h.col))}」: ` +
            'the columns of the table were moved; download it again and fill it in without inserting or deleting columns',
        );
    }
    const subject: ExplanationData['subject'] =
      marker.subject === 'department' ? { kind: 'department' } : { kind: 'task', id: marker.subject.slice(5) };
    const subjectName =
      subject.kind === 'department'
        ? (view.departmentName ?? o.department)
        : (state.tasks.get(subject.id)?.title ?? subject.id);

    let rows = 0;
    for (let r = 1; r < t.rows.length; r++) {
      const key = keyAt(r);
      const isSpending = key === KEY.spending;
      const indicator = key.startsWith('indicator:') ? key.slice('indicator:'.length) : null;
      if (!isSpending && indicator === null) continue;
      rows += 1;
      const row = r + 1;
      const problem = (col: number, header: string, path: string, type: EventType, reason: string, value?: CellValue) =>
        problems.push({
          sheet: t.name,
          row,
          column: columnLetter(col),
          header,
          ...(value !== undefined && !isBlank(value) ? { value: cellText(value) } : {}),
          path,
          index: planned.length,
          reason: `${type} ${path}: ${reason}`,
        });
      const type: EventType = isSpending ? 'DeviationExplained' : 'IndicatorProgressReported';

      const marks = CAUSES.map((c, i) => ({ ...c, col: COL.firstCause + i, value: at(r, COL.firstCause + i) }));
      const reason = longText(at(r, COL.reason));
      const measure = longText(at(r, COL.measure));
      const actual = isSpending ? '' : shortText(at(r, COL.actual));
      const expected = isSpending ? '' : shortText(at(r, COL.expected));
      const likelihoodCell = isSpending ? null : at(r, COL.likelihood);
      const blank =
        marks.every((m) => isBlank(m.value)) &&
        !reason &&
        !measure &&
        !actual &&
        !expected &&
        (likelihoodCell === null || isBlank(likelihoodCell));
      if (blank) {
        skipped.push({ sheet: t.name, row, reason: 'blank' });
        continue;
      }
      const before = problems.length;
      const causePath = isSpending ? 'data.cause' : 'data.deviation.cause';
      const ticked = marks.filter((m) => {
        const v = markOf(m.value);
        if (v === null)
          problem(
            m.col,
            m.text,
            causePath,
            type,
            `mark the cause with ✓ (or √) and leave the other causes blank, got ${JSON.stringify(cellText(m.value))}`,
            m.value,
          );
        return v === true;
      });
      if (ticked.length > 1)
        problem(
          ticked[1]?.col ?? COL.firstCause,
          ticked[1]?.text ?? '偏差原因分析',
          causePath,
          type,
          `mark one cause only (${ticked.map((m) => m.text).join(' and ')} are marked): the event records one`,
          ticked[1]?.value,
        );
      const cause = ticked.length === 1 ? ticked[0]?.cause : undefined;
      if (ticked.length === 0 && reason)
        problem(
          COL.firstCause,
          '偏差原因分析',
          causePath,
          type,
          `a reason is given (原因说明): mark its cause, one of ${CAUSES.map((c) => c.text).join(', ')}`,
        );
      const seenKey = isSpending ? `${KEY.spending}:${marker.subject}` : key;
      const duplicateOf = seen.get(seenKey);
      if (duplicateOf)
        problem(
          isSpending ? COL.label : COL.name,
          isSpending ? '项目资金' : '三级指标',
          isSpending ? 'data.subject' : 'data.indicator',
          type,
          `this row is also on ${duplicateOf}: each target (and each money row) may be filled in once`,
        );
      seen.set(seenKey, `${t.name}!${row}`);

      if (isSpending) {
        if (problems.length > before) continue;
        const data: ExplanationData = {
          subject,
          asOf: dated,
          ...(cause ? { cause } : {}),
          ...(reason ? { reason } : {}),
          ...(measure ? { measure } : {}),
        };
        const sk = subjectKey(subject.kind, subject.kind === 'department' ? null : subject.id);
        const mine = state.explanations.filter((x) => subjectKey(x.subject.kind, x.subject.id) === sk);
        const shown = [latestAsOf(mine, (x) => x.asOf, marker.asOf, null)];
        if (marker.knownOn) shown.push(latestAsOf(mine, (x) => x.asOf, marker.asOf, marker.knownOn));
        if (shown.some((x) => x !== null && x.asOf >= from && sameExplanation(x, data))) {
          duplicates += 1;
          continue;
        }
        const revisions = mine.filter((x) => x.asOf === dated).length;
        const id =
          revisions === 0
            ? importEventId('explanation', [o.department, o.year, sk, dated])
            : importEventId('explanation', [o.department, o.year, sk, dated, revisions, hash([JSON.stringify(data)])]);
        planned.push({
          event: base('DeviationExplained', id, data),
          sheet: t.name,
          row,
          cols: columnsFor(label, 'explanation'),
          preview: {
            sheet: t.name,
            rows: [row],
            type: 'DeviationExplained',
            id,
            name: subjectName,
            note: [
              `${label}支出偏差`,
              cause ? CAUSE_TEXT.get(cause) : '',
              reason,
              measure ? `措施：${measure}` : '',
              revisions ? `更正同日说明（第 ${revisions + 1} 次）` : '',
            ]
              .filter(Boolean)
              .join('；'),
            data,
          },
        });
        continue;
      }

      const id0 = keyOf(indicator);
      let likelihood: Likelihood | undefined;
      if (likelihoodCell !== null && !isBlank(likelihoodCell)) {
        const l = likelihoodOf(cellText(likelihoodCell));
        if (l === null)
          problem(
            COL.likelihood,
            '完成目标可能性',
            'data.likelihood',
            type,
            `must be ${Object.values(LIKELIHOOD_TEXT).join(', ')}, got ${JSON.stringify(cellText(likelihoodCell))}`,
            likelihoodCell,
          );
        else likelihood = l;
      }
      if (problems.length > before) continue;
      const data: ProgressData = {
        indicator: id0,
        asOf: dated,
        ...(actual ? { actual } : {}),
        ...(expected ? { expectedYearEnd: expected } : {}),
        ...(likelihood ? { likelihood } : {}),
        ...(cause || reason ? { deviation: { ...(cause ? { cause } : {}), ...(reason ? { reason } : {}) } } : {}),
        ...(measure ? { measure } : {}),
      };
      const reports = state.progress.get(id0) ?? [];
      const shown = [latestAsOf(reports, (p) => p.asOf, marker.asOf, null)];
      if (marker.knownOn) shown.push(latestAsOf(reports, (p) => p.asOf, marker.asOf, marker.knownOn));
      if (shown.some((p) => p !== null && p.asOf >= from && sameProgress(p, data))) {
        duplicates += 1;
        continue;
      }
      const revisions = reports.filter((p) => p.asOf === dated).length;
      const id =
        revisions === 0
          ? importEventId('progress', [o.department, o.year, id0, dated])
          : importEventId('progress', [o.department, o.year, id0, dated, revisions, hash([JSON.stringify(data)])]);
      planned.push({
        event: base('IndicatorProgressReported', id, data),
        sheet: t.name,
        row,
        cols: columnsFor(label, 'progress'),
        preview: {
          sheet: t.name,
          rows: [row],
          type: 'IndicatorProgressReported',
          id,
          name: state.targets.get(id0)?.name ?? id0,
          note: [
            `${label} ${actual || '—'}`,
            expected ? `全年预计 ${expected}` : '',
            likelihood ? LIKELIHOOD_TEXT[likelihood] : '',
            cause ? CAUSE_TEXT.get(cause) : '',
            revisions ? `更正同日填报（第 ${revisions + 1} 次）` : '',
          ]
            .filter(Boolean)
            .join('；'),
          data,
        },
      });
    }
    sheets.push({
      name: t.name,
      kinds: ['monitoring'],
      headerRow: header + 1,
      headerRows: 2,
      rows,
      columns: fillInHeaders(label).map((h) => ({ column: columnLetter(h.col), header: h.text, field: h.path })),
      unmapped: [],
      note: `绩效运行监控表 ${subject.kind === 'department' ? '部门整体' : subjectName}（${label}），填报日期 ${dated}`,
    });
  }
  for (const t of others)
    sheets.push({
      name: t.name,
      kinds: [],
      rows: 0,
      columns: [],
      unmapped: [],
      note: 'not part of the monitoring table (no marker in its hidden key column)',
    });

  // Every event as ingest would see it, on top of the stored stream (all or nothing).
  for (const e of simulateIngest(
    view.events,
    planned.map((p) => p.event),
  ))
    problems.push(problemOf(planned, e));

  const sheetOrder = new Map(marked.map((m, i) => [m.table.name, i]));
  problems.sort(
    (a, b) =>
      (sheetOrder.get(a.sheet) ?? 0) - (sheetOrder.get(b.sheet) ?? 0) ||
      a.row - b.row ||
      (a.column ?? '').length - (b.column ?? '').length ||
      (a.column ?? '').localeCompare(b.column ?? ''),
  );

  const report = (events: Planned[], accepted: number, dups: number): ImportReport => ({
    file: o.fileName,
    format: 'xlsx',
    department: o.department,
    year: o.year,
    dryRun: !!o.dryRun,
    recordedOn: o.recordedOn,
    sheets,
    events: typeCounts(events),
    accepted,
    duplicates: dups,
    corrections: [],
    skipped,
    rejected: problems.map(({ path: _path, index: _index, id: _id, ...p }) => p),
    rejectedRows: new Set(problems.map((p) => `${p.sheet}|${p.row}`)).size,
    preview: events.map((p) => p.preview),
  });

  if (problems.length > 0) {
    if (o.dryRun) return report([], 0, duplicates);
    throw refusal(o.fileName, problems, InvalidInputError);
  }
  if (o.dryRun || planned.length === 0) return report(planned, 0, duplicates);
  // One batch: ingest stores it whole or not at all.
  try {
    const result = await ports.submit(planned.map((p) => p.event));
    return report(planned, result.accepted, duplicates + result.duplicates);
  } catch (e) {
    if (e instanceof InvalidInputError || e instanceof ConflictError)
      throw refusal(
        o.fileName,
        e.errors.map((x) => problemOf(planned, x)),
        e instanceof ConflictError ? ConflictError : InvalidInputError,
      );
    throw e;
  }
}

function keyOf<T>(v: T | null | undefined): T {
  if (v === null || v === undefined) throw new Error('a keyed row without its key');
  return v;
}

/** A refusal of ingest (or of its simulation) for one planned event, at its cell. */
function problemOf(planned: Planned[], e: EventError): Problem {
  const p = planned[e.index];
  if (!p) return { sheet: '', row: 0, path: e.path, index: e.index, reason: e.reason };
  const col = columnOf(p.cols, e.path);
  return {
    sheet: p.sheet,
    row: p.row,
    ...(col ? { column: columnLetter(col.col), header: col.header } : {}),
    path: e.path,
    index: e.index,
    id: p.event.id,
    reason: `${p.event.type} ${e.path ? `${e.path}: ` : ''}${e.reason}`,
  };
}

/** The 400 (or 409) of a refused table: every problem at its cell, nothing stored. */
function refusal(
  file: string,
  problems: Problem[],
  Kind: typeof InvalidInputError | typeof ConflictError,
): InvalidInputError | ConflictError {
  const shown = problems.slice(0, 20).map(problemText);
  const more = problems.length > shown.length ? `; … and ${problems.length - shown.length} more` : '';
  const message =
    `${file}: the monitoring table was not imported, nothing was stored (all or nothing): ` +
    `${problems.length} problem${problems.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
  return new Kind(
    message,
    problems.map((p) => ({
      index: p.index,
      ...(p.id ? { id: p.id } : {}),
      path: p.path,
      reason: p.reason,
      sheet: p.sheet,
      row: p.row,
      ...(p.column ? { column: p.column, cell: `${p.column}${p.row}`, header: p.header } : {}),
      ...(p.value !== undefined ? { value: p.value } : {}),
    })),
  );
}
