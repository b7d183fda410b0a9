import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SessionsService } from '#application/access/sessions.service.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { Public, SESSION_COOKIE, sessionToken } from './access.js';
import { DASHBOARD_CSP, loginPageHtml } from '../dashboard/dashboard.html.js';
import { ParsedBody } from '../http/body.js';
import { ApiContent, ApiErrors, ApiRequestBody } from '../http/openapi.js';
import { Consumes } from '../http/consumes.js';

/** The key typed into the sign-in form ('' when there is none). */
function signInKey(body: unknown): string {
  const key = (body as { key?: unknown } | undefined)?.key;
  return typeof key === 'string' ? key.trim() : '';
}

function sendLogin(res: Response, status: number, message: string | null): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.send(loginPageHtml(message));
}

/** Browser sign-in for the dashboard when API keys are required. */
const PAGE = { 'text/html': { type: 'string', description: 'The sign-in page (Chinese)' } };

@ApiTags('session')
@Controller()
@Public()
export class SessionController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('login')
  @ApiOperation({
    summary: 'Sign-in page (HTML)',
    description: 'The sign-in form (Chinese) where a browser enters its API key for the dashboard.',
  })
  @ApiContent(200, 'The page', PAGE)
  page(@Res() res: Response): void {
    sendLogin(res, 200, null);
  }

  @Post('login')
  @Consumes('application/x-www-form-urlencoded')
  @HttpCode(303)
  @ApiOperation({
    summary: 'Sign in (browser)',
    description:
      'Checks the API key from the sign-in form and opens a session: the `paceline_session` cookie carries a random ' +
      'token (never the key; HttpOnly, SameSite=Strict, SESSION_HOURS long, Secure when SESSION_COOKIE_SECURE is on) ' +
      'that authenticates the dashboard and the API from this browser until sign-out, expiry or the key is revoked.',
  })
  @ApiRequestBody('The sign-in form', {
    'application/x-www-form-urlencoded': {
      schema: {
        type: 'object',
        properties: { key: { type: 'string', description: 'The API key pl_…' } },
        required: ['key'],
      },
    },
  })
  @ApiResponse({
    status: 303,
    description: 'Signed in: the cookie is set and the browser is sent to the dashboard /',
    headers: {
      'Set-Cookie': {
        description: 'paceline_session=…; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200[; Secure]',
        schema: { type: 'string' },
      },
      Location: { description: '/', schema: { type: 'string' } },
    },
  })
  @ApiContent(
    401,
    'The key is missing, invalid, revoked or malformed: the sign-in page again with the reason (Chinese)',
    PAGE,
  )
  @ApiErrors(
    [400, 'The form body could not be read'],
    [413, 'The form is larger than 4 KB'],
    [415, 'A body that is not application/x-www-form-urlencoded'],
    503,
  )
  async login(@ParsedBody(signInKey) key: string, @Res() res: Response): Promise<void> {
    const session = key ? await this.sessions.open(key) : null;
    if (!session) return sendLogin(res, 401, '密钥无效、已停用或格式不正确。');
    res.setHeader('Set-Cookie', this.cookie(session.token, session.maxAgeSeconds));
    res.redirect(303, '/');
  }

  @Post('logout')
  @ApiOperation({
    summary: 'Sign out (browser)',
    description:
      'Ends the session (its token stops working), clears the cookie and sends the browser to the sign-in page.',
  })
  @ApiResponse({
    status: 303,
    description: 'Signed out: the cookie is cleared and the browser is sent to /login',
    headers: {
      'Set-Cookie': { description: 'paceline_session=; Max-Age=0', schema: { type: 'string' } },
      Location: { description: '/login', schema: { type: 'string' } },
    },
  })
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = sessionToken(req);
    if (token) await this.sessions.close(token);
    res.setHeader('Set-Cookie', this.cookie('', 0));
    res.redirect(303, '/login');
  }

  private cookie(token: string, maxAgeSeconds: number): string {
    const secure = this.config.sessionCookieSecure ? '; Secure' : '';
    return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
  }
}
