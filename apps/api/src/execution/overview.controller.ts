import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { inScope, type Principal } from '#domain/access.js';
import { Access, AuthError, CurrentPrincipal, ReadAccess } from '../access/access.js';
import { InvalidInputError } from '#application/common/errors.js';
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { ExecutionService, shanghaiDate } from '#application/execution/execution.service.js';
import { OverviewService } from '#application/overview/overview.service.js';
import type { SourceFilter } from '#domain/execution/execution.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { parseDateParam, parseDepartment, parseIntParam, parseYear } from '../http/params.js';

export function parseSourceParam(value: string | undefined): SourceFilter {
  if (value === undefined || value === '') return 'fiscal';
  if (value !== 'fiscal' && value !== 'all') {
    throw new InvalidInputError('source: must be "fiscal" or "all"', [
      { index: 0, path: 'source', reason: `must be "fiscal" or "all", got "${value}"` },
    ]);
  }
  return value;
}

/** The overview service over the modules' providers (the controller wires it: no module of its own). */
export function overviewService(
  repo: ExecutionRepository,
  execution: ExecutionService,
  evaluation: EvaluationService,
  notices: NoticesRepository,
): OverviewService {
  return new OverviewService(repo, execution, evaluation, notices);
}

/** Data for the dashboard: the department list and the cumulative execution curve. */
@Controller('api/v1')
export class OverviewController {
  private readonly overview: OverviewService;

  constructor(
    repo: ExecutionRepository,
    execution: ExecutionService,
    evaluation: EvaluationService,
    notices: NoticesRepository,
  ) {
    this.overview = overviewService(repo, execution, evaluation, notices);
  }

  /**
   * Every department-year with its current fiscal rate, lag, level, unit levels and forecast score:
   * those of the key's departments (department totals, so not for unit readers).
   */
  @Get('departments')
  @Access({ kind: 'scoped-list' })
  @Header('cache-control', 'no-store')
  async departments(
    @CurrentPrincipal() principal: Principal,
    @Query('year') year?: string,
    @Query('knownOn') knownOn?: string,
  ) {
    if (principal.role === 'unit')
      throw new AuthError(403, "a unit reader sees only its own unit's figures, not the department list");
    const list = await this.overview.departments(
      {
        year: year ? parseIntParam('year', year, 0, 2000, 2100) : undefined,
        knownOn: parseDateParam('knownOn', knownOn),
      },
      shanghaiDate(new Date()),
    );
    return { ...list, departments: list.departments.filter((d) => inScope(principal, d.department)) };
  }

  /** Cumulative rate per month 1..12 for the department and each unit, with the month-linear schedule. */
  @Get('departments/:department/years/:year/execution/curve')
  @ReadAccess()
  async curve(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('knownOn') knownOn?: string,
    @Query('source') source?: string,
    @Query('asOf') asOf?: string,
  ) {
    return this.overview.curve(
      parseDepartment(department),
      parseYear(year),
      {
        knownOn: parseDateParam('knownOn', knownOn),
        source: parseSourceParam(source),
        asOf: parseDateParam('asOf', asOf),
      },
      shanghaiDate(new Date()),
    );
  }
}
