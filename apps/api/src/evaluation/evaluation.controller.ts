import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { EvaluationFilesService } from '#application/evaluation/evaluation-files.service.js';
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { ReadAccess } from '../access/access.js';
import { ApiContent, ApiErrors, ApiJson, BINARY, DOWNLOAD_HEADERS, type ErrorSpec } from '../http/openapi.js';
import { DateQuery, DepartmentParam, TextQuery, YearParam } from '../http/params.js';
import { sendAnswer, sendDownload } from '../http/responses.js';
import { EVALUATION } from './evaluation.openapi.js';

const PATH = 'departments/:department/years/:year';
const KnownOn = () => DateQuery('knownOn', 'Score with only what was recorded (occurredAt) on or before this date');
const Framework = () => TextQuery('framework', 100, "Scoring framework id (default: the stream's framework)");
const ERRORS: ErrorSpec[] = [
  [400, 'A bad parameter, or an unknown framework (the known ids are named)'],
  [404, 'No opened year for the department (as known on the date)'],
];

@ApiTags('evaluation')
@Controller('api/v1')
@ReadAccess()
export class EvaluationController {
  constructor(
    private readonly evaluation: EvaluationService,
    private readonly files: EvaluationFilesService,
  ) {}

  /** Sent as the bytes kept with the report (serialized and compressed once, not per request). */
  @Get(`${PATH}/evaluation`)
  @ApiOperation({
    summary: 'Year-end self-evaluation',
    description:
      'The performance self-evaluation (绩效自评) of the department-year scored with a framework: every criterion ' +
      'with its score, formula and inputs (Chinese), subtotals, total and grade, indicator attainment, the check of ' +
      'a submitted self-evaluation, and budget and spending by task. Final once YearClosed is in the log, else a ' +
      'running forecast with a note (Chinese). Gzip-compressed for clients that accept it.',
  })
  @ApiJson(200, 'The self-evaluation', EVALUATION)
  @ApiErrors(...ERRORS, 503)
  async get(
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Req() req: Request,
    @Res() res: Response,
    @KnownOn() knownOn: string | undefined,
    @Framework() framework: string | undefined,
  ) {
    sendAnswer(req, res, await this.evaluation.evaluationCached(department, year, { knownOn, framework }));
  }

  @Get(`${PATH}/evaluation.xlsx`)
  @ApiOperation({
    summary: 'Self-evaluation as an Excel workbook',
    description: 'The scoring table (评分表) of the self-evaluation as an xlsx file (Chinese), to download.',
  })
  @ApiContent(
    200,
    'The workbook',
    { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': BINARY },
    DOWNLOAD_HEADERS,
  )
  @ApiErrors(...ERRORS, 503)
  async xlsx(
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Res() res: Response,
    @KnownOn() knownOn: string | undefined,
    @Framework() framework: string | undefined,
  ) {
    sendDownload(res, await this.files.xlsx(department, year, { knownOn, framework }));
  }

  @Get(`${PATH}/evaluation.html`)
  @ApiOperation({
    summary: 'Self-evaluation report as HTML',
    description: 'The self-evaluation report (Chinese) as a standalone HTML page, shown in the browser (inline).',
  })
  @ApiContent(
    200,
    'The report page',
    { 'text/html': { type: 'string', description: 'HTML (Chinese)' } },
    DOWNLOAD_HEADERS,
  )
  @ApiErrors(...ERRORS, 503)
  async html(
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Res() res: Response,
    @KnownOn() knownOn: string | undefined,
    @Framework() framework: string | undefined,
  ) {
    sendDownload(res, await this.files.html(department, year, { knownOn, framework }));
  }

  /** Offered when Chromium is installed; otherwise 503 saying so. */
  @Get(`${PATH}/evaluation.pdf`)
  @ApiOperation({
    summary: 'Self-evaluation report as PDF',
    description:
      'The self-evaluation report (Chinese) printed to PDF, to download. Needs Chromium on the server; without ' +
      'it the answer is a 503 with `retryable: false`.',
  })
  @ApiContent(200, 'The PDF', { 'application/pdf': BINARY }, DOWNLOAD_HEADERS)
  @ApiErrors(...ERRORS, [
    503,
    'Chromium is not installed (`retryable: false`: PDF is not offered here), or the database is unavailable (`retryable: true`)',
  ])
  async pdf(
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Res() res: Response,
    @KnownOn() knownOn: string | undefined,
    @Framework() framework: string | undefined,
  ) {
    sendDownload(res, await this.files.pdf(department, year, { knownOn, framework }));
  }
}
