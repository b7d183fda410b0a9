import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { unitLimit, type Principal } from '#domain/access.js';
import { Access, CurrentPrincipal, ReadAccess } from '../access/access.js';
import { InvalidInputError } from '#application/common/errors.js';
import { ANSWER_FORMAT } from '#application/answers/answer-format.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { AnswersRepository } from '#persistence/answers.repository.js';
import { ExecutionService, shanghaiDate } from '#application/execution/execution.service.js';
import type { SourceFilter } from '#domain/execution/execution.js';
import { JSON_TYPE, sendAnswer } from '../http/json-body.js';
import { parseDateParam, parseDepartment, parseIntParam, parseYear } from '../http/params.js';

function parseSource(value: string | undefined): SourceFilter {
  if (value === undefined || value === '') return 'fiscal';
  if (value !== 'fiscal' && value !== 'all') {
    throw new InvalidInputError('source: must be "fiscal" or "all"', [
      { index: 0, path: 'source', reason: `must be "fiscal" or "all", got "${value}"` },
    ]);
  }
  return value;
}

@Controller('api/v1')
export class ExecutionController {
  constructor(
    private readonly execution: ExecutionService,
    private readonly projector: ExecutionProjector,
    private readonly answers: AnswersRepository,
  ) {}

  /** Cached answers are sent as the bytes kept with them (serialized and compressed once, not per request). */
  @Get('departments/:department/years/:year/execution')
  @ReadAccess({ unitScoped: true })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('department') department: string,
    @Param('year') year: string,
    @Req() req: Request,
    @Res() res: Response,
    @Query('asOf') asOf?: string,
    @Query('knownOn') knownOn?: string,
    @Query('source') source?: string,
    @Query('runRateMonths') runRateMonths?: string,
  ) {
    const own = unitLimit(principal);
    const dep = parseDepartment(department);
    const y = parseYear(year);
    const params = {
      asOf: parseDateParam('asOf', asOf),
      knownOn: parseDateParam('knownOn', knownOn),
      source: parseSource(source),
      runRateMonths: parseIntParam('runRateMonths', runRateMonths, 3, 1, 12),
    };
    const today = shanghaiDate(new Date());
    if (own === null) return sendAnswer(req, res, await this.execution.executionCached(dep, y, params, today));
    res
      .status(200)
      .type(JSON_TYPE)
      .send(JSON.stringify(await this.execution.unitExecution(dep, y, own, params, today)));
  }

  @Get('departments/:department/years/:year/execution/quarters')
  @ReadAccess({ unitScoped: true })
  async quarters(
    @CurrentPrincipal() principal: Principal,
    @Param('department') department: string,
    @Param('year') year: string,
    @Req() req: Request,
    @Res() res: Response,
    @Query('knownOn') knownOn?: string,
    @Query('source') source?: string,
  ) {
    sendAnswer(
      req,
      res,
      await this.execution.quartersCached(
        parseDepartment(department),
        parseYear(year),
        { knownOn: parseDateParam('knownOn', knownOn), source: parseSource(source) },
        unitLimit(principal),
      ),
    );
  }

  @Get('projections')
  @Access({ kind: 'admin' })
  async projections() {
    // answers: projected streams, and how many have their default answers precomputed for their current version.
    return {
      projections: [await this.projector.status()],
      answers: { format: ANSWER_FORMAT, ...(await this.answers.coverage(ANSWER_FORMAT)) },
    };
  }
}
