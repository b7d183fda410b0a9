/**
 * The dashboard: server-rendered pages (department list at /, one department-year at
 * /dashboard/{department}/{year}) and their same-origin static files (/static/…, with ECharts
 * served from node_modules: the machine may have no internet, so no CDN).
 */
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { createRequire } from 'node:module';
import { InvalidInputError, NotFoundError } from '#application/common/errors.js';
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { ExecutionService, shanghaiDate } from '#application/execution/execution.service.js';
import type { OverviewService } from '#application/overview/overview.service.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { inScope, type Principal } from '#domain/access.js';
import { Access, AuthError, CurrentPrincipal, Public, ReadAccess } from '../access/access.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './dashboard.assets.js';
import { DASHBOARD_CSP, departmentPageHtml, departmentsPageHtml, errorPageHtml } from './dashboard.html.js';
import { overviewService, parseSourceParam } from '../execution/overview.controller.js';
import { parseDateParam, parseDepartment, parseYear } from '../http/params.js';

const requireFromHere = createRequire(import.meta.url);
/** ECharts' browser bundle, resolved through the package (works from the sources and from dist/). */
export const ECHARTS_PATH = requireFromHere.resolve('echarts/dist/echarts.min.js');

function sendPage(res: Response, status: number, body: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}

function sendAsset(res: Response, type: string, body: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache');
  res.send(body);
}

/**
 * Access: the static files are public (code, no data); the list shows the key's departments, a
 * department page needs read access to it. Browsers sign in at /login (the key goes into an
 * HttpOnly, SameSite=Strict cookie), or use the embedded AUTH=off default on 127.0.0.1.
 */
@Controller()
export class DashboardController {
  private readonly overview: OverviewService;

  constructor(
    repo: ExecutionRepository,
    execution: ExecutionService,
    evaluation: EvaluationService,
    notices: NoticesRepository,
  ) {
    this.overview = overviewService(repo, execution, evaluation, notices);
  }

  /** Bad parameters and unknown department-years as HTML pages; anything else to the errors filter. */
  private async render(res: Response, build: () => Promise<string>): Promise<void> {
    try {
      sendPage(res, 200, await build());
    } catch (e) {
      if (e instanceof InvalidInputError) return sendPage(res, 400, errorPageHtml(400, e.message));
      if (e instanceof NotFoundError) return sendPage(res, 404, errorPageHtml(404, e.message));
      throw e;
    }
  }

  @Get()
  @Access({ kind: 'scoped-list' })
  async departments(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Query('knownOn') knownOn?: string,
  ): Promise<void> {
    if (principal.role === 'unit') throw new AuthError(403, '科室只读密钥只能查看本科室的数据，不能查看部门列表');
    await this.render(res, async () => {
      const list = await this.overview.departments(
        { knownOn: parseDateParam('knownOn', knownOn) },
        shanghaiDate(new Date()),
      );
      return departmentsPageHtml({
        ...list,
        departments: list.departments.filter((d) => inScope(principal, d.department)),
      });
    });
  }

  @Get('dashboard/:department/:year')
  @ReadAccess()
  async department(
    @Res() res: Response,
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('asOf') asOf?: string,
    @Query('knownOn') knownOn?: string,
    @Query('source') source?: string,
  ): Promise<void> {
    await this.render(res, async () => {
      const q = {
        asOf: parseDateParam('asOf', asOf),
        knownOn: parseDateParam('knownOn', knownOn),
        source: parseSourceParam(source),
      };
      const d = await this.overview.departmentPage(
        parseDepartment(department),
        parseYear(year),
        q,
        shanghaiDate(new Date()),
      );
      return departmentPageHtml(d, q);
    });
  }

  @Get('static/echarts.min.js')
  @Public()
  echarts(@Res() res: Response): void {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(ECHARTS_PATH, { maxAge: '1d' });
  }

  @Get('static/dashboard.js')
  @Public()
  script(@Res() res: Response): void {
    sendAsset(res, 'text/javascript; charset=utf-8', DASHBOARD_JS);
  }

  @Get('static/dashboard.css')
  @Public()
  style(@Res() res: Response): void {
    sendAsset(res, 'text/css; charset=utf-8', DASHBOARD_CSS);
  }
}
