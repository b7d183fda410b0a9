import type { Request, Response } from 'express';
import type { CachedAnswer } from '#application/answers/answer-cache.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a cached answer's kept bytes as they are: compressed to clients that accept gzip (browsers
 * and most HTTP clients do), else the UTF-8 JSON. A 170 kB answer sent as a string was encoded
 * again on every request (measured at 200 req/s: p99 35–54 ms for a string against 11–15 ms for
 * the same bytes as a Buffer, 12–14 ms compressed).
 */
export function sendAnswer(req: Request, res: Response, answer: CachedAnswer<unknown>): void {
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
