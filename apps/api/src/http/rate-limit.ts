/** A fixed-window request limit per API key (or per address without keys) for ingest and imports. */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import type { Principal } from '#domain/access.js';

export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
  ) {
    super(`too many ingest requests: at most ${limit} per minute; retry in ${retryAfterSeconds} s`);
  }
}

@Injectable()
export class IngestRateLimit implements CanActivate {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const who = req.principal && req.principal.keyId !== 'open' ? `key:${req.principal.keyId}` : `ip:${req.ip}`;
    const now = Date.now();
    const limit = this.config.ingestPerMinute;
    let w = this.windows.get(who);
    if (!w || now - w.start >= 60_000) {
      w = { start: now, count: 0 };
      this.windows.set(who, w);
      const oldest = this.windows.keys().next();
      if (this.windows.size > 50_000 && !oldest.done) this.windows.delete(oldest.value);
    }
    w.count++;
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - w.count)));
    if (w.count > limit) throw new RateLimitedError(Math.ceil((w.start + 60_000 - now) / 1000), limit);
    return true;
  }
}
