/**
 * The send-time check against local servers, with a resolver of the test's own making: names
 * that resolve inside, a name whose answer changes between resolutions (DNS rebinding),
 * redirects, oversized answers.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROBOT_ENDPOINTS } from '#config/config.js';
import { WebhookPolicy } from '../notices/webhook-policy.js';
import { dingtalkSign, signedDingtalkUrl } from './delivery.handler.js';
import { DeliveryError, safePost, type Resolver } from './safe-request.js';

interface Local {
  server: Server;
  port: number;
  hits: string[];
}

async function listen(
  host: string,
  port: number,
  answer: (res: import('node:http').ServerResponse) => void,
): Promise<Local> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(`${req.method} ${req.url}`);
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

const ok = (res: import('node:http').ServerResponse) => res.writeHead(200).end('{"ok":true}');
const policy = new WebhookPolicy({ allowHttp: true, allow: ['127.0.0.2'], robotEndpoints: ROBOT_ENDPOINTS });
const resolveTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function refusal(p: Promise<unknown>): Promise<{ message: string; permanent: boolean }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeliveryError) return { message: e.message, permanent: e.permanent };
    throw e;
  }
  throw new Error('the request was not refused');
}

describe('safePost: the address connected to is checked', () => {
  let allowed: Local;
  let victim: Local;
  const servers: Local[] = [];
  beforeAll(async () => {
    allowed = await listen('127.0.0.2', 0, ok);
    // The internal service on the same port, another loopback address.
    victim = await listen('127.0.0.1', allowed.port, ok);
    servers.push(allowed, victim);
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.server.close(r));
  });
  const post = (url: string, resolver?: Resolver, extra: Partial<Parameters<typeof safePost>[3]> = {}) =>
    safePost(
      new URL(url),
      '{}',
      { 'content-type': 'application/json' },
      { policy, timeoutMs: 5000, resolver, ...extra },
    );

  test('a name that resolves to loopback (or a mapped, or any one internal address) is refused, never called', async () => {
    for (const addresses of [
      ['127.0.0.1'],
      ['::1'],
      ['::ffff:127.0.0.1'],
      ['::ffff:7f00:1'],
      ['127.0.0.2', '127.0.0.1'],
    ]) {
      const r = await refusal(post(`http://hooks.example.test:${victim.port}/in`, resolveTo(...addresses)));
      expect([addresses, r.permanent]).toEqual([addresses, true]);
      expect(r.message).toMatch(/^refused address \S+ \(loopback\)$/);
    }
    expect((await refusal(post(`http://meta.example.test/`, resolveTo('169.254.169.254')))).message).toBe(
      'refused address 169.254.169.254 (link-local)',
    );
    expect(victim.hits).toEqual([]);
  });

  test('DNS rebinding: one resolution per request, and the connection goes to the address checked', async () => {
    let calls = 0;
    // First answer: an allowed address; every later one: the internal service.
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
    const first = await post(`http://rebind.example.test:${allowed.port}/in`, rebinding);
    expect(first.status).toBe(200);
    expect(calls).toBe(1);
    expect(allowed.hits).toEqual(['POST /in']);
    const second = await refusal(post(`http://rebind.example.test:${allowed.port}/in`, rebinding));
    expect(second.message).toBe('refused address 127.0.0.1 (loopback)');
    expect(victim.hits).toEqual([]);
  });

  test('addresses written in the URL are refused before connecting, in every spelling', async () => {
    for (const url of [
      `http://127.0.0.1:${victim.port}/`,
      `http://[::ffff:7f00:1]:${victim.port}/`,
      `http://[::ffff:127.0.0.1]:${victim.port}/`,
      `http://2130706433:${victim.port}/`,
      `http://0x7f.0.0.1:${victim.port}/`,
      `http://0.0.0.0:${victim.port}/`,
    ]) {
      const r = await refusal(post(url, resolveTo('8.8.8.8')));
      expect([url, r.message]).toEqual([
        url,
        expect.stringMatching(/^refused address \S+ \((loopback|unspecified)\)$/),
      ]);
    }
    expect(victim.hits).toEqual([]);
    // Through the system resolver: localhost is loopback.
    const local = await refusal(post(`http://localhost:${victim.port}/`));
    expect(local.message).toMatch(/^refused address (127\.0\.0\.1|::1) \(loopback\)$/);
    expect(victim.hits).toEqual([]);
  });

  test('a redirect is returned as it is, not followed', async () => {
    const target = await listen('127.0.0.2', 0, ok);
    const redirecting = await listen('127.0.0.2', 0, (res) =>
      res.writeHead(307, { location: `http://127.0.0.2:${target.port}/landed` }).end(),
    );
    servers.push(target, redirecting);
    const r = await post(`http://127.0.0.2:${redirecting.port}/in`);
    expect(r.status).toBe(307);
    expect(target.hits).toEqual([]);
  });

  test('at most 4 KB of the answer is read', async () => {
    const big = await listen('127.0.0.2', 0, (res) => res.writeHead(500).end('x'.repeat(1_000_000)));
    servers.push(big);
    const r = await post(`http://127.0.0.2:${big.port}/in`);
    expect(r.status).toBe(500);
    expect(r.body.length).toBe(4096);
  });

  test('a receiver that never answers fails the attempt, with no detail from it', async () => {
    const silent = await listen('127.0.0.2', 0, () => undefined);
    servers.push(silent);
    const r = await refusal(post(`http://127.0.0.2:${silent.port}/in`, undefined, { timeoutMs: 300 }));
    expect(r).toEqual({ message: 'no answer within 300 ms', permanent: false });
    silent.server.closeAllConnections();
  });
});

describe('DingTalk 加签', () => {
  test('sign = Base64(HmacSHA256(secret, "{timestamp}\\n{secret}")), appended URL-encoded after the token', () => {
    const secret = 'SEC0123456789abcdef';
    // A timestamp whose signature holds characters URL encoding changes (+, /, =).
    let ts = 1_700_000_000_000;
    while (!/[+/]/.test(dingtalkSign(secret, ts))) ts++;
    const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    expect(dingtalkSign(secret, ts)).toBe(expected);
    const url = signedDingtalkUrl(new URL('https://oapi.dingtalk.com/robot/send?access_token=abc'), secret, ts);
    expect(url.search).toBe(`?access_token=abc&timestamp=${ts}&sign=${encodeURIComponent(expected)}`);
    expect(url.searchParams.get('sign')).toBe(expected);
  });
});
