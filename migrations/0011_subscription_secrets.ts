import { sql, type Kysely } from 'kysely';

/**
 * A DingTalk robot's 加签 secret, kept with its subscription, encrypted (AES-256-GCM, see
 * libs/application/notices/secrets.ts): null for subscriptions without one. Only the delivery
 * handler reads it, at send time; no answer, outbox row or job carries it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions add column secret_enc text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions drop column if exists secret_enc`.execute(db);
}
