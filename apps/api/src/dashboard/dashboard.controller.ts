/**
 * The dashboard: server-rendered pages (department list at /, one department-year at
 * /dashboard/{department}/{year}) and their same-origin static files (/static/…, with ECharts
 * served from node_modules: the machine may have no internet, so no CDN).
 */
import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { createRequire } from 'node:module';
import { today } from '#application/common/clock.js';
import type { Principal } from '#domain/access.js';
import type { SourceFilter } from '#domain/execution/execution.js';
import { Access, CurrentPrincipal, Public, ReadAccess } from '../access/access.js';
import { ApiContent, ApiErrors, ApiPageErrors } from '../http/openapi.js';
import { DateQuery, DepartmentParam, SourceQuery, YearParam } from '../http/params.js';
import { sendPage } from '../http/responses.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './dashboard.assets.js';
import { DashboardService } from './dashboard.service.js';

const requireFromHere = createRequire(import.meta.url);
/** ECharts' browser bundle, resolved through the package (works from the sources and from dist/). */
export const ECHARTS_PATH = requireFromHere.resolve('echarts/dist/echarts.min.js');

/** How a browser without a key is answered when keys are required. */
const SIGN_IN = 'A browser (GET accepting text/html) without a valid key is sent to the sign-in page /login';
const LOCATION = { Location: { description: '/login', schema: { type: 'string' } } };

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
    @Res() res: Response,
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @DateQuery('asOf', 'Figures as of this date') asOf: string | undefined,
    @DateQuery('knownOn', 'Only what was recorded on or before this date') knownOn: string | undefined,
    @SourceQuery() source: SourceFilter | undefined,
  ): Promise<void> {
    sendPage(res, 200, await this.dashboard.departmentPage(department, year, { asOf, knownOn, source }, today()));
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
