/** Minimal keep-alive HTTP client for the load generators (node:http, no per-request setup). */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface HttpResponse {
  status: number;
  body: string;
}

export function request(base: string, method: string, path: string, body?: string | Buffer, contentType = 'application/x-ndjson'): Promise<HttpResponse> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        method,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: body === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

export async function getJson<T>(base: string, path: string): Promise<T> {
  const r = await request(base, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body) as T;
}

export function closeAgent(): void {
  agent.destroy();
}

/**
 * The `accepted` count of an ingest answer ({"accepted":N,"duplicates":…,"events":[…]}) read off its
 * start: the clients of a load run need the count, not the per-event list (~100 bytes per event).
 */
export function acceptedIn(body: string): number {
  const m = /^\{"accepted":(\d+),/.exec(body);
  return m ? Number(m[1]) : (JSON.parse(body) as { accepted: number }).accepted;
}
