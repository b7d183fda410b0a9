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
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { SessionsService } from '#application/access/sessions.service.js';
import { AccessDeniedError } from '#application/common/errors.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { decide, OPEN_ACCESS, type AccessRule, type Principal } from '#domain/access.js';
import { ApiKeyRequired, ApiPublicAccess } from '../http/openapi.js';

/** The metadata key of a handler's or controller's rule. */
export const ACCESS = 'paceline:access';

/** Who may call a route under `rule`, in words (the OpenAPI document shows it with the operation). */
export function describeAccess(rule: AccessRule | undefined): string {
  switch (rule?.kind) {
    case 'public':
      return 'Public: no API key needed.';
    case undefined:
    case 'admin':
      return 'Administrators only (role admin).';
    case 'read':
      return rule.unitScoped
        ? "Keys that may read the department in the path: admin, or a writer, finance or unit key whose departments include it (a unit reader sees only its own unit's data)."
        : 'Keys that may read the department in the path: admin, or a writer or finance key whose departments include it; unit readers are refused (403).';
    case 'write':
      return 'Keys that may write to the department in the path: admin, or a writer key whose departments include it.';
    case 'write-body':
      return "Admin and writer keys; every department the request concerns must be in a writer key's departments (checked by the handler).";
    case 'ingest-body':
      return "Admin and writer keys (every event's department in a writer key's departments); unit keys only for IndicatorProgressReported, DeviationExplained and CorrectiveActionReported about their own unit (checked by the handler).";
    case 'file':
      return 'Keys that may file monitoring reports for the department in the path: admin, a writer key whose departments include it, or a unit key of that department for its own unit (checked by the handler).';
    case 'scoped-list':
      return "Any valid API key; the answer holds only the departments in the key's scope.";
  }
}

/**
 * The rule of a handler, or of every handler of a controller that has none of its own (as the
 * guard reads them), and its OpenAPI description: the security requirement (bearer, X-Api-Key or
 * cookie) with 401/403 responses, none for public routes, and who may call it in words.
 */
export const Access = (rule: AccessRule): MethodDecorator & ClassDecorator => {
  const who = describeAccess(rule);
  // Fresh decorators for each handler (Nest's ApiSecurity accumulates across the targets of one instance).
  const document = (target: object, key: string | symbol, method: PropertyDescriptor) =>
    (rule.kind === 'public' ? ApiPublicAccess(who) : ApiKeyRequired(who))(target, key, method);
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (key !== undefined && descriptor) {
      SetMetadata(ACCESS, rule)(target, key, descriptor);
      document(target, key, descriptor);
      return;
    }
    SetMetadata(ACCESS, rule)(target as new (...args: never[]) => unknown);
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name);
      const handler: unknown = method?.value;
      if (
        method &&
        name !== 'constructor' &&
        typeof handler === 'function' &&
        Reflect.hasMetadata(METHOD_METADATA, handler) &&
        !Reflect.hasOwnMetadata(ACCESS, handler)
      )
        document(prototype, name, method);
    }
  };
};
export const Public = () => Access({ kind: 'public' });
export const ReadAccess = (opts: { unitScoped?: boolean } = {}) =>
  Access({ kind: 'read', unitScoped: !!opts.unitScoped });
export const WriteAccess = () => Access({ kind: 'write' });
export const FileAccess = () => Access({ kind: 'file' });

type WithPrincipal = Request & { principal?: Principal };

/** The authenticated principal of the request (the open principal when access control is off). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<WithPrincipal>().principal ?? OPEN_ACCESS;
});

/** The cookie of a browser session (opened at /login): a random token, never the key. */
export const SESSION_COOKIE = 'paceline_session';

/** The session token from the request's cookie (browsers signed in at /login). */
export function sessionToken(req: Request): string | null {
  const cookie = req.headers.cookie;
  if (typeof cookie !== 'string') return null;
  for (const part of cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return null;
}

function presentedKey(req: Request): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  return null;
}

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly sessions: SessionsService,
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
    const principal = await this.authenticate(req);

    req.principal = principal;
    const department = typeof req.params?.department === 'string' ? req.params.department : undefined;
    const d = decide(rule, principal, department);
    if (!d.allow) throw new AccessDeniedError(403, d.reason);
    return true;
  }

  /** The key in the headers, else the browser's session; a 401 saying which failed. */
  private async authenticate(req: Request): Promise<Principal> {
    const key = presentedKey(req);
    if (key) {
      const principal = await this.keys.verify(key);
      if (!principal) throw new AccessDeniedError(401, 'the API key is not valid (unknown, revoked or malformed)');
      return principal;
    }
    const token = sessionToken(req);
    if (token) {
      const principal = await this.sessions.principal(token);
      if (!principal)
        throw new AccessDeniedError(
          401,
          'the session has ended (signed out, expired or its key revoked): sign in again',
        );
      return principal;
    }
    throw new AccessDeniedError(401, 'an API key is required: send "Authorization: Bearer pl_…" or "X-Api-Key: pl_…"');
  }
}
