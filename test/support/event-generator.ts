/**
 * A small deterministic generator of valid wire-contract v1 events for fault tests: several
 * department-years, each with units, budget lines, monthly plans, many spending records, some
 * corrections and a July adjustment. No Math.random: a seeded mulberry32, so the same options give
 * the same events (ids included) every run.
 */

export interface WireEvent {
  id: string;
  type: string;
  department: string;
  year: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface GeneratorOptions {
  departments: number;
  years: number[];
  units: number;
  linesPerUnit: number;
  /** SpendingRecorded per line and month. */
  recordsPerLineMonth: number;
  seed?: number;
}

/** A seeded generator of numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const amount = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${pad(Math.abs(fen) % 100)}`;

/** Events of one stream, in stream order. */
function* streamEvents(o: GeneratorOptions, d: number, year: number): Generator<WireEvent> {
  const rnd = mulberry32(((o.seed ?? 7) * 1_000_003 + d * 7919 + year) >>> 0);
  const department = `gen-${pad(d, 3)}`;
  let seq = 0;
  const ev = (type: string, occurredAt: string, data: Record<string, unknown>): WireEvent => ({
    id: `g${o.seed ?? 7}-${department}-${year}-${pad(seq++, 6)}`,
    type,
    department,
    year,
    occurredAt,
    data,
  });
  yield ev('YearOpened', `${year}-01-03`, { departmentName: `生成测试第${d + 1}局` });
  const lines: { line: string; unit: string; source: 'fiscal' | 'other' }[] = [];
  for (let u = 0; u < o.units; u++)
    yield ev('UnitRegistered', `${year}-01-03`, { unit: `u${u}`, name: `业务${u + 1}科` });
  for (let u = 0; u < o.units; u++) {
    for (let l = 0; l < o.linesPerUnit; l++) {
      const line = {
        line: `u${u}-l${l}`,
        unit: `u${u}`,
        source: (l % 3 === 2 ? 'other' : 'fiscal') as 'fiscal' | 'other',
      };
      lines.push(line);
      yield ev('BudgetAllocated', `${year}-01-05`, {
        line: line.line,
        unit: line.unit,
        name: `项目${u}-${l}`,
        category: l % 2 === 0 ? 'basic' : 'project',
        economic: (['personnel', 'routine_public', 'three_public', 'other'] as const)[l % 4],
        source: line.source,
        amount: amount(10_000_000_00 + Math.floor(rnd() * 5_000_000_00)),
      });
    }
  }
  for (let m = 1; m <= 12; m++) {
    const month = `${year}-${pad(m)}`;
    const recorded = `${year}-${pad(m)}-${pad(10 + (m % 15))}`;
    for (let u = 0; u < o.units; u++)
      yield ev('SpendingPlanned', `${year}-${pad(m)}-01`, {
        unit: `u${u}`,
        month,
        amount: amount(Math.floor(rnd() * 20_000_000)),
      });
    const records: { id: string; fen: number; line: (typeof lines)[number] }[] = [];
    for (const line of lines) {
      for (let k = 0; k < o.recordsPerLineMonth; k++) {
        const fen = 1_000 + Math.floor(rnd() * 5_000_000);
        const e = ev('SpendingRecorded', recorded, {
          line: line.line,
          source: line.source,
          month,
          amount: amount(fen),
        });
        records.push({ id: e.id, fen, line });
        yield e;
      }
    }
    // A correction for every 7th record of the month: a partial reversal (never below zero).
    for (let i = 0; i < records.length; i += 7) {
      const r = records[i]!;
      yield ev('SpendingCorrected', `${year}-${pad(m)}-28`, {
        corrects: r.id,
        amount: amount(-Math.max(1, Math.floor(r.fen * rnd() * 0.9))),
        reason: '冲回部分重复入账',
      });
    }
    if (m === 7) {
      for (const line of lines) {
        yield ev('BudgetAdjusted', `${year}-07-15`, {
          line: line.line,
          source: line.source,
          amount: amount(Math.floor(rnd() * 1_000_000_00) - 300_000_00),
          effectiveOn: `${year}-07-15`,
          reason: '年中调整',
        });
      }
    }
  }
}

/** Every event, stream by stream (department-major, then year). */
export function* generateEvents(o: GeneratorOptions): Generator<WireEvent> {
  for (let d = 0; d < o.departments; d++) for (const year of o.years) yield* streamEvents(o, d, year);
}

/** The events in batches of `size` (a batch may span two streams). */
export function* batches(o: GeneratorOptions, size: number): Generator<WireEvent[]> {
  let batch: WireEvent[] = [];
  for (const e of generateEvents(o)) {
    batch.push(e);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
