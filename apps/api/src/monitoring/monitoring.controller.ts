import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { today } from '#application/common/clock.js';
import { MonitoringFilesService, XLSX_TYPE } from '#application/monitoring/exports/monitoring-files.service.js';
import { MonitoringService } from '#application/monitoring/monitoring.service.js';
import type { Principal } from '#domain/access.js';
import { Access, CurrentPrincipal, ReadAccess } from '../access/access.js';
import { ApiContent, ApiErrors, ApiJson, BINARY, DOWNLOAD_HEADERS, type ErrorSpec } from '../http/openapi.js';
import { DateQuery, DepartmentParam, YearParam, YearQuery } from '../http/params.js';
import { sendAnswer, sendDownload } from '../http/responses.js';
import { MONITORING, MONITORING_ROLLUP } from './monitoring.openapi.js';

const PATH = 'departments/:department/years/:year';
const AsOf = () =>
  DateQuery('asOf', 'Figures and progress as of this date (default: today, or the year end for past years)');
const KnownOn = () => DateQuery('knownOn', 'Only what was recorded (occurredAt) on or before this date');
const TABLE_ERRORS: ErrorSpec[] = [
  400,
  [404, 'No opened year for the department (YearOpened not ingested, not projected yet, or recorded after knownOn)'],
];
const TABLE =
  'The monitoring table (绩效运行监控表, Chinese) in the layout finance bureaus circulate: one table for the ' +
  'department as a whole (部门整体) and one per project, each with 项目名称, 主管部门, 实施单位, the money row ' +
  '(年度预算数, 1—X月执行数 in 万元, 执行率, 序时进度, projection, level, the explanation of the spending) and one ' +
  'row per target (一级/二级/三级指标, 年度指标值, 1—X月实际完成值, 全年预计完成值, 完成目标可能性, 偏差原因分析 with ' +
  'the five causes, 完善措施). Same parameters and access as the JSON answer (a unit reader gets its own projects).';

/** Performance monitoring (绩效运行监控, "双监控"): a department-year, and the finance bureau's roll-up. */
@ApiTags('monitoring')
@Controller('api/v1')
export class MonitoringController {
  constructor(
    private readonly monitoring: MonitoringService,
    private readonly files: MonitoringFilesService,
  ) {}

