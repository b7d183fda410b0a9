/**
 * The dashboard: server-rendered pages (department list at /, one department-year at
 * /dashboard/{department}/{year}, one project at /dashboard/{department}/{year}/projects/{task}),
 * the monitoring forms posted from them (…/explanations, …/progress, …/actions) and their
 * same-origin static files (/static/…, with ECharts served from node_modules: the machine may have
 * no internet, so no CDN).
 */
import { Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createRequire } from 'node:module';
import { today } from '#application/common/clock.js';
import { InvalidInputError } from '#application/common/errors.js';
import type { Principal } from '#domain/access.js';
import type { SourceFilter } from '#domain/execution/execution.js';
import { Access, CurrentPrincipal, Public, ReadAccess, FileAccess } from '../access/access.js';
import { Consumes } from '../http/consumes.js';
import { ApiContent, ApiErrors, ApiPageErrors, ApiRequestBody, RATE_LIMIT_HEADERS } from '../http/openapi.js';
import { DateQuery, DepartmentParam, EnumQuery, SourceQuery, YearParam } from '../http/params.js';
import { IngestRateLimit } from '../http/rate-limit.js';
import { sendPage } from '../http/responses.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './dashboard.assets.js';
import { FIELD_LABELS, FORM_KINDS, readForm, type FormKind } from './dashboard.forms.js';
import { DashboardService } from './dashboard.service.js';

const requireFromHere = createRequire(import.meta.url);
/** ECharts' browser bundle, resolved through the package (works from the sources and from dist/). */
export const ECHARTS_PATH = requireFromHere.resolve('echarts/dist/echarts.min.js');

/** How a browser without a key is answered when keys are required. */
const SIGN_IN = 'A browser (GET accepting text/html) without a valid key is sent to the sign-in page /login';
const LOCATION = { Location: { description: '/login', schema: { type: 'string' } } };

const PAGE = { 'text/html': { type: 'string', description: 'HTML (Chinese)' } };
const FILED_QUERY = () =>
  EnumQuery('filed', FORM_KINDS, 'Set by the redirect after a form was filed: shows its confirmation (Chinese) once');

/** A project (TaskPlanned of kind project) in the path: an identifier, as ingest keys are. */
const TaskParam = (): ParameterDecorator => (target, key, index) => {
  Param('task', {
    transform: (value: unknown) => {
      if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) {
        const reason = `must be a project id of letters, digits, ".", "_" or "-" (1–64 chars), got "${String(value)}"`;
        throw new InvalidInputError(`task: ${reason}`, [{ index: 0, path: 'task', reason }]);
      }
      return value;
    },
  })(target, key, index);
  const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
  if (key !== undefined && descriptor)
    ApiParam({
      name: 'task',
      required: true,
      description: 'Project id (TaskPlanned.task, kind project)',
      schema: { type: 'string' },
    })(target, key, descriptor);
};

/** The form body of each monitoring form (application/x-www-form-urlencoded), for the API document. */
function formBody(kind: FormKind, description: string) {
  const fields = Object.fromEntries(
    Object.entries(FIELD_LABELS[kind]).map(([name, label]) => [name, { type: 'string', description: label }]),
  );
  return ApiRequestBody(description, {
    'application/x-www-form-urlencoded': {
      schema: {
        type: 'object',
        properties: {
          ...fields,
          back: { type: 'string', description: 'The project whose page the form is on (empty: the department page)' },
          pageAsOf: { type: 'string', description: "The page's asOf, kept in the redirect" },
          pageKnownOn: { type: 'string', description: "The page's knownOn, kept in the redirect" },
        },
      },
    },
  });
}

/** What a form post answers (the same for the three forms). */
const FormResponses = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  ApiResponse({
    status: 303,
    description:
      'Filed: the browser is sent back to the page the form was on (Location), which shows the confirmation once',
    headers: {
      Location: {
        description: '/dashboard/{department}/{year}[/projects/{task}]?…&filed=…',
        schema: { type: 'string' },
      },
      ...RATE_LIMIT_HEADERS,
    },
  })(target, key, descriptor);
  ApiContent(
    400,
    'Refused: the page again (Chinese) with the form as it was sent and each error naming its field; nothing was stored',
    PAGE,
  )(target, key, descriptor);
  ApiContent(404, 'No opened year for the department: an HTML page (Chinese) saying so', PAGE)(target, key, descriptor);
  ApiErrors(
    [403, 'A key that may not write the department (finance and unit readers), or a unit key filing for another unit'],
    [413, 'The form is larger than 64 KB'],
    [415, 'A body that is not application/x-www-form-urlencoded'],
    429,
    503,
  )(target, key, descriptor);
};

