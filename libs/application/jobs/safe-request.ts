/**
 * One POST to a webhook or robot, connected only to addresses the webhook policy permits.
 *
 * The check is on the address actually connected to, so a name cannot pass the check with one
 * address and connect to another (DNS rebinding):
 *
 * - an address written in the URL is checked before anything else;
 * - a name is resolved by our own `lookup`, passed to `http(s).request`: Node connects to the
 *   addresses this lookup returns and to no other, and the lookup refuses when any address the
 *   name has is refused (no second resolution happens between the check and the connection);
 * - once the socket is connected, its `remoteAddress` is checked again before the request is
 *   written (nothing, not even the headers, is sent before that).
 *
 * No redirect is followed (a 3xx is an answer like any other), at most `maxResponseBytes` of the
 * answer are read, and the whole exchange has `timeoutMs`.
 */
import { promises as dns } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import type { WebhookPolicy } from '../notices/webhook-policy.js';

/** A failed delivery attempt; `permanent` ones are not retried (a refused address or URL). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver, as Node itself would use it (getaddrinfo: /etc/hosts, DNS). */
export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export interface SafeRequestOptions {
  policy: WebhookPolicy;
  timeoutMs: number;
  /** Most bytes of the answer read (default 4096); the rest is dropped unread. */
  maxResponseBytes?: number;
  resolver?: Resolver;
}

export interface SafeResponse {
  status: number;
  /** The start of the answer's body, at most `maxResponseBytes`. */
  body: Buffer;
}

/** What went wrong on the network, without addresses, URLs or anything the peer sent. */
function networkError(e: NodeJS.ErrnoException, hostname: string): DeliveryError {
  if (e instanceof DeliveryError) return e;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'ENODATA')
    return new DeliveryError(`could not resolve ${hostname} (${e.code})`);
  return new DeliveryError(`request failed (${e.code ?? 'connection closed'})`);
}

/** The guarded lookup: resolves, refuses when any address is refused, returns the checked addresses. */
function guardedLookup(options: SafeRequestOptions, onRefused: (e: DeliveryError) => void): LookupFunction {
  const resolver = options.resolver ?? systemResolver;
  return (hostname, lookupOptions, callback) => {
    resolver(hostname).then(
      (all) => {
        for (const a of all) {
          const refused = options.policy.refusal(hostname, a.address);
          if (refused) {
            const error = new DeliveryError(refused, true);
            onRefused(error);
            return callback(error, '', 0);
          }
        }
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const usable = family ? all.filter((a) => a.family === family) : all;
        const first = usable[0];
        if (!first) {
          const error: NodeJS.ErrnoException = Object.assign(new Error(`no address for ${hostname}`), {
            code: 'ENOTFOUND',
          });
          return callback(error, '', 0);
        }
        if (lookupOptions.all) return callback(null, usable);
        return callback(null, first.address, first.family);
      },
      (e: NodeJS.ErrnoException) => callback(e, '', 0),
    );
  };
}

/** POSTs `body` to `target` (already checked for its channel: webhook-policy.ts `checkUrl`). */
export function safePost(
  target: URL,
  body: string,
  headers: Record<string, string>,
  options: SafeRequestOptions,
): Promise<SafeResponse> {
  const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(hostname) !== 0) {
    const refused = options.policy.refusal(hostname, hostname);
    if (refused) return Promise.reject(new DeliveryError(refused, true));
  }
  const max = options.maxResponseBytes ?? 4096;
  return new Promise<SafeResponse>((resolve, reject) => {
    let settled = false;
    let refusedByLookup: DeliveryError | null = null;
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request({
      protocol: target.protocol,
      hostname,
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      // A connection of its own, checked when made (no pooled socket).
      agent: false,
      lookup: guardedLookup(options, (e) => (refusedByLookup = e)),
    });
    const finish = (error: Error | null, answer?: SafeResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (error) reject(error);
      else if (answer) resolve(answer);
    };
    const limit = options.timeoutMs % 1000 === 0 ? `${options.timeoutMs / 1000} s` : `${options.timeoutMs} ms`;
    const timer = setTimeout(() => finish(new DeliveryError(`no answer within ${limit}`)), options.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish(refusedByLookup ?? networkError(e, hostname)));
    req.on('socket', (socket: Socket) => {
      const connected = () => {
        const refused = options.policy.refusal(hostname, socket.remoteAddress ?? '');
        if (refused) return finish(new DeliveryError(refused, true));
        req.end(body);
      };
      if (!socket.connecting && socket.remoteAddress) connected();
      else socket.once('connect', connected);
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, max) });
      res.on('data', (chunk: Buffer) => {
        if (size < max) chunks.push(chunk.subarray(0, max - size));
        size += chunk.length;
        if (size >= max) done();
      });
      res.on('end', done);
      res.on('error', (e: NodeJS.ErrnoException) => finish(networkError(e, hostname)));
    });
  });
}
