/** A local HTTP receiver standing in for webhook / WeCom / DingTalk endpoints. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  deliveryId: string;
  body: any;
  status: number;
}

export class Receiver {
  readonly received: Received[] = [];
  /** Delivery ids that answer 500 this many more times. */
  readonly failures = new Map<string, number>();
  /** Answer every request with 503 while true. */
  down = false;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const deliveryId = String(req.headers['x-paceline-delivery'] ?? '');
        const remaining = this.failures.get(deliveryId) ?? 0;
        let status = 200;
        if (this.down) status = 503;
        else if (remaining > 0) {
          this.failures.set(deliveryId, remaining - 1);
          status = 500;
        }
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = Buffer.concat(chunks).toString('utf8');
        }
        this.received.push({ path: req.url ?? '', deliveryId, body, status });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          req.url?.startsWith('/robot') ? JSON.stringify({ errcode: status === 200 ? 0 : 1, errmsg: 'ok' }) : '{}',
        );
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
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
