import { Controller, Get, Param, Query } from '@nestjs/common';
import { InvalidInputError } from '../../../libs/application/errors.js';
import { ExecutionProjector } from '../../../libs/application/execution.projector.js';
import { ExecutionService, shanghaiDate } from '../../../libs/application/execution.service.js';
import type { SourceFilter } from '../../../libs/domain/execution/execution.js';
import { parseDateParam, parseDepartment, parseIntParam, parseYear } from './params.js';

function parseSource(value: string | undefined): SourceFilter {
  if (value === undefined || value === '') return 'fiscal';
  if (value !== 'fiscal' && value !== 'all') {
    throw new InvalidInputError('source: must be "fiscal" or "all"', [{ index: 0, path: 'source', reason: `must be "fiscal" or "all", got "${value}"` }]);
  }
  return value;
}

@Controller('api/v1')
export class ExecutionController {
  constructor(
    private readonly execution: ExecutionService,
    private readonly projector: ExecutionProjector,
  ) {}

  @Get('departments/:department/years/:year/execution')
  async get(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('asOf') asOf?: string,
    @Query('knownOn') knownOn?: string,
    @Query('source') source?: string,
    @Query('runRateMonths') runRateMonths?: string,
  ) {
    return this.execution.execution(
      parseDepartment(department),
      parseYear(year),
      {
        asOf: parseDateParam('asOf', asOf),
        knownOn: parseDateParam('knownOn', knownOn),
        source: parseSource(source),
        runRateMonths: parseIntParam('runRateMonths', runRateMonths, 3, 1, 12),
      },
      shanghaiDate(new Date()),
    );
  }

  @Get('departments/:department/years/:year/execution/quarters')
  async quarters(@Param('department') department: string, @Param('year') year: string, @Query('knownOn') knownOn?: string, @Query('source') source?: string) {
    return this.execution.quarters(parseDepartment(department), parseYear(year), { knownOn: parseDateParam('knownOn', knownOn), source: parseSource(source) });
  }

  @Get('projections')
  async projections() {
    return { projections: [await this.projector.status()] };
  }
}
