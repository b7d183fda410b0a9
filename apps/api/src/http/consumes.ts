/**
 * The content types a route reads (`@Consumes(...)`), and the guard that refuses any other: a
 * body a browser may send from another site without asking (text/plain, a form) never reaches a
 * handler that expects JSON. Requests without a body pass (nothing to misread).
 */
import { HttpException, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

const CONSUMES = 'paceline:consumes';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const Consumes = (...types: string[]) => SetMetadata(CONSUMES, types);

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

@Injectable()
export class ConsumesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    if (!BODY_METHODS.has(req.method) || !hasBody(req)) return true;
    const types = this.reflector.getAllAndOverride<string[] | undefined>(CONSUMES, [
      ctx.getHandler(),
      ctx.getClass(),
    ]) ?? ['application/json'];
    const sent = mediaType(req.headers['content-type']);
    if (types.includes(sent)) return true;
    const reason = `send the body as ${types.join(' or ')}${sent ? `, not ${sent}` : ' (Content-Type is missing)'}`;
    throw new HttpException(
      {
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: `Content-Type: ${reason}`,
        errors: [{ index: 0, path: 'content-type', reason }],
      },
      415,
    );
  }
}
