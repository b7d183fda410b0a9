import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { unitLimit, type Principal } from '#domain/access.js';
import { AuthError, CurrentPrincipal, ReadAccess, WriteAccess } from '../access/access.js';
import type { Response } from 'express';
import { InvalidInputError, NotFoundError } from '#application/common/errors.js';
import { shanghaiDate } from '#application/execution/execution.service.js';
import { MonthCloseService } from '#application/notices/month-close.service.js';
import { streamId } from '#domain/events.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { parseDateParam, parseDepartment, parseIntParam, parseYear } from '../http/params.js';

function parseBool(field: string, value: unknown): boolean {
  if (value === undefined || value === '' || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new InvalidInputError(`${field}: must be true or false`, [
    { index: 0, path: field, reason: `must be true or false, got ${JSON.stringify(value)}` },
  ]);
}

function parseStatus(value: string | undefined): 'open' | 'cleared' | 'all' {
  if (value === undefined || value === '') return 'all';
  if (value !== 'open' && value !== 'cleared' && value !== 'all') {
    throw new InvalidInputError('status: must be open, cleared or all', [
      { index: 0, path: 'status', reason: `must be "open", "cleared" or "all", got "${value}"` },
    ]);
  }
  return value;
}

interface CloseBody {
  reissue?: boolean;
  reason?: string;
  knownOn?: string;
}

@Controller('api/v1/departments/:department/years/:year')
export class NoticesController {
  constructor(
    private readonly closes: MonthCloseService,
    private readonly notices: NoticesRepository,
  ) {}

  /** Closes a month: notices for every unit and the department, alerts, deliveries. */
  @Post('months/:month/close')
  @HttpCode(200)
  @WriteAccess()
  async close(
    @Param('department') department: string,
    @Param('year') year: string,
    @Param('month') month: string,
    @Body() body: CloseBody | undefined,
  ) {
    const b = body ?? {};
    for (const k of Object.keys(b)) {
      if (!['reissue', 'reason', 'knownOn'].includes(k))
        throw new InvalidInputError(`unknown field ${k}`, [
          { index: 0, path: k, reason: 'unknown field (allowed: reissue, reason, knownOn)' },
        ]);
    }
    if (b.reason !== undefined && (typeof b.reason !== 'string' || b.reason.length > 500)) {
      throw new InvalidInputError('reason: must be a string of at most 500 characters', [
        { index: 0, path: 'reason', reason: 'must be a string of at most 500 characters' },
      ]);
    }
    return this.closes.close(parseDepartment(department), parseYear(year), parseIntParam('month', month, 0, 1, 12), {
      reissue: parseBool('reissue', b.reissue),
      reason: b.reason,
      knownOn: parseDateParam('knownOn', b.knownOn) ?? null,
      closedBy: 'api',
      today: shanghaiDate(new Date()),
    });
  }

  @Get('months')
  @ReadAccess()
  async months(@Param('department') department: string, @Param('year') year: string) {
    return { months: await this.notices.months(streamId(parseDepartment(department), parseYear(year))) };
  }

  @Get('notices')
  @ReadAccess({ unitScoped: true })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('month') month?: string,
    @Query('unit') unit?: string,
  ) {
    const stream = streamId(parseDepartment(department), parseYear(year));
    const own = unitLimit(principal);
    if (own !== null && unit && unit !== own)
      throw new AuthError(403, `a unit reader sees only the notices of unit "${own}"`);
    const rows = await this.notices.listNotices(stream, {
      month: month ? parseIntParam('month', month, 0, 1, 12) : undefined,
      subject: own ?? (unit || undefined),
    });
    return { notices: rows.map(({ markdown: _m, html: _h, content: _c, ...rest }) => rest) };
  }

  /** One notice (latest revision unless ?revision=), as JSON, Markdown (?format=markdown) or HTML (?format=html). */
  @Get('notices/:subject/:month')
  @ReadAccess({ unitScoped: true })
  async one(
    @CurrentPrincipal() principal: Principal,
    @Param('department') department: string,
    @Param('year') year: string,
    @Param('subject') subject: string,
    @Param('month') month: string,
    @Query('revision') revision: string | undefined,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const dep = parseDepartment(department);
    const y = parseYear(year);
    const m = parseIntParam('month', month, 0, 1, 12);
    const own = unitLimit(principal);
    if (own !== null && subject !== own)
      throw new AuthError(403, `a unit reader sees only the notices of unit "${own}"`);
    const id = `notice:${dep}:${y}:${subject}:${m}`;
    const n = await this.notices.getNotice(id, revision ? parseIntParam('revision', revision, 1, 1, 1000) : undefined);
    if (!n)
      throw new NotFoundError(`no notice ${id}${revision ? ` revision ${revision}` : ''}: has month ${m} been closed?`);
    if (format === 'html') {
      res.type('text/html; charset=utf-8');
      return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(n.title)}</title></head><body>${n.html}</body></html>`;
    }
    if (format === 'markdown') {
      res.type('text/markdown; charset=utf-8');
      return n.markdown;
    }
    if (format !== undefined && format !== 'json') {
      throw new InvalidInputError('format: must be json, markdown or html', [
        { index: 0, path: 'format', reason: `must be "json", "markdown" or "html", got "${format}"` },
      ]);
    }
    return n;
  }

  @Get('alerts')
  @Header('cache-control', 'no-store')
  @ReadAccess({ unitScoped: true })
  async alerts(
    @CurrentPrincipal() principal: Principal,
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('status') status?: string,
    @Query('unit') unit?: string,
  ) {
    const stream = streamId(parseDepartment(department), parseYear(year));
    const own = unitLimit(principal);
    if (own !== null && unit && unit !== own)
      throw new AuthError(403, `a unit reader sees only the alerts of unit "${own}"`);
    const all = await this.notices.listAlerts(stream, parseStatus(status), own ?? (unit || undefined));
    return { open: all.filter((a) => a.status === 'open'), past: all.filter((a) => a.status === 'cleared') };
  }
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
