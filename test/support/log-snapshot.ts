import { sql, type Kysely } from 'kysely';
import type { Database } from '#persistence/database.js';

/** A fingerprint of the whole log: any stored, changed or removed event changes it. */
export async function logSnapshot(
  db: Kysely<Database>,
): Promise<{ count: number; fingerprint: string; streams: string }> {
  const r = await sql<{ count: number; fingerprint: string | null }>`
    select count(*)::int as count,
           md5(coalesce(string_agg(position::text || ':' || event_id || ':' || stream_id || ':' || version || ':' || data::text, '|' order by position), '')) as fingerprint
    from events`.execute(db);
  const s = await sql<{ streams: string | null }>`
    select coalesce(string_agg(stream_id || '@' || version, ',' order by stream_id), '') as streams from streams`.execute(
    db,
  );
  return { count: r.rows[0]!.count, fingerprint: r.rows[0]!.fingerprint ?? '', streams: s.rows[0]!.streams ?? '' };
}
