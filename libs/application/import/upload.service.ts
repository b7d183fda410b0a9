/**
 * A spreadsheet uploaded over HTTP (the raw body: xlsx, or CSV as text/csv): its name and encoding
 * taken from the request's headers, imported into the department-year with the same report as
 * `paceline import` prints. Imports run one at a time per process (import-gate.ts): others wait in a
 * short queue, or are answered 503 (retryable) when it is full.
 */
import type { EventsRepository } from '#persistence/events.repository.js';
import { InvalidInputError } from '../common/errors.js';
import type { IngestService } from '../ingest/ingest.service.js';
import { ImportGate } from './import-gate.js';
import { checkFileSize, formatOf, importSpreadsheet, repositoryStream } from './import.service.js';
import { parseMappingText } from './mapping.js';
import type { ImportReport } from './report.js';
import type { AmountUnit } from './text.js';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface UploadOptions {
  /** The request's Content-Type (its charset is the CSV encoding unless `encoding` says otherwise). */
  contentType?: string;
  /** The X-Filename header: the file's name, percent-encoded when not ASCII. */
  fileName?: string;
  dryRun: boolean;
  unit?: AmountUnit;
  sheet?: string;
  encoding?: string;
  /** The column mapping as JSON text. */
  mapping?: string;
  recordedOn?: string;
}

export class UploadService {
  constructor(
    private readonly ingest: IngestService,
    private readonly events: EventsRepository,
    private readonly gate: ImportGate = new ImportGate(),
  ) {}

  async upload(department: string, year: number, body: unknown, o: UploadOptions): Promise<ImportReport> {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      const reason = `send the file as the request body with Content-Type ${XLSX_MIME} or text/csv`;
      throw new InvalidInputError(`body: ${reason}`, [{ index: 0, path: 'body', reason }]);
    }
    const name = decodedName(o.fileName);
    const charset = /charset=([^;]+)/i
      .exec(o.contentType ?? '')?.[1]
      ?.trim()
      .replace(/^"|"$/g, '');
    const format = formatOf(name, body, o.contentType);
    const fileName = name === 'upload' ? `upload.${format}` : name;
    // What can be refused at once is, before the file waits for its turn.
    checkFileSize(body, fileName);
    const mapping = o.mapping ? parseMappingText(o.mapping) : undefined;
    return this.gate.run(() =>
      importSpreadsheet(
        body,
        {
          department,
          year,
          fileName,
          format,
          mapping,
          sheet: o.sheet,
          unit: o.unit,
          encoding: o.encoding || charset || undefined,
          dryRun: o.dryRun,
          recordedOn: o.recordedOn,
        },
        { readStream: repositoryStream(this.events), submit: (batch) => this.ingest.ingest(batch) },
      ),
    );
  }
}

/** The uploaded file's name from X-Filename ("upload" without one; as sent when not percent-encoded). */
function decodedName(header: string | undefined): string {
  if (!header) return 'upload';
  try {
    return decodeURIComponent(header);
  } catch {
    return header;
  }
}
