import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { KEY_COOKIE, Public } from './access.js';
import { DASHBOARD_CSP, loginPageHtml } from '../dashboard/dashboard.html.js';
import { ParsedBody } from '../http/body.js';
import { ApiContent, ApiErrors, ApiRequestBody } from '../http/openapi.js';

const TWELVE_HOURS = 12 * 3600;

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
  constructor(private readonly keys: ApiKeysService) {}

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
  @HttpCode(303)
  @ApiOperation({
    summary: 'Sign in (browser)',
    description:
      'Checks the API key from the sign-in form; a valid one is kept in the `paceline_key` cookie (HttpOnly, ' +
      'SameSite=Strict, 12 hours; Secure over HTTPS) that authenticates the dashboard and the API from this browser.',
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
        description: 'paceline_key=…; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200',
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
  @ApiErrors([400, 'The form body could not be read'], [413, 'The form is larger than 4 KB'], 503)
  async login(@Req() req: Request, @ParsedBody(signInKey) key: string, @Res() res: Response): Promise<void> {
    if (!key || !(await this.keys.verify(key))) return sendLogin(res, 401, '密钥无效、已停用或格式不正确。');
    const secure = req.secure || req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
    res.setHeader(
      'Set-Cookie',
      `${KEY_COOKIE}=${encodeURIComponent(key)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${TWELVE_HOURS}${secure}`,
    );
    res.redirect(303, '/');
  }

  @Post('logout')
  @ApiOperation({
    summary: 'Sign out (browser)',
    description: 'Clears the `paceline_key` cookie and sends the browser to the sign-in page.',
  })
  @ApiResponse({
    status: 303,
    description: 'Signed out: the cookie is cleared and the browser is sent to /login',
    headers: {
      'Set-Cookie': { description: 'paceline_key=; Max-Age=0', schema: { type: 'string' } },
      Location: { description: '/login', schema: { type: 'string' } },
    },
  })
  logout(@Res() res: Response): void {
    res.setHeader('Set-Cookie', `${KEY_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    res.redirect(303, '/login');
  }
}