function sendAsset(res: Response, type: string, body: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache');
  res.send(body);
}

/**
 * Access: the static files are public (code, no data); the list shows the key's departments, a
 * department page needs read access to it. Browsers sign in at /login (the key goes into an
 * HttpOnly, SameSite=Strict cookie), or use the embedded AUTH=off default on 127.0.0.1. Bad
 * parameters and unknown department-years are answered as pages too (the errors filter).
 */
@ApiTags('dashboard')
@Controller()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Access({ kind: 'scoped-list' })
  @ApiOperation({
    summary: 'Dashboard: department list (HTML)',
    description:
      "The dashboard's home page (Chinese): every department-year in the key's scope with its execution rate, " +
      'lag, level, forecast and self-evaluation score. Unit readers are refused (403).',
  })
  @ApiContent(200, 'The page', { 'text/html': { type: 'string', description: 'HTML (Chinese)' } })
  @ApiResponse({ status: 303, description: SIGN_IN, headers: LOCATION })
  @ApiPageErrors([400, 'A bad knownOn: an HTML page (Chinese) saying so'])
  @ApiErrors([403, "A unit reader sees only its own unit's figures, not the department list"], 503)
  async departments(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @DateQuery('knownOn', 'Only what was recorded on or before this date') knownOn: string | undefined,
  ): Promise<void> {
    sendPage(res, 200, await this.dashboard.departmentsPage(principal, knownOn, today()));
  }

  @Get('dashboard/:department/:year')
  @ReadAccess()
  @ApiOperation({
    summary: 'Dashboard: one department-year (HTML)',
    description:
      'The page of one department-year (Chinese): figures, quarter-end rates, the execution curve, open alerts, ' +
      'the latest notices and the self-evaluation scoring table, as of a date, as known on a date, for a fund source.',
  })
  @ApiContent(200, 'The page', { 'text/html': { type: 'string', description: 'HTML (Chinese)' } })
  @ApiResponse({ status: 303, description: SIGN_IN, headers: LOCATION })
  @ApiPageErrors(
    [400, 'A bad parameter: an HTML page (Chinese) saying so'],
    [404, 'No opened year for the department: an HTML page (Chinese) saying so'],
  )
  @ApiErrors(503)
  async department(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @DateQuery('asOf', 'Figures as of this date') asOf: string | undefined,
    @DateQuery('knownOn', 'Only what was recorded on or before this date') knownOn: string | undefined,
    @SourceQuery() source: SourceFilter | undefined,
    @FILED_QUERY() filed: FormKind | undefined,
  ): Promise<void> {
    const p = { asOf, knownOn, source };
    sendPage(res, 200, await this.dashboard.departmentPage(principal, department, year, p, today(), { filed }));
  }

  @Get('dashboard/:department/:year/projects/:task')
  @ReadAccess({ unitScoped: true })
  @ApiOperation({
    summary: 'Dashboard: one project (HTML)',
    description:
      "A project's performance-monitoring page (Chinese): its execution figures, the monthly cumulative spending " +
      "curve against the stream's checkpoints, its targets with their latest progress and completion, the status " +
      'of its explanations and the timeline of explanations, progress measures and their follow-ups, as of a date ' +
      'and as known on a date; keys that may write the department also get the forms (偏差说明, 进度填报, 整改进展) ' +
      "while the year is open. A unit reader sees only its own unit's projects.",
  })
  @ApiContent(200, 'The page', PAGE)
  @ApiResponse({ status: 303, description: SIGN_IN, headers: LOCATION })
  @ApiPageErrors(
    [400, 'A bad parameter: an HTML page (Chinese) saying so'],
    [404, 'No such project (or not yet known on knownOn, or of another unit): an HTML page (Chinese) saying so'],
  )
  @ApiErrors(503)
  async project(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @TaskParam() task: string,
    @DateQuery('asOf', 'Figures and progress as of this date') asOf: string | undefined,
    @DateQuery('knownOn', 'Only what was recorded on or before this date') knownOn: string | undefined,
    @FILED_QUERY() filed: FormKind | undefined,
  ): Promise<void> {
    const q = { asOf, knownOn };
    sendPage(res, 200, await this.dashboard.projectPage(principal, department, year, task, q, today(), { filed }));
  }

  @Post('dashboard/:department/:year/explanations')
  @HttpCode(303)
  @FileAccess()
  @Consumes('application/x-www-form-urlencoded')
  @UseGuards(IngestRateLimit)
  @ApiOperation({
    summary: 'Dashboard form: file a deviation explanation (偏差说明)',
    description:
      'The 偏差说明 form of the department and project pages: a DeviationExplained about the department, a unit, a ' +
      'fiscal budget line or a project, checked (Chinese errors naming the field) and submitted through the same ' +
      'ingest and access rules as POST /api/v1/events, with an id made by the server and occurredAt today ' +
      '(Asia/Shanghai). A same-origin form post: a cross-site Origin is refused (403) before anything runs.',
  })
  @formBody(
    'explanation',
    'The 偏差说明 form: subject (department, unit:ID, line:ID or task:ID), asOf, cause, reason, measure, due',
  )
  @FormResponses()
  async explanation(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.file(principal, 'explanation', department, year, req, res);
  }

  @Post('dashboard/:department/:year/progress')
  @HttpCode(303)
  @FileAccess()
  @Consumes('application/x-www-form-urlencoded')
  @UseGuards(IngestRateLimit)
  @ApiOperation({
    summary: "Dashboard form: report a project target's progress (进度填报)",
    description:
      'The 进度填报 form of the project page: an IndicatorProgressReported for a target of a project, checked ' +
      '(Chinese errors naming the field; 有可能 and 完全不可能 need the deviation and the measure) and submitted ' +
      'through the same ingest and access rules as POST /api/v1/events, with an id made by the server and ' +
      'occurredAt today (Asia/Shanghai).',
  })
  @formBody(
    'progress',
    'The 进度填报 form: indicator, asOf, actual, expectedYearEnd, likelihood (certain, possible, impossible), cause, reason, measure',
  )
  @FormResponses()
  async progress(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.file(principal, 'progress', department, year, req, res);
  }

  @Post('dashboard/:department/:year/actions')
  @HttpCode(303)
  @FileAccess()
  @Consumes('application/x-www-form-urlencoded')
  @UseGuards(IngestRateLimit)
  @ApiOperation({
    summary: "Dashboard form: report a measure's follow-up (整改进展)",
    description:
      'The 整改进展 form of the department and project pages: a CorrectiveActionReported for a measure recorded in ' +
      'the stream (of a DeviationExplained or an IndicatorProgressReported), checked (Chinese errors naming the ' +
      'field) and submitted through the same ingest and access rules as POST /api/v1/events, with an id made by ' +
      'the server and occurredAt today (Asia/Shanghai).',
  })
  @formBody(
    'action',
    "The 整改进展 form: explanation (the measure's event id), on, status (in_progress, done, abandoned), note",
  )
  @FormResponses()
  async action(
    @CurrentPrincipal() principal: Principal,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.file(principal, 'action', department, year, req, res);
  }

  private async file(
    principal: Principal,
    kind: FormKind,
    department: string,
    year: number,
    req: Request,
    res: Response,
  ): Promise<void> {
    const body = await readForm(req);
    const outcome = await this.dashboard.file(principal, kind, department, year, body, today());
    if (outcome.kind === 'redirect') res.redirect(303, outcome.location);
    else sendPage(res, outcome.status, outcome.html);
  }

  @Get('static/echarts.min.js')
  @Public()
  @ApiOperation({
    summary: 'ECharts (static file)',
    description: "The ECharts browser bundle the dashboard's charts use, served from the installed package (no CDN).",
  })
  @ApiContent(200, 'JavaScript', { 'text/javascript': { type: 'string' } })
  echarts(@Res() res: Response): void {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(ECHARTS_PATH, { maxAge: '1d' });
  }

  @Get('static/dashboard.js')
  @Public()
  @ApiOperation({
    summary: "The dashboard's script (static file)",
    description: 'The JavaScript of the dashboard pages.',
  })
  @ApiContent(200, 'JavaScript', { 'text/javascript': { type: 'string' } })
  script(@Res() res: Response): void {
    sendAsset(res, 'text/javascript; charset=utf-8', DASHBOARD_JS);
  }

  @Get('static/dashboard.css')
  @Public()
  @ApiOperation({ summary: "The dashboard's stylesheet (static file)", description: 'The CSS of the dashboard pages.' })
  @ApiContent(200, 'CSS', { 'text/css': { type: 'string' } })
  style(@Res() res: Response): void {
    sendAsset(res, 'text/css; charset=utf-8', DASHBOARD_CSS);
  }
}
