/**
 * Where deliveries may go (docs/notices.md, "Webhooks and robots").
 *
 * - A channel's URL: webhooks https (http only with WEBHOOK_ALLOW_HTTP=on), no user or password;
 *   WeCom and DingTalk exactly their robot endpoint (scheme, host, port, path) with the robot's
 *   key as the only query parameter.
 * - An address: public unicast only. Loopback, private (RFC 1918), shared (100.64/10, CGNAT),
 *   link-local, unique-local, multicast, unspecified, broadcast and reserved ranges are refused,
 *   in IPv4 and IPv6 and in the IPv6 forms that carry an IPv4 address (::ffff:127.0.0.1,
 *   ::127.0.0.1, 64:ff9b::/96, 2002::/16), unless WEBHOOK_ALLOW names the host, the address or a
 *   range holding it.
 *
 * The subscribe-time check sees only the URL (literal addresses, `localhost`); the send-time
 * check (jobs/safe-request.ts) applies `refusal` to every address a name resolves to and to the
 * address actually connected to.
 */
import { isIP } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved';

type Bytes = number[];

function ipv4Bytes(s: string): Bytes | null {
  if (isIP(s) !== 4) return null;
  return s.split('.').map(Number);
}

function ipv6Bytes(text: string): Bytes | null {
  let s = text.replace(/^\[(.*)\]$/, '$1');
  if (isIP(s) !== 6 || s.includes('%')) return null; // no zone ids (fe80::1%eth0)
  const lastColon = s.lastIndexOf(':');
  const tail = ipv4Bytes(s.slice(lastColon + 1));
  if (tail) {
    const hex = (hi = 0, lo = 0) => ((hi << 8) | lo).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hex(tail[0], tail[1])}:${hex(tail[2], tail[3])}`;
  }
  const [left = '', right] = s.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const l = parse(left);
  const r = right === undefined ? [] : parse(right);
  const groups = [...l, ...Array(right === undefined ? 0 : 8 - l.length - r.length).fill(0), ...r];
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** The address as bytes, with its version; null when it is not an IP address. */
export function ipBytes(ip: string): { version: 4 | 6; bytes: Bytes } | null {
  const v4 = ipv4Bytes(ip);
  if (v4) return { version: 4, bytes: v4 };
  const v6 = ipv6Bytes(ip);
  return v6 ? { version: 6, bytes: v6 } : null;
}

function inRange(bytes: Bytes, base: Bytes, length: number): boolean {
  for (let bit = 0; bit < length; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return false;
  }
  return true;
}

const range = (cidr: string, cls: AddressClass): [Bytes, number, AddressClass] => {
  const [ip = '', len = '0'] = cidr.split('/');
  const parsed = ipBytes(ip);
  if (!parsed) throw new Error(`bad range ${cidr}`);
  return [parsed.bytes, Number(len), cls];
};

/** First match wins. */
const V4_RANGES = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'cgnat'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'),
  range('192.0.2.0/24', 'reserved'),
  range('192.88.99.0/24', 'reserved'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'reserved'),
  range('198.51.100.0/24', 'reserved'),
  range('203.0.113.0/24', 'reserved'),
  range('224.0.0.0/4', 'multicast'),
  range('255.255.255.255/32', 'broadcast'),
  range('240.0.0.0/4', 'reserved'),
];

const V6_RANGES = [
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('100::/64', 'reserved'),
  range('2001:db8::/32', 'reserved'),
  range('fc00::/7', 'unique-local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'reserved'),
  range('ff00::/8', 'multicast'),
];

function classifyV4(bytes: Bytes): AddressClass {
  for (const [base, len, cls] of V4_RANGES) if (inRange(bytes, base, len)) return cls;
  return 'public';
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedV4(bytes: Bytes): { v4: Bytes; form: 'mapped' | 'compatible' | 'nat64' | '6to4' } | null {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return { v4: bytes.slice(12), form: 'mapped' };
  if (zeros(0, 12)) return { v4: bytes.slice(12), form: 'compatible' };
  if (inRange(bytes, ipBytes('64:ff9b::')?.bytes ?? [], 96)) return { v4: bytes.slice(12), form: 'nat64' };
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return { v4: bytes.slice(2, 6), form: '6to4' };
  return null;
}

/** What kind of address this is; anything that is not an IP address counts as reserved. */
export function classifyAddress(ip: string): AddressClass {
  const parsed = ipBytes(ip);
  if (!parsed) return 'reserved';
  if (parsed.version === 4) return classifyV4(parsed.bytes);
  for (const [base, len, cls] of V6_RANGES) if (inRange(parsed.bytes, base, len)) return cls;
  const inner = embeddedV4(parsed.bytes);
  if (inner) {
    const cls = classifyV4(inner.v4);
    // ::a.b.c.d (deprecated) is never a way to reach a public host.
    return cls === 'public' && inner.form === 'compatible' ? 'reserved' : cls;
  }
  return 'public';
}

/** A host name as compared: lower case, no brackets, no trailing dot. */
export function normalHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** WEBHOOK_ALLOW: host names, IP addresses and CIDR ranges deliveries may reach although internal. */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly ranges: { version: 4 | 6; bytes: Bytes; length: number }[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', length] = entry.split('/');
      const parsed = ipBytes(address.replace(/^\[(.*)\]$/, '$1'));
      if (parsed)
        this.ranges.push({ ...parsed, length: length === undefined ? parsed.bytes.length * 8 : Number(length) });
      else this.hosts.add(normalHost(address));
    }
  }

  get empty(): boolean {
    return this.hosts.size === 0 && this.ranges.length === 0;
  }

  allowsHost(host: string): boolean {
    return this.hosts.has(normalHost(host));
  }

  allowsAddress(ip: string): boolean {
    const parsed = ipBytes(normalHost(ip));
    if (!parsed) return false;
    // An IPv4 address in an IPv6 form is compared as the IPv4 address too.
    const inner = parsed.version === 6 ? embeddedV4(parsed.bytes) : null;
    const forms = [parsed, ...(inner && inner.form !== '6to4' ? [{ version: 4 as const, bytes: inner.v4 }] : [])];
    return this.ranges.some((r) => forms.some((f) => f.version === r.version && inRange(f.bytes, r.bytes, r.length)));
  }
}

/** A URL or address deliveries may not use; `reason` says why (it names no secret). */
export class PolicyError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PolicyError';
  }
}

export type PolicyChannel = 'webhook' | 'wecom' | 'dingtalk';

export interface WebhookPolicyOptions {
  /** http besides https for webhooks (WEBHOOK_ALLOW_HTTP=on). */
  allowHttp: boolean;
  /** WEBHOOK_ALLOW entries. */
  allow: readonly string[];
  /** The robots' endpoints: scheme, host and path a robot URL must have. */
  robotEndpoints: { wecom: string; dingtalk: string };
}

const ROBOT = {
  wecom: { name: 'WeCom', param: 'key' },
  dingtalk: { name: 'DingTalk', param: 'access_token' },
} as const;

export class WebhookPolicy {
  readonly allow: AllowList;
  private readonly endpoints: { wecom: URL; dingtalk: URL };

  constructor(readonly options: WebhookPolicyOptions) {
    this.allow = new AllowList(options.allow);
    this.endpoints = {
      wecom: new URL(options.robotEndpoints.wecom),
      dingtalk: new URL(options.robotEndpoints.dingtalk),
    };
  }

  /**
   * At subscribe time: the URL's shape for its channel (`checkUrl`), then its host when it is an
   * address or a `localhost` name, without resolving anything (names are checked when sending).
   */
  checkSubscriptionUrl(channel: PolicyChannel, raw: string): URL {
    const url = this.checkUrl(channel, raw);
    this.checkHost(url.hostname);
    return url;
  }

  /**
   * The URL of a channel, or a PolicyError: http(s) without user or password; a webhook https
   * unless http is allowed; a robot exactly its endpoint with its key. The host's addresses are
   * checked by `refusal`, when subscribing (`checkSubscriptionUrl`) and when connecting.
   */
  checkUrl(channel: PolicyChannel, raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new PolicyError('is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PolicyError('must be an https URL');
    if (url.username || url.password) throw new PolicyError('must not carry a user name or password');
    if (channel === 'webhook') {
      if (url.protocol === 'http:' && !this.options.allowHttp)
        throw new PolicyError('must be an https URL (http only where the operator sets WEBHOOK_ALLOW_HTTP=on)');
    } else {
      const robot = ROBOT[channel];
      const endpoint = this.endpoints[channel];
      const params = [...url.searchParams.keys()];
      const ok =
        url.protocol === endpoint.protocol &&
        url.host === endpoint.host &&
        url.pathname === endpoint.pathname &&
        url.hash === '' &&
        params.length === 1 &&
        params[0] === robot.param &&
        (url.searchParams.get(robot.param) ?? '') !== '';
      if (!ok)
        throw new PolicyError(
          `must be the ${robot.name} robot's URL ${endpoint.origin}${endpoint.pathname}?${robot.param}=…`,
        );
    }
    return url;
  }

  /** Literal addresses and `localhost` names in a URL, checked without resolving anything. */
  private checkHost(hostname: string): void {
    const host = normalHost(hostname);
    if (this.allow.allowsHost(host)) return;
    if (host === 'localhost' || host.endsWith('.localhost'))
      throw new PolicyError(`refused host ${host} (loopback): ${this.hint()}`);
    if (isIP(host) !== 0) {
      const refused = this.refusal(host, host);
      if (refused) throw new PolicyError(`${refused}: ${this.hint()}`);
    }
  }

  private hint(): string {
    return 'deliveries go to public addresses only, or to those the operator names in WEBHOOK_ALLOW';
  }

  /**
   * Why `address` (which `host` resolved to, or which was connected to) may not be used, or null
   * when it may: a public address, an allowed one, or any address of an allowed host name.
   */
  refusal(host: string, address: string): string | null {
    if (this.allow.allowsHost(host)) return null;
    const cls = classifyAddress(normalHost(address));
    if (cls === 'public' || this.allow.allowsAddress(address)) return null;
    return `refused address ${normalHost(address)} (${cls})`;
  }
}
