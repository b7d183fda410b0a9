/**
 * The schedule (序时进度) from the stream's checkpoints (MONITORING.md v1.1): each checkpoint
 * `{on: "MM-DD", percent}` sits at month position (M − 1) + D / days in month M (a month-end
 * checkpoint sits at M); the schedule at the end of month m is the linear interpolation at
 * position m from (0, 0%) through the checkpoints, and after the last checkpoint it stays at its
 * percent; rounded half-up to 0.01. `schedule {Q1..Q4}` is the shorthand for the four quarter-end
 * checkpoints, which gives exactly the quarterly month-linear schedule of v1.
 * Pure: the stream's year is passed in.
 */
import { daysInMonth } from '../dates.js';
import { Decimal, ZERO, roundRate } from '../decimal.js';
import type { CheckpointInput, IsoDate, Schedule } from '../events.js';

/** The quarter ends as checkpoint dates (MM-DD), Q1..Q4. */
export const QUARTER_ENDS = ['03-31', '06-30', '09-30', '12-31'] as const;

/** A checkpoint of the stream's schedule, placed in its year. */
export interface Checkpoint {
  /** 1..4 when the checkpoint is a quarter end (03-31, 06-30, 09-30, 12-31), else null. */
  quarter: 1 | 2 | 3 | 4 | null;
  /** Month-day as given (MM-DD). */
  on: string;
  /** Month of its date (1..12). */
  month: number;
  /** Month position: (month − 1) + day / days in the month; `month` itself at a month end. */
  position: Decimal;
  /** Whether it falls on its month's last day. */
  monthEnd: boolean;
  date: IsoDate;
  percent: Decimal;
}

/** The four quarter-end checkpoints of a quarterly schedule, Q1..Q4. */
export function quarterCheckpoints(schedule: Schedule): CheckpointInput[] {
  return [
    { on: QUARTER_ENDS[0], percent: schedule.Q1 },
    { on: QUARTER_ENDS[1], percent: schedule.Q2 },
    { on: QUARTER_ENDS[2], percent: schedule.Q3 },
    { on: QUARTER_ENDS[3], percent: schedule.Q4 },
  ];
}

/** Whether the checkpoints are exactly the four quarter ends (the v1 quarterly schedule). */
export function isQuarterly(checkpoints: readonly CheckpointInput[]): boolean {
  return checkpoints.length === 4 && checkpoints.every((c, i) => c.on === QUARTER_ENDS[i]);
}

/** A checkpoint of `year` from its input (validated: a real MM-DD of the year, percent in (0, 100]). */
export function placeCheckpoint(year: number, c: CheckpointInput): Checkpoint {
  const month = Number(c.on.slice(0, 2));
  const day = Number(c.on.slice(3, 5));
  const days = daysInMonth(year, month);
  const monthEnd = day === days;
  const q = QUARTER_ENDS.indexOf(c.on as (typeof QUARTER_ENDS)[number]);
  return {
    quarter: q < 0 ? null : ((q + 1) as 1 | 2 | 3 | 4),
    on: c.on,
    month,
    position: monthEnd ? new Decimal(month) : new Decimal(day).div(days).plus(month - 1),
    monthEnd,
    date: `${String(year).padStart(4, '0')}-${c.on}`,
    percent: new Decimal(c.percent),
  };
}

/** Placed checkpoints, parsed once per list and year (a report asks for the schedule per subject). */
const placedMemo = new WeakMap<readonly CheckpointInput[], { year: number; placed: Checkpoint[] }>();

export function placeCheckpoints(year: number, checkpoints: readonly CheckpointInput[]): Checkpoint[] {
  const hit = placedMemo.get(checkpoints);
  if (hit && hit.year === year && hit.placed.length === checkpoints.length) return hit.placed;
  const placed = checkpoints.map((c) => placeCheckpoint(year, c));
  placedMemo.set(checkpoints, { year, placed });
  return placed;
}

/**
 * The schedule at the end of month m (0..12), rounded half-up to 0.01: linear by month position
 * between (0, 0%) and the checkpoints, the last checkpoint's percent after it.
 */
export function scheduleAtMonth(checkpoints: readonly Checkpoint[], month: number): Decimal {
  if (month <= 0) return ZERO;
  let fromPosition = ZERO;
  let fromPercent = ZERO;
  for (const c of checkpoints) {
    if (c.position.gte(month)) {
      // (from, to] holds m: from + (to − from) × (m − from position) / (to position − from position).
      const within = new Decimal(month).minus(fromPosition);
      const span = c.position.minus(fromPosition);
      return roundRate(fromPercent.plus(c.percent.minus(fromPercent).times(within).div(span)));
    }
    fromPosition = c.position;
    fromPercent = c.percent;
  }
  return roundRate(fromPercent);
}

/** The schedule at the four quarter ends, as `schedule` Q1..Q4 (exact decimal strings). */
export function quarterEndSchedule(checkpoints: readonly Checkpoint[]): Schedule {
  const at = (m: number) => scheduleAtMonth(checkpoints, m).toFixed();
  return { Q1: at(3), Q2: at(6), Q3: at(9), Q4: at(12) };
}

/** The first checkpoint after the end of month m (0..12), or null when none is left. */
export function checkpointAfter(checkpoints: readonly Checkpoint[], month: number): Checkpoint | null {
  for (const c of checkpoints) if (c.position.gt(month)) return c;
  return null;
}
