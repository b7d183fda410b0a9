import { Controller, Get, Header, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { today } from '#application/common/clock.js';
import { parseCloseRequest, type CloseRequest } from '#application/notices/close-request.js';
import { MonthCloseService } from '#application/notices/month-close.service.js';
import { NoticesService, type AlertStatus, type NoticeFormat } from '#application/notices/notices.service.js';
import type { Principal } from '#domain/access.js';
import { CurrentPrincipal, ReadAccess, WriteAccess } from '../access/access.js';
import { ParsedBody } from '../http/body.js';
import { ApiContent, ApiErrors, ApiJson, ApiRequestBody } from '../http/openapi.js';
import {
  DepartmentParam,
  EnumQuery,
  IntQuery,
  MonthParam,
  SubjectParam,
  TextQuery,
  YearParam,
} from '../http/params.js';
import { sendDocument } from '../http/responses.js';
import { ALERTS, CLOSE_BODY, CLOSE_RESULT, MONTHS, NOTICE, NOTICE_LIST } from './notices.openapi.js';

@ApiTags('notices')
@Controller('api/v1/departments/:department/years/:year')
export class NoticesController {
  constructor(
    private readonly closes: MonthCloseService,
    private readonly notices: NoticesService,
  ) {}

  /** Closes a month: notices for every unit and the department, alerts, deliveries. */
  @Post('months/:month/close')
  @HttpCode(200)
  @WriteAccess()
  @ApiOperation({
    summary: 'Close a month',
    description:
      'After a month ended, issues the monthly notices (通报, Chinese: one department summary and one per unit), ' +
      'evaluates early alerts and queues their deliveries to the subscriptions, all in one transaction. Closing ' +
      'a month again does nothing (`already-closed`) unless `reissue` is true with a `reason`: then new revisions ' +
      'are issued. `knownOn` closes with the figures as known on that date (replays of past years).',
  })
  @ApiRequestBody('Optional close options (JSON)', { 'application/json': { schema: CLOSE_BODY } }, false)
  @ApiJson(200, 'What the close did', CLOSE_RESULT)
  @ApiErrors(
    [400, 'A bad parameter or field, a month that has not ended yet, or a re-issue without a reason'],
    [404, 'No opened year for the department'],
    [413, 'The body is larger than 1 MB'],
    [415, 'A body that is not application/json'],
    503,
  )
  close(
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @MonthParam() month: number,
    @ParsedBody(parseCloseRequest) request: CloseRequest,
  ) {
    return this.closes.close(department, year, month, { ...request, closedBy: 'api', today: today() });
  }

  @Get('months')
  @ReadAccess()
  @ApiOperation({
    summary: 'Closed months',
    description: 'The months of the year that were closed, when, by whom and from which figures.',
  })
  @ApiJson(200, 'The closed months (empty for an unknown department-year)', MONTHS)
  @ApiErrors(400, 503)
  months(@DepartmentParam() department: string, @YearParam() year: number) {
    return this.notices.months(department, year);
  }

  @Get('notices')
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Issued notices',
    description:
      'The notices issued for the year (latest revision of each), without their bodies, by month and unit when ' +
      "asked. Titles are Chinese. A unit reader gets its own unit's only.",
  })
  @ApiJson(200, 'The notices (empty for an unknown department-year)', NOTICE_LIST)
  @ApiErrors(400, [403, "A unit reader asked for another unit's notices"], 503)
  list(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @IntQuery('month', 1, 12, 'Only the notices of this month') month: number | undefined,
    @TextQuery('unit', 64, 'Only the notices of this unit ("department" for the summary)') unit: string | undefined,
  ) {
    return this.notices.list(principal, department, year, { month, unit });
  }

  /** One notice (latest revision unless ?revision=), as JSON, Markdown (?format=markdown) or HTML (?format=html). */
  @Get('notices/:subject/:month')
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'One notice',
    description:
      'One monthly notice (Chinese) of a unit or the department ("department"), latest revision unless ' +
      '`revision` is given: as JSON with its Markdown and HTML bodies and data (default), as Markdown ' +
      '(`format=markdown`) or as a standalone HTML page (`format=html`).',
  })
  @ApiContent(200, 'The notice in the format asked', {
    'application/json': NOTICE,
    'text/markdown': { type: 'string', description: 'The notice as Markdown (Chinese)' },
    'text/html': { type: 'string', description: 'The notice as a standalone HTML page (Chinese)' },
  })
  @ApiErrors(
    400,
    [403, "A unit reader asked for another unit's notice"],
    [404, 'No such notice (or revision): has the month been closed?'],
    503,
  )
  async one(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @SubjectParam() subject: string,
    @MonthParam() month: number,
    @IntQuery('revision', 1, 1000, 'A revision (default: the latest)') revision: number | undefined,
    @EnumQuery('format', ['json', 'markdown', 'html'] as const, 'json (default), markdown or html')
    format: NoticeFormat | undefined,
    @Res() res: Response,
  ) {
    sendDocument(res, await this.notices.notice(principal, department, year, subject, month, { revision, format }));
  }

  @Get('alerts')
  @Header('cache-control', 'no-store')
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Early alerts',
    description:
      'Alerts raised by month closes (lag level worsened, or the run rate will miss the next checkpoint) and ' +
      "those cleared since, with their figures and messages (Chinese). A unit reader gets its own unit's only.",
  })
  @ApiJson(200, 'Open and past alerts (empty for an unknown department-year)', ALERTS)
  @ApiErrors(400, [403, "A unit reader asked for another unit's alerts"], 503)
  alerts(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @EnumQuery('status', ['open', 'cleared', 'all'] as const, 'open, cleared or all (default)')
    status: AlertStatus | undefined,
    @TextQuery('unit', 64, 'Only the alerts of this unit ("department" for the department)') unit: string | undefined,
  ) {
    return this.notices.alerts(principal, department, year, { status, unit });
  }
}
