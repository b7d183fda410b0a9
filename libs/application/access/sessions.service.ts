/**
 * Browser sessions for the dashboard: signing in with an API key opens a session whose random
 * token (not the key) goes into the cookie; only the token's hash is stored. A session ends when
 * it expires, at sign-out, or when its key is revoked. Lookups are cached for a few seconds per
 * process: a sign-out takes effect at once in the process that handled it and within `cacheMs`
 * in the others, as a key's revocation does.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '#domain/access.js';
import type { SessionRecord, SessionsRepository } from '#persistence/sessions.repository.js';
import type { ApiKeysService } from './api-keys.service.js';

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface OpenedSession {
  token: string;
  maxAgeSeconds: number;
}

export class SessionsService {
  private readonly cache = new Map<string, { record: SessionRecord | null; until: number }>();

  constructor(
    private readonly keys: ApiKeysService,
    private readonly sessions: SessionsRepository,
    private readonly hours: number,
    private readonly cacheMs = 5000,
  ) {}

  /** A new session for a valid key; null when the key is not valid. */
  async open(key: string): Promise<OpenedSession | null> {
    const principal = await this.keys.verify(key);
    if (!principal) return null;
    const token = randomBytes(32).toString('base64url');
    await this.sessions.insert(hash(token), principal.keyId, this.hours);
    return { token, maxAgeSeconds: this.hours * 3600 };
  }

  /** The principal of a live session's token, or null (unknown, expired, signed out, key revoked). */
  async principal(token: string): Promise<Principal | null> {
    if (!TOKEN_RE.test(token)) return null;
    const record = await this.lookup(hash(token));
    if (!record || Date.parse(record.expiresAt) <= Date.now()) return null;
    return this.keys.principalOf(record.keyId);
  }

  /** Signs out: the token stops working at once here. */
  async close(token: string): Promise<void> {
    if (!TOKEN_RE.test(token)) return;
    const tokenHash = hash(token);
    this.cache.set(tokenHash, { record: null, until: Date.now() + this.cacheMs });
    await this.sessions.revoke(tokenHash);
  }

  private async lookup(tokenHash: string): Promise<SessionRecord | null> {
    const now = Date.now();
    const hit = this.cache.get(tokenHash);
    if (hit && hit.until > now) return hit.record;
    const record = await this.sessions.findLive(tokenHash);
    this.cache.set(tokenHash, { record, until: now + this.cacheMs });
    if (this.cache.size > 10_000) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    return record;
  }
}
