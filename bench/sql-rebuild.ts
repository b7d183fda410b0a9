/**
 * Bench-only evidence for a proposal: the execution read model rebuilt set-based, one
 * INSERT … SELECT per table straight from `events`, instead of ExecutionProjector.rebuild()'s
 * read-2000-rows / decode / factsOf / insert loop. Same rows (libs/domain/execution/facts.ts
 * factsOf), same checkpoint: the rebuild scenario compares ExecutionRepository.dump() of both.
 * One REPEATABLE READ transaction, so every statement sees the same snapshot and the same
 * commit-safe horizon (transaction_id < xmin) the catch-up reader uses.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../libs/persistence/database.js';
import { EXECUTION_PROJECTION } from '../libs/application/execution.projector.js';
import { ExecutionRepository } from '../libs/persistence/execution.repository.js';

const VISIBLE = sql`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

export async function sqlRebuild(db: Kysely<Database>): Promise<number> {
  const repo = new ExecutionRepository(db);
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await repo.reset(trx, EXECUTION_PROJECTION);
      // One scan of the log; every read-model table filled from it by data-modifying CTEs.
      await sql`
        with ev as materialized (
          select position, stream_id, event_id, department, year, type, occurred_on, data
          from events where ${VISIBLE}
        ),
        closed as (select stream_id, occurred_on from ev where type = 'YearClosed'),
        s as (
          insert into exec_streams (stream_id, department, year, department_name, schedule, thresholds, opened_on, closed_on, position)
          select o.stream_id, o.department, o.year, o.data->>'departmentName',
                 '{"Q1":"25","Q2":"50","Q3":"75","Q4":"100"}'::jsonb || coalesce(o.data->'schedule', '{}'::jsonb),
                 '{"yellow":"5","red":"10"}'::jsonb || coalesce(o.data->'alertThresholds', '{}'::jsonb),
                 o.occurred_on, c.occurred_on, o.position
          from ev o left join closed c using (stream_id) where o.type = 'YearOpened'
        ),
        u as (
          insert into exec_units (stream_id, unit, name, position)
          select stream_id, data->>'unit', data->>'name', position from ev where type = 'UnitRegistered'
        ),
        l as (
          insert into exec_lines (stream_id, line, unit, name, category, economic, source, position)
          select stream_id, data->>'line', data->>'unit', data->>'name', data->>'category', data->>'economic', data->>'source', position
          from ev where type = 'BudgetAllocated'
        ),
        b as (
          insert into exec_budget_facts (position, stream_id, line, kind, effective_on, known_on, amount)
          select position, stream_id, data->>'line',
                 case type when 'BudgetAllocated' then 'allocation' else 'adjustment' end,
                 case type when 'BudgetAllocated' then make_date(year, 1, 1) else (data->>'effectiveOn')::date end,
                 occurred_on, (data->>'amount')::numeric
          from ev where type in ('BudgetAllocated', 'BudgetAdjusted')
        ),
        rec as (
          select position, stream_id, event_id, data->>'line' as line, substr(data->>'month', 6, 2)::smallint as month, occurred_on, data->>'amount' as amount
          from ev where type = 'SpendingRecorded'
        ),
        sp as (
          insert into exec_spending_facts (position, stream_id, line, month, known_on, amount, kind, record_id)
          select position, stream_id, line, month, occurred_on, amount::numeric, 'recorded', event_id from rec
          union all
          select c.position, c.stream_id, r.line, r.month, c.occurred_on, (c.data->>'amount')::numeric, 'correction', null
          from ev c join rec r on r.event_id = c.data->>'corrects' and r.stream_id = c.stream_id
          where c.type = 'SpendingCorrected'
        )
        insert into exec_plan_facts (position, stream_id, unit, month, known_on, amount)
        select position, stream_id, data->>'unit', substr(data->>'month', 6, 2)::smallint, occurred_on, (data->>'amount')::numeric
        from ev where type = 'SpendingPlanned'`.execute(trx);
      // exec_streams.projected_version (migration 0005), when present: the highest version applied per stream.
      const hasProjectedVersion = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.columns
        where table_name = 'exec_streams' and column_name = 'projected_version' and table_schema = current_schema()`.execute(trx);
      if (Number(hasProjectedVersion.rows[0]?.n) > 0) {
        await sql`
          update exec_streams s set projected_version = v.version
          from (select stream_id, max(version) as version from events where ${VISIBLE} group by stream_id) v
          where v.stream_id = s.stream_id`.execute(trx);
      }
      const r = await sql<{ transaction_id: string; position: number; n: number }>`
        select (select transaction_id::text from events where ${VISIBLE} order by transaction_id desc, position desc limit 1) as transaction_id,
               (select position from events where ${VISIBLE} order by transaction_id desc, position desc limit 1) as position,
               (select count(*) from events where ${VISIBLE})::int8 as n`.execute(trx);
      const last = r.rows[0]!;
      const n = Number(last.n);
      if (n > 0) {
        await trx.insertInto('projection_checkpoints').values({ name: EXECUTION_PROJECTION }).execute();
        await repo.saveCheckpoint(trx, EXECUTION_PROJECTION, { transactionId: last.transaction_id, position: Number(last.position) }, n);
      }
      return n;
    });
}
