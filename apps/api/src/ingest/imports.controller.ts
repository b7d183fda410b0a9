import { Body, Controller, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { InvalidInputError } from '#application/common/errors.js';
import { formatOf, importSpreadsheet, repositoryStream } from '#application/import/import.service.js';
import { parseMappingText } from '#application/import/mapping.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { isIsoDate } from '#domain/dates.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { WriteAccess } from '../access/access.js';
import { parseDepartment, parseYear } from '../http/params.js';
import { IngestRateLimit } from '../http/rate-limit.js';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function bad(field: string, reason: string): never {
  throw new InvalidInputError(`${field}: ${reason}`, [{ index: 0, path: field, reason }]);
}

function flag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  bad(name, `must be true or false, got "${value}"`);
}

/**
 * Spreadsheet upload: the file is the raw body (xlsx, or CSV as text/csv), the answer is the same
 * report as `paceline import` prints, as JSON. Writers of the department (and admins) may import;
 * requests count against the ingest rate limit.
 */
@Controller('api/v1')
export class ImportsController {
  constructor(
    private readonly ingest: IngestService,
    private readonly events: EventsRepository,
  ) {}

  @Post('departments/:department/years/:year/imports')
  @HttpCode(200)
  @WriteAccess()
  @UseGuards(IngestRateLimit)
  async post(
    @Param('department') department: string,
    @Param('year') year: string,
    @Body() body: Buffer | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Headers('x-filename') filename: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @Query('dryRun') dryRun?: string,
    @Query('unit') unit?: string,
    @Query('sheet') sheet?: string,
    @Query('encoding') encoding?: string,
    @Query('mapping') mapping?: string,
    @Query('recordedOn') recordedOn?: string,
  ) {
    const dep = parseDepartment(department);
    const y = parseYear(year);
    if (!Buffer.isBuffer(body) || body.length === 0) {
      bad('body', `send the file as the request body with Content-Type ${XLSX_MIME} or text/csv`);
    }
    if (unit !== undefined && unit !== '' && unit !== 'yuan' && unit !== 'wan')
      bad('unit', `must be "yuan" or "wan", got "${unit}"`);
    if (recordedOn !== undefined && recordedOn !== '' && !isIsoDate(recordedOn))
      bad('recordedOn', `must be a date YYYY-MM-DD, got "${recordedOn}"`);
    let name = 'upload';
    if (filename) {
      try {
        name = decodeURIComponent(filename);
      } catch {
        name = filename;
      }
    }
    const charset = /charset=([^;]+)/i
      .exec(contentType ?? '')?.[1]
      ?.trim()
      .replace(/^"|"$/g, '');
    const format = formatOf(name, body, contentType);
    const report = await importSpreadsheet(
      body,
      {
        department: dep,
        year: y,
        fileName: name === 'upload' ? `upload.${format}` : name,
        format,
        mapping: mapping ? parseMappingText(mapping) : undefined,
        sheet: sheet || undefined,
        unit: (unit || undefined) as 'yuan' | 'wan' | undefined,
        encoding: encoding || charset || undefined,
        dryRun: flag('dryRun', dryRun),
        recordedOn: recordedOn || undefined,
      },
      { readStream: repositoryStream(this.events), submit: (batch) => this.ingest.ingest(batch) },
    );
    res.status(report.accepted > 0 ? 201 : 200);
    return report;
  }
}
