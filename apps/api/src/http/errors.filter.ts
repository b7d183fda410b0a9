import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorPageHtml } from '../dashboard/dashboard.html.js';
import { RateLimitedError } from './rate-limit.js';
import { sendPage } from './responses.js';
import {
  AccessDeniedError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  UnavailableError,
} from '#application/common/errors.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);
/** node-pg's own errors for a lost connection carry no code, only these messages. */
const CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect)/;

/** A browser navigating to a page (GET that accepts HTML): sent to the sign-in page instead of a 401. */
function wantsPage(host: ArgumentsHost): boolean {
  const req = host.switchToHttp().getRequest<Request>();
  return req.method === 'GET' && !req.path.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
}

/** A dashboard page (not the API, health or static files): its refusals are pages too. */
function isPage(req: Request): boolean {
  return req.method === 'GET' && !/^\/(api|health|static)(\/|$)/.test(req.path);
}

/** Maps domain errors to statuses with bodies that name what was wrong; never leaks stack traces. */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const send = (status: number, body: Record<string, unknown>) => {
      if (!res.headersSent) res.status(status).json({ statusCode: status, ...body });
    };
    if (error instanceof AccessDeniedError && error.status === 401 && wantsPage(host)) {
      if (!res.headersSent) res.redirect(303, '/login');
      return;
    }
    const req = host.switchToHttp().getRequest<Request>();
    if ((error instanceof InvalidInputError || error instanceof NotFoundError) && isPage(req)) {
      if (!res.headersSent) sendPage(res, error.status, errorPageHtml(error.status, error.message));
      return;
    }
    if (error instanceof AccessDeniedError)
      return send(error.status, { error: error.status === 401 ? 'Unauthorized' : 'Forbidden', message: error.message });
    if (error instanceof RateLimitedError) {
      if (!res.headersSent) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      return send(429, { error: 'Too Many Requests', message: error.message, retryable: true });
    }
    if (error instanceof InvalidInputError)
      return send(400, { error: 'Bad Request', message: error.message, errors: error.errors });
    if (error instanceof ConflictError)
      return send(409, { error: 'Conflict', message: error.message, errors: error.errors });
    if (error instanceof PayloadTooLargeError)
      return send(413, {
        error: 'Payload Too Large',
        message: error.message,
        errors: [{ index: 0, path: error.path, reason: error.message }],
      });
    if (error instanceof NotFoundError) return send(404, { error: 'Not Found', message: error.message });
    if (error instanceof UnavailableError)
      return send(503, {
        error: 'Service Unavailable',
        message: error.message,
        ...(error.retryable ? { retryable: true } : {}),
      });
    // Body-parser errors (unreadable Content-Encoding, oversize body) reach this filter wrapped in
    // an HttpException by Nest: answer them like the API's own refusals, with the real reason.
    // (A URIError with a status is a bad percent-encoding in the path, not a body problem.)
    const cause =
      error instanceof HttpException
        ? (error.cause as { type?: unknown; status?: unknown; limit?: number; message?: string } | undefined)
        : undefined;
    const bodyError = cause && !(cause instanceof URIError) && typeof cause.status === 'number' ? cause : undefined;
    if (bodyError) {
      if (bodyError.type === 'entity.too.large')
        return send(413, {
          error: 'Payload Too Large',
          message: `the body exceeds the limit of ${bodyError.limit} bytes`,
        });
      if ((error as HttpException).getStatus() === 400) {
        const reason = `the body could not be read: ${bodyError.message ?? 'bad request'}`;
        return send(400, { error: 'Bad Request', message: reason, errors: [{ index: 0, path: '', reason }] });
      }
      if (bodyError.status === 415) {
        const reason = `${bodyError.message ?? 'unsupported content encoding'}: send the body plain, or gzip, deflate or br`;
        return send(415, {
          error: 'Unsupported Media Type',
          message: reason,
          errors: [{ index: 0, path: 'content-encoding', reason }],
        });
      }
    }
    if (error instanceof HttpException) {
      const r = error.getResponse();
      return send(error.getStatus(), typeof r === 'string' ? { message: r } : (r as Record<string, unknown>));
    }
    const e = error as { type?: string; status?: number; code?: string; message?: string; limit?: number };
    // body-parser errors
    if (e.type === 'entity.too.large')
      return send(413, { error: 'Payload Too Large', message: `the body exceeds the limit of ${e.limit} bytes` });
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return send(e.status, { error: 'Bad Request', message: e.message ?? 'bad request' });
    }
    if (
      (e.code && CONNECTION_CODES.has(e.code)) ||
      (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message))
    ) {
      this.log.warn(`database unavailable: ${e.message}`);
      return send(503, {
        error: 'Service Unavailable',
        message: 'the database is unavailable; nothing was stored, retry the request',
        retryable: true,
      });
    }
    this.log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    send(500, { error: 'Internal Server Error', message: 'internal error; nothing was stored by this request' });
  }
}
