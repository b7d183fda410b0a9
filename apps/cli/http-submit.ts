import { ConflictError, InvalidInputError } from '#application/common/errors.js';
import type { Submit } from '#application/ingest/file-ingest.js';
import type { IngestResult } from '#application/ingest/ingest.service.js';

/** Submits batches to a running API as NDJSON, mapping its 400/409 answers to the same errors. */
export function httpSubmit(baseUrl: string, apiKey?: string): Submit {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/events`;
  return async (batch) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: batch.map((e) => JSON.stringify(e)).join('\n'),
    });
    const body = (await res.json().catch(() => ({}))) as { message?: string; errors?: never[] } & IngestResult;
    if (res.status === 400) throw new InvalidInputError(body.message ?? 'rejected', body.errors ?? []);
    if (res.status === 409) throw new ConflictError(body.message ?? 'conflict', body.errors ?? []);
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${body.message ?? res.statusText}`);
    return body;
  };
}
