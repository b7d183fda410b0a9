/** API keys (hashed secrets). */
import { sql, type Kysely } from 'kysely';
import type { Role } from '#domain/access.js';
import type { Database } from './database.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  secretHash: string;
  role: Role;
  departments: string[];
  unit: string | null;
  createdAt: string;
  revokedAt: string | null;
}

function toRecord(r: Record<string, unknown>): ApiKeyRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    secretHash: r.secret_hash as string,
    role: r.role as Role,
    departments: r.departments as string[],
    unit: (r.unit as string | null) ?? null,
    createdAt: new Date(r.created_at as string).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at as string).toISOString() : null,
  };
}

export class ApiKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(k: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>): Promise<ApiKeyRecord> {
    const row = await this.db
      .insertInto('api_keys')
      .values({
        id: k.id,
        name: k.name,
        secret_hash: k.secretHash,
        role: k.role,
        departments: sql`${sql.val(k.departments)}::text[]` as never,
        unit: k.unit,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async find(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').execute()).map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: sql`now()` as never })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
