/**
 * API keys: `pl_{id}_{secret}`. The secret is 32 random bytes; only its SHA-256 is stored
 * (a fast hash is right for high-entropy random secrets), compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ROLES, type Principal, type Role } from '#domain/access.js';
import type { ApiKeyRecord, ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { InvalidInputError } from '../common/errors.js';

const KEY_RE = /^pl_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const DEPARTMENT_RE = /^[a-z0-9-]{1,64}$/;
const UNIT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export interface NewKey {
  name: string;
  role: Role;
  departments: string[];
  unit?: string | null;
}

function principalOf(record: ApiKeyRecord): Principal {
  return {
    keyId: record.id,
    name: record.name,
    role: record.role,
    departments: record.departments,
    unit: record.unit,
  };
}

/**
 * Keys are looked up at most every `cacheMs` per process: a revocation takes effect at once in
 * the process that made it and within `cacheMs` (5 s) in the others.
 */
export class ApiKeysService {
  private readonly cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();

  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly cacheMs = 5000,
  ) {}

  /** Creates a key; the returned `key` is the only time the secret is visible. */
  async create(k: NewKey): Promise<{ key: string; record: ApiKeyRecord }> {
    const bad = (path: string, reason: string) =>
      new InvalidInputError(`${path}: ${reason}`, [{ index: 0, path, reason }]);
    if (!ROLES.includes(k.role)) throw bad('role', `must be one of ${ROLES.join(', ')}`);
    if (!k.name?.trim() || k.name.length > 200) throw bad('name', 'is required (at most 200 characters)');
    const departments = [...new Set(k.departments)];
    if (k.role === 'admin') {
      if (departments.length > 0) throw bad('departments', 'an admin key covers every department; give none');
    } else {
      if (departments.length === 0) throw bad('departments', `a ${k.role} key needs at least one department`);
      for (const d of departments)
        if (!DEPARTMENT_RE.test(d)) throw bad('departments', `"${d}" is not a department slug`);
    }
    if (k.role === 'unit') {
      if (departments.length !== 1) throw bad('departments', 'a unit reader key belongs to exactly one department');
      if (!k.unit || !UNIT_RE.test(k.unit)) throw bad('unit', 'a unit reader key needs its unit id');
    } else if (k.unit) throw bad('unit', `only unit reader keys have a unit`);
    const id = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 12)
      .padEnd(12, '0');
    const secret = randomBytes(32).toString('base64url');
    const record = await this.repo.insert({
      id,
      name: k.name.trim(),
      secretHash: hash(secret),
      role: k.role,
      departments: k.role === 'admin' ? ['*'] : departments,
      unit: k.unit ?? null,
    });
    return { key: `pl_${id}_${secret}`, record };
  }

  /** The principal of a presented key, or null when it is malformed, unknown, wrong or revoked. */
  async verify(presented: string): Promise<Principal | null> {
    const m = KEY_RE.exec(presented);
    const id = m?.[1];
    const secret = m?.[2];
    if (id === undefined || secret === undefined) return null;
    const record = await this.lookup(id);
    if (!record || record.revokedAt) return null;
    const a = Buffer.from(hash(secret), 'hex');
    const b = Buffer.from(record.secretHash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    return principalOf(record);
  }

  /** The principal of a key by its id (a session's), or null when the key is unknown or revoked. */
  async principalOf(id: string): Promise<Principal | null> {
    const record = await this.lookup(id);
    return record && !record.revokedAt ? principalOf(record) : null;
  }

  async revoke(id: string): Promise<boolean> {
    this.cache.delete(id);
    return this.repo.revoke(id);
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.repo.list();
  }

  private async lookup(id: string): Promise<ApiKeyRecord | null> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.record;
    const record = await this.repo.find(id);
    this.cache.set(id, { record, until: now + this.cacheMs });
    if (this.cache.size > 10_000) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    return record;
  }
}
