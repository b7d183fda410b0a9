import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** Whether the database answers (readiness). */
export class HealthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }
}
