/**
 * How the Chinese texts name a schedule checkpoint (notices, alerts, chat robots, dashboard).
 *
 * A quarter-end checkpoint (quarter 1..4) is named by its quarter, exactly as the quarterly
 * schedule always was ("第三季度75%的进度要求"); any other checkpoint (YearOpened.checkpoints,
 * MONITORING.md v1.1) by its date: "4月30日序时进度25%的要求", "4月底进度要求" at a month end,
 * "7月15日进度要求" otherwise. Only `quarter` and `date` are read, so alerts and notices stored
 * before checkpoints existed (quarter always set) read the same.
 */
import { lastDayOfMonth } from '../dates.js';
import type { IsoDate } from '../events.js';
import { dateCn, percentExact, quarterCn } from '../format.js';

export interface CheckpointRef {
  /** 1..4 at a quarter end, else null. */
  quarter: number | null;
  date: IsoDate;
}

function monthEnd(date: IsoDate): boolean {
  return lastDayOfMonth(Number(date.slice(0, 4)), Number(date.slice(5, 7))) === date;
}

/** "第三季度", "4月底" (a month end), "7月15日". */
export function checkpointName(cp: CheckpointRef): string {
  if (cp.quarter !== null) return quarterCn(cp.quarter);
  return monthEnd(cp.date) ? `${Number(cp.date.slice(5, 7))}月底` : dateCn(cp.date);
}

/** "第三季度75%的进度要求", "4月30日序时进度25%的要求". */
export function checkpointTarget(cp: CheckpointRef, percent: string): string {
  if (cp.quarter !== null) return `${quarterCn(cp.quarter)}${percentExact(percent)}的进度要求`;
  return `${dateCn(cp.date)}序时进度${percentExact(percent)}的要求`;
}

/** A table row naming the requirement: "第三季度进度要求（9月30日）", "4月底进度要求（4月30日）", "7月15日进度要求". */
export function checkpointRowLabel(cp: CheckpointRef): string {
  const name = checkpointName(cp);
  const date = dateCn(cp.date);
  return name === date ? `${name}进度要求` : `${name}进度要求（${date}）`;
}

/** "距季度进度要求（百分点）" for a quarter end, else "距进度节点要求（百分点）". */
export function checkpointGapLabel(cp: CheckpointRef): string {
  return cp.quarter !== null ? '距季度进度要求（百分点）' : '距进度节点要求（百分点）';
}

/** "达到季度进度尚需支出" for a quarter end, else "达到进度节点要求尚需支出". */
export function checkpointNeededLabel(cp: CheckpointRef): string {
  return cp.quarter !== null ? '达到季度进度尚需支出' : '达到进度节点要求尚需支出';
}

/** After the last checkpoint: "已无后续季度进度节点" (quarterly schedule) or "已无后续进度节点". */
export function noCheckpointLeft(quarterly: boolean): string {
  return quarterly ? '已无后续季度进度节点' : '已无后续进度节点';
}

/**
 * How the schedule is computed, for the notes under a notice: the quarterly wording for a
 * quarterly schedule, else the checkpoints named ("序时进度按进度节点（4月30日25%、…、10月31日80%）
 * 逐月线性计算，10月31日后保持80%").
 */
export function scheduleNote(checkpoints: readonly { date: IsoDate; percent: string }[] | undefined): string {
  if (!checkpoints?.length) return '序时进度按季度节点在季度内逐月线性计算；滞后为序时进度减执行率（百分点）。';
  const list = checkpoints.map((c) => `${dateCn(c.date)}${percentExact(c.percent)}`).join('、');
  const last = checkpoints[checkpoints.length - 1];
  const after =
    last && last.date.slice(5) !== '12-31' ? `，${dateCn(last.date)}后保持${percentExact(last.percent)}` : '';
  return `序时进度按进度节点（${list}）逐月线性计算${after}；滞后为序时进度减执行率（百分点）。`;
}
