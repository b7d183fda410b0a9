import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidInputError, PayloadTooLargeError } from '#application/common/errors.js';
import { isSupportedEncoding } from '#application/import/csv.js';
import {
  checkFileSize,
  importSpreadsheet,
  repositoryStream,
  type ImportPorts,
} from '#application/import/import.service.js';
import { parseMappingText, type Mapping } from '#application/import/mapping.js';
import { formatReport } from '#application/import/report.js';
import { exportStreamXlsx } from '#application/import/sample-export.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { isIsoDate } from '#domain/dates.js';
import type { EventInput } from '#domain/events.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { UsageError, withDatabase, type Command } from '../context.js';
import { httpSubmit } from '../http-submit.js';

/** Reads a whole stream from a running API (GET /api/v1/streams/{department}/{year}/events, paged). */
function httpStream(baseUrl: string, apiKey?: string): ImportPorts['readStream'] {
  return async (department, year) => {
    const out: EventInput[] = [];
    for (let from: number | null = 1; from !== null;) {
      const url = `${baseUrl.replace(/\/$/, '')}/api/v1/streams/${encodeURIComponent(department)}/${year}/events?fromVersion=${from}&limit=1000`;
      const res = await fetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
      const body = (await res.json().catch(() => ({}))) as {
        events?: EventInput[];
        nextFromVersion?: number | null;
        message?: string;
      };
      if (!res.ok) throw new Error(`${url} answered ${res.status}: ${body.message ?? res.statusText}`);
      for (const e of body.events ?? []) out.push(e);
      from = body.nextFromVersion ?? null;
    }
    return out;
  };
}

const USAGE =
  'import FILE.xlsx|FILE.csv --department D --year Y [--mapping mapping.json] [--sheet NAME] [--unit yuan|wan] [--encoding gbk] [--dry-run] [--api URL]\n' +
  '                                               import a spreadsheet of budgets, monthly spending and plans (re-imports are no-ops, edits become corrections),\n' +
  '                                               or a filled-in monitoring table (绩效运行监控表, from …/monitoring.xlsx)\n' +
  '  paceline import --export-xlsx FILE.xlsx --department D --year Y [--unit yuan|wan] [--api URL]\n' +
  '                                               write a stream to xlsx in the layout import reads';

export const importCommand: Command = {
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        department: { type: 'string' },
        year: { type: 'string' },
        mapping: { type: 'string' },
        sheet: { type: 'string' },
        unit: { type: 'string' },
        encoding: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'recorded-on': { type: 'string' },
        preview: { type: 'string' },
        json: { type: 'boolean' },
        'export-xlsx': { type: 'string' },
        api: { type: 'string' },
        'api-key': { type: 'string' },
      },
    });
    const department = values.department;
    if (!department || !/^[a-z0-9-]{1,64}$/.test(department))
      throw new UsageError('--department must be a department slug ([a-z0-9-], e.g. yantian-emergency)');
    const year = Number(values.year);
    if (!values.year || !/^\d{4}$/.test(values.year) || year < 2000 || year > 2100)
      throw new UsageError('--year must be a year between 2000 and 2100');
    if (values.unit !== undefined && values.unit !== 'yuan' && values.unit !== 'wan')
      throw new UsageError('--unit must be "yuan" (元) or "wan" (万元)');
    const unit = values.unit as 'yuan' | 'wan' | undefined;
    const apiKey = values['api-key'] ?? process.env.PACELINE_API_KEY;

    if (values['export-xlsx']) {
      const file = values['export-xlsx'];
      const read = async (readStream: ImportPorts['readStream']) => {
        const events = await readStream(department, year);
        if (events.length === 0) throw new UsageError(`${department}/${year} has no events to export`);
        writeFileSync(file, await exportStreamXlsx(events, { unit }));
        console.log(`${department}/${year}: ${events.length} events written to ${file} (sheets 预算, 支出, 计划)`);
        return 0;
      };
      return values.api
        ? read(httpStream(values.api, apiKey))
        : withDatabase((h) => read(repositoryStream(new EventsRepository(h.db))));
    }

    const file = positionals[0];
    if (!file) throw new UsageError('import needs a file: paceline import FILE.xlsx --department D --year Y');
    if (values.encoding !== undefined && !isSupportedEncoding(values.encoding))
      throw new UsageError(`unknown --encoding "${values.encoding}" (use utf-8 or gbk)`);
    if (values['recorded-on'] !== undefined && !isIsoDate(values['recorded-on']))
      throw new UsageError('--recorded-on must be a date YYYY-MM-DD');
    const preview = values.preview === undefined ? 10 : Number(values.preview);
    if (!Number.isInteger(preview) || preview < 0) throw new UsageError('--preview must be a whole number');
    let bytes: Buffer;
    try {
      // The same bounds as an upload (docs/imports.md, "Limits"): a file too large is not even read.
      checkFileSize({ length: statSync(file).size }, basename(file));
      bytes = readFileSync(file);
    } catch (e) {
      if (e instanceof PayloadTooLargeError) {
        console.error(`paceline: ${file}: ${e.message}`);
        return 1;
      }
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
    let mapping: Mapping | undefined;
    if (values.mapping) {
      let text: string;
      try {
        text = readFileSync(values.mapping, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${values.mapping}: ${(e as Error).message}`);
      }
      try {
        mapping = parseMappingText(text);
      } catch (e) {
        if (e instanceof InvalidInputError) throw new UsageError(`${values.mapping}: ${e.message}`);
        throw e;
      }
    }
    const options = {
      department,
      year,
      fileName: basename(file),
      mapping,
      sheet: values.sheet,
      unit,
      encoding: values.encoding,
      dryRun: values['dry-run'] ?? false,
      recordedOn: values['recorded-on'],
      previewLimit: Math.max(preview, 20),
    };
    const run = async (ports: ImportPorts) => {
      try {
        return await importSpreadsheet(bytes, options, ports);
      } catch (e) {
        // Refused files (400: unreadable, no header, …; 413: beyond the import's bounds) exit 1.
        if (e instanceof InvalidInputError || e instanceof PayloadTooLargeError) {
          console.error(`paceline: ${file}: ${e.message}`);
          return null;
        }
        throw e;
      }
    };
    const report = values.api
      ? await run({ readStream: httpStream(values.api, apiKey), submit: httpSubmit(values.api, apiKey) })
      : await withDatabase((h) => {
          const repo = new EventsRepository(h.db);
          const service = new IngestService(repo);
          return run({ readStream: repositoryStream(repo), submit: (batch) => service.ingest(batch) });
        });
    if (!report) return 1;
    console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report, preview));
    return report.rejected.length > 0 ? 1 : 0;
  },
};
