/**
 * A webhook receiver that answers slowly (every request waits `delayMs` before its 200), so a
 * worker can be killed while deliveries are in flight. Records every arrival with its headers
 * and whether the answer could be sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  seq: number;
  path: string;
  deliveryId: string;
  idempotencyKey: string;
  arrivedAt: number;
  /** The 200 was written before the connection closed. */
  answered: boolean;
}

export class SlowReceiver {
  readonly arrivals: Arrival[] = [];
  private server!: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  url = '';

  constructor(readonly delayMs: number) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const arrival: Arrival = {
          seq: this.arrivals.length,
          path: req.url ?? '',
          deliveryId: String(req.headers['x-paceline-delivery'] ?? ''),
          idempotencyKey: String(req.headers['idempotency-key'] ?? ''),
          arrivedAt: Date.now(),
          answered: false,
        };
        this.arrivals.push(arrival);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (res.destroyed || req.socket.destroyed) return;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{}', () => (arrival.answered = true));
        }, this.delayMs);
        this.timers.add(timer);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests received whose answer has not been sent yet. */
  pending(): Arrival[] {
    return this.arrivals.filter((a) => !a.answered);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
