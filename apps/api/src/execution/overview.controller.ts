import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { today } from '#application/common/clock.js';
import { OverviewService } from '#application/overview/overview.service.js';
import type { Principal } from '#domain/access.js';
import type { SourceFilter } from '#domain/execution/execution.js';
import { Access, CurrentPrincipal, ReadAccess } from '../access/access.js';
import { ApiErrors, ApiJson } from '../http/openapi.js';
import { DateQuery, DepartmentParam, SourceQuery, YearParam, YearQuery } from '../http/params.js';
import { CURVE, DEPARTMENT_LIST } from './execution.openapi.js';

/** Data for the dashboard: the department list and the cumulative execution curve. */
@ApiTags('overview')
@Controller('api/v1')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  /**
   * Every department-year with its current fiscal rate, lag, level, unit levels and forecast score:
   * those of the key's departments (department totals, so not for unit readers).
   */
  @Get('departments')
  @Access({ kind: 'scoped-list' })
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Department list',
    description:
      "Every department-year in the key's scope with its current fiscal execution rate, lag, level, units by " +
      'level, forecast and self-evaluation score (what the dashboard home page shows). Names are Chinese. ' +
      'Unit readers are refused (403): the list shows department totals.',
  })
  @ApiJson(200, 'The department-years', DEPARTMENT_LIST)
  @ApiErrors(400, [403, "A unit reader sees only its own unit's figures, not the department list"], 503)
  departments(
    @CurrentPrincipal() principal: Principal,
    @YearQuery('Only this year') year: number | undefined,
    @DateQuery('knownOn', 'Only what was recorded (occurredAt) on or before this date') knownOn: string | undefined,
  ) {
    return this.overview.departmentsFor(principal, { year, knownOn }, today());
  }

  /** Cumulative rate per month 1..12 for the department and each unit, with the month-linear schedule. */
  @Get('departments/:department/years/:year/execution/curve')
  @ReadAccess()
  @ApiOperation({
    summary: 'Cumulative execution curve',
    description:
      'Budget, cumulative spending and rate at each month end (January–December) for the department and each ' +
      'unit, with the month-linear schedule: the dashboard chart. Months after `asOf` are null.',
  })
  @ApiJson(200, 'The curve', CURVE)
  @ApiErrors(400, [404, 'No opened year for the department'], 503)
  curve(
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @DateQuery('knownOn', 'Only what was recorded (occurredAt) on or before this date') knownOn: string | undefined,
    @SourceQuery() source: SourceFilter | undefined,
    @DateQuery('asOf', 'Months after the one this date falls in have no figures') asOf: string | undefined,
  ) {
    return this.overview.curve(department, year, { knownOn, source, asOf }, today());
  }
}
