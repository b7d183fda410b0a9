/**
 * Headers every response carries: never sniffed, never framed, referrers kept to this site, and
 * a Content-Security-Policy that allows nothing unless a page sets its own (the dashboard allows
 * its own scripts and styles, documents their inline styles only, the API docs their own files).
 */
import type { NextFunction, Request, Response } from 'express';

/** Notices and reports shown as pages: their own inline styles, no scripts, nothing loaded. */
export const DOCUMENT_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The interactive API docs: their own scripts, styles and images. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'";

export function securityHeaders(docsPath: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', req.path.startsWith(docsPath) ? DOCS_CSP : DEFAULT_CSP);
    next();
  };
}
