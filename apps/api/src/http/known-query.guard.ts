import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import { InvalidInputError } from '#application/common/errors.js';

/**
 * Every query parameter a request sends must be one its route reads: an unknown (or misspelt)
 * parameter is a 400 naming it, instead of being silently ignored. The names come from the
 * route's own `@Query(name)` arguments (the decorators of http/params.ts), so they cannot drift.
 */
@Injectable()
export class KnownQueryGuard implements CanActivate {
  private readonly known = new Map<string, ReadonlySet<string> | null>();

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const names = Object.keys(req.query ?? {});
    if (names.length === 0) return true;
    const allowed = this.allowed(ctx);
    if (allowed === null) return true;
    for (const name of names) {
      if (!allowed.has(name)) {
        const list =
          allowed.size > 0 ? `allowed: ${[...allowed].sort().join(', ')}` : 'this route takes no query parameters';
        const reason = `unknown query parameter (${list})`;
        throw new InvalidInputError(`${name}: ${reason}`, [{ index: 0, path: name, reason }]);
      }
    }
    return true;
  }

  /** The query names the handler reads; null when it reads the whole query object. */
  private allowed(ctx: ExecutionContext): ReadonlySet<string> | null {
    const controller = ctx.getClass();
    const handler = ctx.getHandler().name;
    const key = `${controller.name}.${handler}`;
    const cached = this.known.get(key);
    if (cached !== undefined) return cached;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<
      string,
      { data?: unknown }
    >;
    const names = new Set<string>();
    let whole = false;
    for (const [slot, arg] of Object.entries(args)) {
      if (Number(slot.split(':')[0]) !== RouteParamtypes.QUERY) continue;
      if (typeof arg.data === 'string') names.add(arg.data);
      else whole = true;
    }
    const result = whole ? null : names;
    this.known.set(key, result);
    return result;
  }
}
