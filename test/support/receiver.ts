/** A local HTTP receiver standing in for webhook / WeCom / DingTalk endpoints. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  deliveryId: string;
  body: any;
  status: number;
}

/** An answer of a test's own making: status, headers, body (text). */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface ReceiverOptions {
  /** Address to listen on (default 127.0.0.1; '::' for every local address). */
  host?: string;
  /** Answers a request itself; undefined: the default behaviour below. */
  respond?: (r: Omit<Received, 'status'>) => Answer | undefined;
}

export class Receiver {
  readonly received: Received[] = [];
  /** Delivery ids that answer 500 this many more times. */
  readonly failures = new Map<string, number>();
  /** Answer every request with 503 while true. */
  down = false;
  private server!: Server;
  url = '';
  port = 0;

  constructor(private readonly options: ReceiverOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const deliveryId = String(req.headers['x-paceline-delivery'] ?? '');
        const target = new URL(req.url ?? '/', 'http://receiver');
        const path = target.pathname;
        const query = Object.fromEntries(target.searchParams);
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = Buffer.concat(chunks).toString('utf8');
        }
        const own = this.options.respond?.({ path, query, headers: req.headers, deliveryId, body });
        if (own) {
          this.received.push({ path, query, headers: req.headers, deliveryId, body, status: own.status });
          res.writeHead(own.status, { 'content-type': 'application/json', ...own.headers });
          res.end(own.body ?? '');
          return;
        }
        const remaining = this.failures.get(deliveryId) ?? 0;
        let status = 200;
        if (this.down) status = 503;
        else if (remaining > 0) {
          this.failures.set(deliveryId, remaining - 1);
          status = 500;
        }
        this.received.push({ path, query, headers: req.headers, deliveryId, body, status });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(path.startsWith('/robot') ? JSON.stringify({ errcode: status === 200 ? 0 : 1, errmsg: 'ok' }) : '{}');
      });
    });
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((r) => this.server.listen(0, host, r));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host === '::' ? '::1' : host}]` : host}:${this.port}`;
    return this;
  }

  delivered(): Received[] {
    return this.received.filter((r) => r.status === 200);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
