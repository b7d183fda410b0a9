/**
 * The execution read model (tables exec_*) and projector checkpoints. Rows are the facts of
 * libs/domain/execution/facts.ts keyed by the log position of the event that contributed them.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { FactDelta, ExecutionFacts, StreamMeta } from '../domain/execution/facts.js';
import type { Category, Economic, FundSource } from '../domain/events.js';
import type { Insertable } from 'kysely';
import type { Database } from './database.js';
import type { Checkpoint } from './events.repository.js';

type Trx = Transaction<Database>;

export interface PositionedDelta {
  stream: string;
  position: number;
  delta: FactDelta;
}

const PROJECTION_TABLES = ['exec_streams', 'exec_units', 'exec_lines', 'exec_budget_facts', 'exec_spending_facts', 'exec_plan_facts'] as const;
const CHUNK = 2000;

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

export class ExecutionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Locks and returns a projector's checkpoint (created at the start of the log when missing). */
  async lockCheckpoint(trx: Trx, name: string): Promise<Checkpoint & { processed: number }> {
    await trx.insertInto('projection_checkpoints').values({ name }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await trx
      .selectFrom('projection_checkpoints')
      .select([sql<string>`transaction_id::text`.as('transaction_id'), 'position', 'processed'])
      .where('name', '=', name)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return { transactionId: row.transaction_id, position: Number(row.position), processed: Number(row.processed) };
  }

  async saveCheckpoint(trx: Trx, name: string, cp: Checkpoint, processed: number): Promise<void> {
    await trx
      .updateTable('projection_checkpoints')
      .set({ transaction_id: sql`${cp.transactionId}::xid8` as never, position: cp.position, processed, updated_at: sql`now()` as never })
      .where('name', '=', name)
      .execute();
  }

  async checkpoint(name: string): Promise<(Checkpoint & { processed: number; updatedAt: string }) | null> {
    const row = await this.db
      .selectFrom('projection_checkpoints')
      .select([sql<string>`transaction_id::text`.as('transaction_id'), 'position', 'processed', 'updated_at'])
      .where('name', '=', name)
      .executeTakeFirst();
    return row
      ? { transactionId: row.transaction_id, position: Number(row.position), processed: Number(row.processed), updatedAt: new Date(row.updated_at).toISOString() }
      : null;
  }

  /** Empties the read model and resets the checkpoint, in the caller's transaction. */
  async reset(trx: Trx, name: string): Promise<void> {
    for (const t of PROJECTION_TABLES) await sql`delete from ${sql.table(t)}`.execute(trx);
    await trx.deleteFrom('projection_checkpoints').where('name', '=', name).execute();
  }

  /** Records the highest version applied per stream (in the batch's transaction). */
  async markProjected(trx: Trx, versions: Map<string, number>): Promise<void> {
    for (const [stream, version] of versions) {
      await trx
        .updateTable('exec_streams')
        .set({ projected_version: sql`greatest(projected_version, ${version})` as never })
        .where('stream_id', '=', stream)
        .execute();
    }
  }

  /** The highest version of a stream the projection has applied (0 when none). */
  async projectedVersion(stream: string): Promise<number> {
    const r = await this.db.selectFrom('exec_streams').select('projected_version').where('stream_id', '=', stream).executeTakeFirst();
    return Number(r?.projected_version ?? 0);
  }

  /** Line and month of already projected SpendingRecorded events (to place corrections). */
  async lookupRecords(trx: Trx, ids: string[]): Promise<Map<string, { line: string; month: number }>> {
    const out = new Map<string, { line: string; month: number }>();
    if (ids.length === 0) return out;
    const rows = await trx.selectFrom('exec_spending_facts').select(['record_id', 'line', 'month']).where('record_id', 'in', ids).execute();
    for (const r of rows) out.set(r.record_id!, { line: r.line, month: Number(r.month) });
    return out;
  }

  async write(trx: Trx, deltas: PositionedDelta[]): Promise<void> {
    const streams: Insertable<Database['exec_streams']>[] = [];
    const closed: { stream: string; on: string }[] = [];
    const units: Database['exec_units'][] = [];
    const lines: Database['exec_lines'][] = [];
    const budget: Database['exec_budget_facts'][] = [];
    const spending: Database['exec_spending_facts'][] = [];
    const plans: Database['exec_plan_facts'][] = [];
    for (const { stream, position, delta: d } of deltas) {
      switch (d.kind) {
        case 'meta':
          streams.push({
            stream_id: stream,
            department: d.meta.department,
            year: d.meta.year,
            department_name: d.meta.departmentName,
            schedule: JSON.stringify(d.meta.schedule),
            thresholds: JSON.stringify(d.meta.thresholds),
            opened_on: d.meta.openedOn,
            closed_on: null,
            position,
          });
          break;
        case 'closed':
          closed.push({ stream, on: d.on });
          break;
        case 'unit':
          units.push({ stream_id: stream, unit: d.unit.unit, name: d.unit.name, position });
          break;
        case 'line':
          lines.push({ stream_id: stream, ...d.line, position });
          break;
        case 'budget':
          budget.push({ position, stream_id: stream, line: d.fact.line, kind: d.fact.kind, effective_on: d.fact.effectiveOn, known_on: d.fact.knownOn, amount: d.fact.amount });
          break;
        case 'spending':
          spending.push({
            position,
            stream_id: stream,
            line: d.fact.line,
            month: d.fact.month,
            known_on: d.fact.knownOn,
            amount: d.fact.amount,
            kind: d.fact.kind,
            record_id: d.recordId ?? null,
          });
          break;
        case 'plan':
          plans.push({ position, stream_id: stream, unit: d.fact.unit, month: d.fact.month, known_on: d.fact.knownOn, amount: d.fact.amount });
          break;
      }
    }
    await insertChunked(streams, (c) => trx.insertInto('exec_streams').values(c).execute());
    await insertChunked(units, (c) => trx.insertInto('exec_units').values(c).execute());
    await insertChunked(lines, (c) => trx.insertInto('exec_lines').values(c).execute());
    await insertChunked(budget, (c) => trx.insertInto('exec_budget_facts').values(c).execute());
    await insertChunked(spending, (c) => trx.insertInto('exec_spending_facts').values(c).execute());
    await insertChunked(plans, (c) => trx.insertInto('exec_plan_facts').values(c).execute());
    for (const c of closed) await trx.updateTable('exec_streams').set({ closed_on: c.on }).where('stream_id', '=', c.stream).execute();
  }

  /** Every fact of one stream, in log order, as the domain's ExecutionFacts (null when unknown). */
  async loadFacts(stream: string): Promise<ExecutionFacts | null> {
    const meta = await this.db.selectFrom('exec_streams').selectAll().where('stream_id', '=', stream).executeTakeFirst();
    if (!meta) return null;
    const [units, lines, budget, spending, plans] = await Promise.all([
      this.db.selectFrom('exec_units').select(['unit', 'name']).where('stream_id', '=', stream).orderBy('position').execute(),
      this.db.selectFrom('exec_lines').select(['line', 'unit', 'name', 'category', 'economic', 'source']).where('stream_id', '=', stream).orderBy('position').execute(),
      this.db.selectFrom('exec_budget_facts').select(['line', 'kind', 'effective_on', 'known_on', 'amount']).where('stream_id', '=', stream).orderBy('position').execute(),
      this.db.selectFrom('exec_spending_facts').select(['line', 'month', 'known_on', 'amount', 'kind', 'record_id']).where('stream_id', '=', stream).orderBy('position').execute(),
      this.db.selectFrom('exec_plan_facts').select(['unit', 'month', 'known_on', 'amount']).where('stream_id', '=', stream).orderBy('position').execute(),
    ]);
    const records = new Map<string, { line: string; month: number }>();
    for (const s of spending) if (s.record_id) records.set(s.record_id, { line: s.line, month: Number(s.month) });
    return {
      meta: {
        department: meta.department,
        year: meta.year,
        departmentName: meta.department_name,
        schedule: meta.schedule as unknown as StreamMeta['schedule'],
        thresholds: meta.thresholds as unknown as StreamMeta['thresholds'],
        openedOn: meta.opened_on,
        closedOn: meta.closed_on,
      },
      units,
      lines: lines.map((l) => ({ ...l, category: l.category as Category, economic: l.economic as Economic, source: l.source as FundSource })),
      budget: budget.map((b) => ({ line: b.line, kind: b.kind as 'allocation' | 'adjustment', effectiveOn: b.effective_on, knownOn: b.known_on, amount: b.amount })),
      spending: spending.map((s) => ({ line: s.line, month: Number(s.month), knownOn: s.known_on, amount: s.amount, kind: s.kind as 'recorded' | 'correction' })),
      plans: plans.map((p) => ({ unit: p.unit, month: Number(p.month), knownOn: p.known_on, amount: p.amount })),
      records,
    };
  }

  async listStreams(): Promise<{ stream: string; department: string; year: number; departmentName: string; closedOn: string | null }[]> {
    const rows = await this.db.selectFrom('exec_streams').select(['stream_id', 'department', 'year', 'department_name', 'closed_on']).orderBy('department').orderBy('year').execute();
    return rows.map((r) => ({ stream: r.stream_id, department: r.department, year: r.year, departmentName: r.department_name, closedOn: r.closed_on }));
  }

  /** All projection rows in a canonical order: used to compare a rebuild with live processing. */
  async dump(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const t of PROJECTION_TABLES) {
      const r = await sql<Record<string, unknown>>`select * from ${sql.table(t)} order by 1, 2, 3`.execute(this.db);
      out[t] = r.rows;
    }
    return out;
  }
}
