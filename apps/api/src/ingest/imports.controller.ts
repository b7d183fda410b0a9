import { Body, Controller, Headers, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { bytes, count, IMPORT_LIMITS } from '#application/import/limits.js';
import { UploadService, XLSX_MIME } from '#application/import/upload.service.js';
import { WriteAccess } from '../access/access.js';
import { ApiErrors, ApiJson, ApiRequestBody, BINARY, RATE_LIMIT_HEADERS } from '../http/openapi.js';
import { DateQuery, DepartmentParam, EnumQuery, FlagQuery, TextQuery, YearParam } from '../http/params.js';
import { IngestRateLimit } from '../http/rate-limit.js';
import { createdWhenAccepted } from '../http/responses.js';
import { IMPORT_REPORT } from './ingest.openapi.js';
import { Consumes } from '../http/consumes.js';

/**
 * Spreadsheet upload: the file is the raw body (xlsx, or CSV as text/csv), the answer is the same
 * report as `paceline import` prints, as JSON. Writers of the department (and admins) may import;
 * requests count against the ingest rate limit.
 */
@ApiTags('imports')
@Controller('api/v1')
export class ImportsController {
  constructor(private readonly uploads: UploadService) {}

  @Post('departments/:department/years/:year/imports')
  @Consumes(XLSX_MIME, 'text/csv', 'application/octet-stream')
  @HttpCode(200)
  @WriteAccess()
  @UseGuards(IngestRateLimit)
  @ApiOperation({
    summary: 'Import a spreadsheet (xlsx or CSV)',
    description:
      'Reads budget, spending and plan rows from the uploaded file (Chinese headers such as 预算项目, 科室, 月份, ' +
      '支出金额, 预算数, or a mapping) and stores them as events of the department-year: new lines, spending, plans, ' +
      'and corrections or adjustments where a row differs from what is stored. Rows that cannot be used are ' +
      'reported in `rejected`, the rest is imported. The year must be opened (YearOpened) and not closed. ' +
      '`dryRun=true` checks and reports without storing. Counts against the ingest rate limit.',
  })
  @ApiRequestBody('The file itself as the raw body', {
    [XLSX_MIME]: { schema: BINARY },
    'text/csv': { schema: { ...BINARY, description: 'CSV; the charset parameter names the encoding (else detected)' } },
    'application/octet-stream': {
      schema: { ...BINARY, description: 'xlsx or CSV, told apart by X-Filename and content' },
    },
  })
  @ApiHeader({
    name: 'X-Filename',
    required: false,
    description: "The file's name (percent-encoded when not ASCII), shown in the report",
  })
  @ApiJson(201, 'Events were stored', IMPORT_REPORT, RATE_LIMIT_HEADERS)
  @ApiJson(
    200,
    'Nothing new was stored (a dry run, or everything was already stored)',
    IMPORT_REPORT,
    RATE_LIMIT_HEADERS,
  )
  @ApiErrors(
    [
      400,
      'A bad parameter or mapping, an empty or unreadable file, a CSV that cannot be decoded (`encoding`: the encodings tried), no sheet with known headers, or a year not opened or already closed',
    ],
    [
      413,
      `The file exceeds MAX_BODY_BYTES, or one of the import limits (docs/imports.md, "Limits"): ${bytes(IMPORT_LIMITS.fileBytes)}, ` +
        `${count(IMPORT_LIMITS.rows)} rows, ${count(IMPORT_LIMITS.columns)} columns, ${count(IMPORT_LIMITS.cells)} cells, shared strings, merged ranges, ` +
        'inflated bytes, zip entries or sheets; the message names the bound, its limit and the value found. Nothing was read or stored',
    ],
    429,
    [
      503,
      'The database is unavailable, or the server is busy with imports (one is read at a time per process, a few wait their turn): `retryable: true`, nothing was read or stored, retry in a few seconds',
    ],
  )
  async post(
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('x-filename') fileName: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @FlagQuery('dryRun', 'Check and report without storing anything') dryRun: boolean,
    @EnumQuery('unit', ['yuan', 'wan'] as const, 'Unit of every amount column (default: as the headers say, else 元)')
    unit: 'yuan' | 'wan' | undefined,
    @TextQuery('sheet', 200, 'Only this sheet (xlsx)') sheet: string | undefined,
    @TextQuery('encoding', 40, 'CSV encoding: utf-8, gbk or gb18030 (default: detected)') encoding: string | undefined,
    @TextQuery('mapping', 20_000, 'Column mapping as JSON (default: the standard headers)') mapping: string | undefined,
    @DateQuery('recordedOn', 'occurredAt of the new events (default: today in Asia/Shanghai)')
    recordedOn: string | undefined,
  ) {
    const report = await this.uploads.upload(department, year, body, {
      contentType,
      fileName,
      dryRun,
      unit,
      sheet,
      encoding,
      mapping,
      recordedOn,
    });
    return createdWhenAccepted(res, report);
  }
}