  /** Sent as the bytes kept with the answer (serialized and compressed once, not per request). */
  @Get('departments/:department/years/:year/monitoring')
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Performance monitoring of a department-year',
    description:
      'Spending and performance targets monitored together "as of" a date (fiscal funds): the department and ' +
      'every project (budget, spending, rate, schedule, lag, level, year-end projection and 预计结转结余), each ' +
      "target's latest progress with its completion ratio and risk, divergence between spending and work, the " +
      'explanation of every unit, line, project and the department at yellow or red (overdue after 10 working ' +
      'days), and every corrective measure with its latest follow-up. `knownOn` answers as known on that date. ' +
      "A unit reader gets its own unit's projects, subjects and measures only (`total` null).",
  })
  @ApiJson(200, 'The monitoring answer', MONITORING)
  @ApiErrors(
    400,
    [404, 'No opened year for the department (YearOpened not ingested, not projected yet, or recorded after knownOn)'],
    503,
  )
  async get(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Req() req: Request,
    @Res() res: Response,
    @DateQuery('asOf', 'Figures and progress as of this date (default: today, or the year end for past years)')
    asOf: string | undefined,
    @DateQuery('knownOn', 'Only what was recorded (occurredAt) on or before this date') knownOn: string | undefined,
  ) {
    sendAnswer(req, res, await this.monitoring.monitoringFor(principal, department, year, { asOf, knownOn }, today()));
  }

  @Get(`${PATH}/monitoring.xlsx`)
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Monitoring table as an Excel workbook',
    description:
      `${TABLE} One sheet per table, merged cells as on paper. A unit fills in the yellow cells and imports the ` +
      'workbook as it is (POST …/imports): the hidden column P marks the sheets and keys the rows.',
  })
  @ApiContent(200, 'The workbook', { [XLSX_TYPE]: BINARY }, DOWNLOAD_HEADERS)
  @ApiErrors(...TABLE_ERRORS, 503)
  async xlsx(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Res() res: Response,
    @AsOf() asOf: string | undefined,
    @KnownOn() knownOn: string | undefined,
  ) {
    sendDownload(res, await this.files.xlsx(principal, department, year, { asOf, knownOn }, today()));
  }

  @Get(`${PATH}/monitoring.html`)
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Monitoring table as HTML',
    description: `${TABLE} A printable page (A4 landscape, one section per table), shown in the browser (inline).`,
  })
  @ApiContent(
    200,
    'The tables as a page',
    { 'text/html': { type: 'string', description: 'HTML (Chinese)' } },
    DOWNLOAD_HEADERS,
  )
  @ApiErrors(...TABLE_ERRORS, 503)
  async html(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Res() res: Response,
    @AsOf() asOf: string | undefined,
    @KnownOn() knownOn: string | undefined,
  ) {
    sendDownload(res, await this.files.html(principal, department, year, { asOf, knownOn }, today()));
  }

  /** Offered when Chromium is installed; otherwise 503 saying so. */
  @Get(`${PATH}/monitoring.pdf`)
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Monitoring table as PDF',
    description:
      `${TABLE} Printed to PDF (A4 landscape, one section per table), to download. Needs Chromium on the ` +
      'server; without it the answer is a 503 with `retryable: false`.',
  })
  @ApiContent(200, 'The PDF', { 'application/pdf': BINARY }, DOWNLOAD_HEADERS)
  @ApiErrors(...TABLE_ERRORS, [
    503,
    'Chromium is not installed (`retryable: false`: PDF is not offered here), or the database is unavailable (`retryable: true`)',
  ])
  async pdf(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Res() res: Response,
    @AsOf() asOf: string | undefined,
    @KnownOn() knownOn: string | undefined,
  ) {
    sendDownload(res, await this.files.pdf(principal, department, year, { asOf, knownOn }, today()));
  }

  @Get('monitoring.xlsx')
  @Access({ kind: 'scoped-list' })
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Monitoring roll-up as an Excel workbook',
    description:
      "The finance bureau's roll-up (same parameters, scope and order as `GET /api/v1/monitoring`) as one sheet, " +
      'worst first: each department-year with its execution level and the counts it is ranked by. Unit readers ' +
      'are refused (403).',
  })
  @ApiContent(200, 'The workbook', { [XLSX_TYPE]: BINARY }, DOWNLOAD_HEADERS)
  @ApiErrors(400, [403, "A unit reader sees only its own unit's figures, not the roll-up"], 503)
  async rollupXlsx(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @YearQuery('Only this year') year: number | undefined,
    @DateQuery('asOf', "Figures as of this date (default: each year's default, as for execution)")
    asOf: string | undefined,
    @KnownOn() knownOn: string | undefined,
  ) {
    sendDownload(res, await this.files.rollupXlsx(principal, { year, asOf, knownOn }, today()));
  }

  @Get('monitoring')
  @Access({ kind: 'scoped-list' })
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Monitoring roll-up of every department-year',
    description:
      "The finance bureau's roll-up: every department-year in the key's scope (of `year` when given) with its " +
      'monitoring summary and alert level, worst first: overdue explanations, then unexplained ones, red ' +
      'projects, targets at risk, divergences, yellow projects. Unit readers are refused (403).',
  })
  @ApiJson(200, 'The department-years, worst first', MONITORING_ROLLUP)
  @ApiErrors(400, [403, "A unit reader sees only its own unit's figures, not the roll-up"], 503)
  rollup(
    @CurrentPrincipal() principal: Principal,
    @YearQuery('Only this year') year: number | undefined,
    @DateQuery('asOf', "Figures as of this date (default: each year's default, as for execution)")
    asOf: string | undefined,
    @DateQuery('knownOn', 'Only what was recorded (occurredAt) on or before this date') knownOn: string | undefined,
  ) {
    return this.monitoring.rollupFor(principal, { year, asOf, knownOn }, today());
  }
}
