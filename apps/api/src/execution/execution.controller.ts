import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { today } from '#application/common/clock.js';
import { ExecutionService } from '#application/execution/execution.service.js';
import { ProjectionsService } from '#application/execution/projections.service.js';
import type { SourceFilter } from '#domain/execution/execution.js';
import type { Principal } from '#domain/access.js';
import { Access, CurrentPrincipal, ReadAccess } from '../access/access.js';
import { ApiErrors, ApiJson } from '../http/openapi.js';
import { DateQuery, DepartmentParam, IntQuery, SourceQuery, TextQuery, YearParam } from '../http/params.js';
import { sendAnswer } from '../http/responses.js';
import { EXECUTION, PROJECTIONS, QUARTERS } from './execution.openapi.js';

const NOT_OPENED: [404, string] = [
  404,
  'No opened year for the department (YearOpened not ingested, or not projected yet)',
];

@ApiTags('execution')
@Controller('api/v1')
export class ExecutionController {
  constructor(
    private readonly execution: ExecutionService,
    private readonly status: ProjectionsService,
  ) {}

  /** Sent as the bytes kept with the answer (serialized and compressed once, not per request). */
  @Get('departments/:department/years/:year/execution')
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Execution of a department-year',
    description:
      'Budget, spending, execution rate, schedule (序时进度), lag and alert level "as of" a date for the department, ' +
      'every unit and every budget line, with run-rate forecasts to the next quarter checkpoint and the year end. ' +
      'Amounts and rates are decimal strings; names are Chinese. `knownOn` answers as the figures were known on ' +
      'that date (replays). A unit reader gets its own unit and lines only (`total` null). Gzip-compressed for ' +
      'clients that accept it.',
  })
  @ApiJson(200, 'The execution figures', EXECUTION)
  @ApiErrors(400, NOT_OPENED, 503)
  async get(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Req() req: Request,
    @Res() res: Response,
    @DateQuery('asOf', 'Figures as of this date (default: today, or the year end for past years)')
    asOf: string | undefined,
    @DateQuery('knownOn', 'Only what was recorded (occurredAt) on or before this date') knownOn: string | undefined,
    @SourceQuery() source: SourceFilter | undefined,
    @IntQuery('runRateMonths', 1, 12, 'Months of spending the year-end forecast extrapolates (default 3)')
    runRateMonths: number | undefined,
  ) {
    const p = { asOf, knownOn, source, runRateMonths };
    sendAnswer(req, res, await this.execution.executionFor(principal, department, year, p, today()));
  }

  @Get('departments/:department/years/:year/execution/quarters')
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Quarter-end execution rates',
    description:
      "Budget, cumulative spending, rate, lag and alert level at each quarter end against the stream's schedule " +
      'and thresholds, as corrected or as known on a date: of the department, of one unit (`unit`) or of one budget ' +
      "line (`line`). A unit reader gets its own unit's, and another unit is a 403.",
  })
  @ApiJson(200, 'The four quarter ends', QUARTERS)
  @ApiErrors(
    400,
    [403, 'A unit reader asked for another unit'],
    [404, 'No opened year (as known on the date), or no such unit or line (as known on the date)'],
    503,
  )
  async quarters(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Req() req: Request,
    @Res() res: Response,
    @DateQuery('knownOn', 'Only what was recorded (occurredAt) on or before this date') knownOn: string | undefined,
    @SourceQuery() source: SourceFilter | undefined,
    @TextQuery('unit', 64, "Only this unit's lines") unit: string | undefined,
    @TextQuery('line', 64, 'Only this budget line') line: string | undefined,
  ) {
    const p = { knownOn, source };
    sendAnswer(req, res, await this.execution.quartersFor(principal, department, year, p, { unit, line }));
  }

  /** Projected streams and how many have their default answers precomputed for their current version. */
  @Get('projections')
  @Access({ kind: 'admin' })
  @ApiOperation({
    summary: 'Projection status',
    description:
      "The execution projector's position and lag behind the log, and how many default answers are precomputed.",
  })
  @ApiJson(200, 'The status', PROJECTIONS)
  @ApiErrors(503)
  projections() {
    return this.status.status();
  }
}
