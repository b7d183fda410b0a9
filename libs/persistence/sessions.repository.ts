/** Browser sessions (migration 0012): a token's hash, its key, its end and its sign-out. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

export interface SessionRecord {
  keyId: string;
  expiresAt: string;
  revokedAt: string | null;
}

export class SessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(tokenHash: string, keyId: string, hours: number): Promise<SessionRecord> {
    const row = await this.db
      .insertInto('sessions')
      .values({
        token_hash: tokenHash,
        key_id: keyId,
        expires_at: sql`now() + make_interval(hours => ${hours})` as never,
      })
      .returning(['key_id', 'expires_at', 'revoked_at'])
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /** The session of this token hash while it has not ended (expired or signed out); else null. */
  async findLive(tokenHash: string): Promise<SessionRecord | null> {
    const row = await this.db
      .selectFrom('sessions')
      .select(['key_id', 'expires_at', 'revoked_at'])
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where(sql<boolean>`expires_at > now()`)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: sql`now()` as never })
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

function toRecord(r: { key_id: string; expires_at: unknown; revoked_at: unknown }): SessionRecord {
  return {
    keyId: r.key_id,
    expiresAt: new Date(r.expires_at as string).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at as string).toISOString() : null,
  };
}
