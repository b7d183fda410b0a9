import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { KEY_COOKIE, Public } from './access.js';
import { DASHBOARD_CSP, loginPageHtml } from '../dashboard/dashboard.html.js';

const TWELVE_HOURS = 12 * 3600;

function sendLogin(res: Response, status: number, message: string | null): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.send(loginPageHtml(message));
}

/** Browser sign-in for the dashboard when API keys are required. */
@Controller()
@Public()
export class SessionController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get('login')
  page(@Res() res: Response): void {
    sendLogin(res, 200, null);
  }

  @Post('login')
  @HttpCode(303)
  async login(@Req() req: Request, @Body() body: { key?: unknown } | undefined, @Res() res: Response): Promise<void> {
    const key = typeof body?.key === 'string' ? body.key.trim() : '';
    if (!key || !(await this.keys.verify(key))) return sendLogin(res, 401, '密钥无效、已停用或格式不正确。');
    const secure = req.secure || req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
    res.setHeader(
      'Set-Cookie',
      `${KEY_COOKIE}=${encodeURIComponent(key)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${TWELVE_HOURS}${secure}`,
    );
    res.redirect(303, '/');
  }

  @Post('logout')
  logout(@Res() res: Response): void {
    res.setHeader('Set-Cookie', `${KEY_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    res.redirect(303, '/login');
  }
}
