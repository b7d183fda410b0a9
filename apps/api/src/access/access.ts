/**
 * Access control for every route: `@Access(rule)` on a controller or handler; no rule = admin only.
 * The guard authenticates the API key (Authorization: Bearer … or X-Api-Key) and decides with the
 * pure policy in libs/domain/access.ts. No key = 401, wrong scope = 403.
 */
import {
  CanActivate,
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { decide, OPEN_ACCESS, type AccessRule, type Principal } from '#domain/access.js';

const ACCESS = 'paceline:access';

export const Access = (rule: AccessRule) => SetMetadata(ACCESS, rule);
export const Public = () => Access({ kind: 'public' });
export const ReadAccess = (opts: { unitScoped?: boolean } = {}) =>
  Access({ kind: 'read', unitScoped: !!opts.unitScoped });
export const WriteAccess = () => Access({ kind: 'write' });

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

type WithPrincipal = Request & { principal?: Principal };

/** The authenticated principal of the request (the open principal when access control is off). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<WithPrincipal>().principal ?? OPEN_ACCESS;
});

export const KEY_COOKIE = 'paceline_key';

/** The key from a request cookie (browsers signed in at /login). */
export function cookieKey(req: Request): string | null {
  const cookie = req.headers.cookie;
  if (typeof cookie !== 'string') return null;
  for (const part of cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === KEY_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}

function presentedKey(req: Request): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  return cookieKey(req);
}

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<WithPrincipal>();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [ctx.getHandler(), ctx.getClass()]);
    if (rule?.kind === 'public') return true;
    if (!this.config.auth) {
      req.principal = OPEN_ACCESS;
      return true;
    }
    const key = presentedKey(req);
    if (!key)
      throw new AuthError(401, 'an API key is required: send "Authorization: Bearer pl_…" or "X-Api-Key: pl_…"');
    const principal = await this.keys.verify(key);
    if (!principal) throw new AuthError(401, 'the API key is not valid (unknown, revoked or malformed)');
    req.principal = principal;
    const department = typeof req.params?.department === 'string' ? req.params.department : undefined;
    const d = decide(rule, principal, department);
    if (!d.allow) throw new AuthError(403, d.reason);
    return true;
  }
}
