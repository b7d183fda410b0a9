/**
 * Requests from elsewhere: a Host header naming a host this service is not (DNS rebinding), and a
 * state-changing request a browser sends from another site (cross-site request forgery), are
 * refused before anything else runs.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '#config/config.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Health probes address the service by whatever name or address the prober uses. */
const HOST_FREE = /^\/health(\/|$)/;

/** The host name of a Host header or an origin's authority, without port and brackets. */
function hostName(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']'));
  const colon = a.lastIndexOf(':');
  return colon === -1 ? a : a.slice(0, colon);
}

function refuse(res: Response, status: number, message: string, path: string): void {
  res.status(status).json({
    statusCode: status,
    error: status === 400 ? 'Bad Request' : 'Forbidden',
    message,
    errors: [{ index: 0, path, reason: message }],
  });
}

/** Express middleware: the Host check on every request, the Origin check on state-changing ones. */
export function originGuard(config: AppConfig) {
  const hosts = new Set(config.allowedHosts);
  const allowedHost = (name: string) => hosts.size === 0 || hosts.has(name);
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = req.headers.host ?? '';
    if (!HOST_FREE.test(req.path) && !allowedHost(hostName(host))) {
      return refuse(
        res,
        400,
        `the Host header "${host}" is not a name of this service (ALLOWED_HOSTS: ${[...hosts].join(', ')})`,
        'host',
      );
    }
    if (UNSAFE.has(req.method)) {
      const origin = req.headers.origin;
      if (origin !== undefined) {
        let name: string | null;
        try {
          name = origin === 'null' ? null : hostName(new URL(origin).host);
        } catch {
          name = null;
        }
        if (name === null || !allowedHost(name))
          return refuse(res, 403, `a ${req.method} from the page of another site (${origin}) is refused`, 'origin');
      } else if (req.headers['sec-fetch-site'] === 'cross-site') {
        return refuse(res, 403, `a ${req.method} sent by another site is refused`, 'origin');
      }
    }
    next();
  };
}
