/** How answers leave the API: statuses, kept bytes, files and documents. */
import { DASHBOARD_CSP } from '../dashboard/dashboard.html.js';
import { DOCUMENT_CSP } from './security-headers.js';
import type { Request, Response } from 'express';

/** 201 when something new was stored, 200 when everything was already there (a replay). */
export function createdWhenAccepted<R extends { accepted: number }>(res: Response, result: R): R {
  res.status(result.accepted > 0 ? 201 : 200);
  return result;
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/** What sendAnswer sends: an answer's JSON as bytes, and compressed when it is large. */
export interface AnswerBytes {
  readonly body: Buffer;
  readonly gzip: Buffer | null;
}

/**
 * Sends an answer's kept bytes as they are: compressed to clients that accept gzip (browsers and
 * most HTTP clients do), else the UTF-8 JSON; nothing is serialized or encoded per request.
 */
export function sendAnswer(req: Request, res: Response, answer: AnswerBytes): void {
  res.status(200).type(JSON_TYPE);
  if (answer.gzip) {
    res.vary('Accept-Encoding');
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.send(answer.gzip);
      return;
    }
  }
  res.send(answer.body);
}

/** RFC 6266 / RFC 5987: an ASCII fallback plus the UTF-8 name, percent-encoded. */
export function contentDisposition(kind: 'attachment' | 'inline', name: string, fallback: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encoded}`;
}

/** A file to download or show: its type, its name in both forms, and never sniffed. */
export function sendDownload(
  res: Response,
  file: {
    body: Buffer | string;
    contentType: string;
    fileName: string;
    asciiName: string;
    disposition: 'attachment' | 'inline';
  },
): void {
  if (file.disposition === 'inline') res.setHeader('Content-Security-Policy', DOCUMENT_CSP);
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', contentDisposition(file.disposition, file.fileName, file.asciiName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.status(200).send(file.body);
}

/** A document in the format asked: JSON, or text of its own type (Markdown, HTML). */
export function sendDocument(
  res: Response,
  doc: { kind: 'json'; value: unknown } | { kind: 'text'; contentType: string; text: string },
): void {
  if (doc.kind === 'json') {
    res.status(200).type(JSON_TYPE).send(JSON.stringify(doc.value));
    return;
  }
  if (doc.contentType.startsWith('text/html')) res.setHeader('Content-Security-Policy', DOCUMENT_CSP);
  res.status(200).type(doc.contentType).send(doc.text);
}

/** A dashboard page: HTML under the dashboard's Content-Security-Policy, never cached or sniffed. */
export function sendPage(res: Response, status: number, html: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  res.send(html);
}
