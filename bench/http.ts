/** Minimal keep-alive HTTP client for the load generators (node:http, no per-request setup). */
import http from 'node:http';
import { now } from './common.js';
import type { PreparedBodies } from './generate.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface HttpResponse {
  status: number;
  body: string;
}

export function request(
  base: string,
  method: string,
  path: string,
  body?: string | Buffer,
  contentType = 'application/x-ndjson',
): Promise<HttpResponse> {
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

/** What posting prepared bodies gave (see postPrepared). */
export interface PostedBodies {
  accepted: number;
  /** Per request, ms. */
  latencies: number[];
  /** When the last answer came (bench clock, ms). */
  lastBatch: number;
  /** Ms from `started` until `n` events were accepted (null: never). */
  reachedAt(n: number): number | null;
}

/**
 * Ingest clients: one per list of prepared bodies, each posting its bodies in order to
 * POST /api/v1/events (a refused batch fails the run), all at once. `report.call` is called at
 * most every `report.everyMs` with the events accepted so far and the ms since `started`. The
 * bodies are closed (their files removed) at the end, also on failure.
 */
export async function postPrepared(
  base: string,
  bodies: PreparedBodies[],
  started: number,
  report: { everyMs: number; call: (accepted: number, elapsedMs: number) => void },
): Promise<PostedBodies> {
  const latencies: number[] = [];
  const progress: [number, number][] = [];
  let accepted = 0;
  let lastReport = started;
  try {
    await Promise.all(
      bodies.map(async (prepared) => {
        for (let i = 0; i < prepared.count; i++) {
          const body = await prepared.read(i);
          const t = now();
          const r = await request(base, 'POST', '/api/v1/events', body);
          latencies.push(now() - t);
          if (r.status !== 201) throw new Error(`POST /api/v1/events answered ${r.status}: ${r.body.slice(0, 500)}`);
          accepted += acceptedIn(r.body);
          progress.push([accepted, now() - started]);
          if (now() - lastReport > report.everyMs) {
            lastReport = now();
            report.call(accepted, lastReport - started);
          }
        }
      }),
    );
    const lastBatch = now();
    return {
      accepted,
      latencies,
      lastBatch,
      reachedAt: (n) => progress.find(([a]) => a >= n)?.[1] ?? null,
    };
  } finally {
    await Promise.all(bodies.map((b) => b.close()));
  }
}
