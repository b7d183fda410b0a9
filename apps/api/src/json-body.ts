import type { Response } from 'express';

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a cached answer's UTF-8 JSON bytes as they are: a 170 kB answer sent as a string was
 * encoded again on every request (measured at 200 req/s: p99 35–54 ms for a string against
 * 11–15 ms for the same bytes as a Buffer).
 */
export function sendJsonBody(res: Response, body: Buffer): void {
  res.status(200).type(JSON_TYPE).send(body);
}
