/**
 * Pure payload builders for delivering notices and alert changes: a generic webhook JSON,
 * WeCom (企业微信) and DingTalk (钉钉) group robots, and a one-line log record.
 *
 * Robot markdown uses only what those robots render: headings, bold, quotes (`>`), plain lines,
 * and for WeCom `<font color="info|comment|warning">`. No tables, no HTML otherwise.
 * WeCom limits markdown content to 4096 bytes of UTF-8; content is cut at a line boundary
 * (never inside a character or a markup pair) with a truncation marker.
 */
import { fixed2 } from '../decimal.js';
import type { AlertLevel } from '../execution/execution.js';
import { dateCn, monthsCn, percent2, yuan, yuanWan } from '../format.js';
import { isLagAlert, type AlertChange, type LagAlertChange, type MonitoringAlertChange } from './alerts.js';
import { checkpointName } from './checkpoint-text.js';
import { aboutKey } from './monitoring-alerts.js';
import { monitoringAlertRows, monitoringRobotItems } from './monitoring-render.js';
import { type DepartmentNotice, type Notice, type UnitNotice, LEVEL_LABELS } from './notice.js';
import {
  type Paragraph,
  type Segment,
  alertTitle,
  lagSentence,
  neededSentence,
  noticeTitle,
  renderAlertHtml,
  renderAlertMarkdown,
  renderNoticeHtml,
  renderNoticeMarkdown,
} from './render.js';

export type Deliverable = Notice | AlertChange;

export function isAlertChange(item: Deliverable): item is AlertChange {
  return 'change' in item;
}

export interface WebhookPayload {
  kind: 'notice' | 'alert';
  id: string;
  department: string;
  year: number;
  /** Unit id; null for the department. */
  unit: string | null;
  month: number;
  title: string;
  markdown: string;
  html: string;
  figures: Record<string, unknown>;
}

export interface WeComMarkdownPayload {
  msgtype: 'markdown';
  markdown: { content: string };
}

export interface DingTalkMarkdownPayload {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
}

export const WECOM_MAX_BYTES = 4096;
/** DingTalk documents no markdown size for robots; messages are kept under this conservative cap. */
export const DINGTALK_MAX_BYTES = 20000;
export const TRUNCATION_MARKER = '……（内容过长，已截断，详见完整通报）';

/* ---------------------------------------------------------------------------------------- */

export function titleOf(item: Deliverable): string {
  return isAlertChange(item) ? alertTitle(item) : noticeTitle(item);
}

export function webhookPayload(item: Deliverable): WebhookPayload {
  if (isAlertChange(item)) {
    return {
      kind: 'alert',
      id: item.id,
      department: item.department,
      year: item.year,
      unit: item.subject === 'department' ? null : item.subject,
      month: item.month,
      title: alertTitle(item),
      markdown: renderAlertMarkdown(item),
      html: renderAlertHtml(item),
      figures: {
        ...item.figures,
        alert: {
          alertId: item.alertId,
          change: item.change,
          reason: item.reason,
          kind: item.kind,
          level: item.level,
          subject: item.subject,
          date: item.date,
          replaces: item.replaces,
          replacedBy: item.replacedBy,
          message: item.message,
        },
      },
    };
  }
  const figures: Record<string, unknown> = {
    ...item.figures,
    plan: item.plan,
    nextPlan: item.nextPlan,
    forecast: item.forecast,
    asOf: item.asOf,
    knownOn: item.knownOn,
    source: item.source,
  };
  if (item.kind === 'unit') {
    figures.rank = item.rank;
    // Only when the notice has the section (never for a v1 stream).
    if (item.monitoring) figures.monitoring = item.monitoring;
  } else figures.units = item.units;
  return {
    kind: 'notice',
    id: item.id,
    department: item.department,
    year: item.year,
    unit: item.kind === 'unit' ? item.unit : null,
    month: item.month,
    title: noticeTitle(item),
    markdown: renderNoticeMarkdown(item),
    html: renderNoticeHtml(item),
    figures,
  };
}

/* ---------------------------------------------------------------------------------------- */
/* Robot markdown                                                                           */

export type RobotFlavor = 'wecom' | 'dingtalk';

const WECOM_COLOURS: Record<AlertLevel, 'info' | 'comment' | 'warning'> = {
  green: 'info',
  yellow: 'comment',
  red: 'warning',
};

/** Interpolated text for robots: markup characters replaced by their full-width forms (robots honour no escapes). */
export function robotText(text: string): string {
  const map: Record<string, string> = {
    '<': '＜',
    '>': '＞',
    '*': '＊',
    '`': '｀',
    '[': '［',
    ']': '］',
    _: '＿',
    '\n': ' ',
    '\r': ' ',
  };
  return text.replace(/[<>*`[\]_\r\n]/g, (c) => map[c] ?? c); // every character of the class is mapped
}

export function robotSegments(p: Paragraph | Segment[], flavor: RobotFlavor): string {
  return p
    .map((s) => {
      if (typeof s === 'string') return robotText(s);
      const t = robotText(s.text);
      if (s.level && flavor === 'wecom') return `<font color="${WECOM_COLOURS[s.level]}">${t}</font>`;
      return s.strong || s.level ? `**${t}**` : t;
    })
    .join('');
}

const levelSeg = (level: AlertLevel | null): Segment =>
  level === null ? '不适用' : { text: LEVEL_LABELS[level], level };

function keyLines(rows: Array<[string, Segment | Segment[]]>, flavor: RobotFlavor): string[] {
  return rows.map(([k, v]) => `> ${robotText(k)}：${robotSegments(Array.isArray(v) ? v : [v], flavor)}`);
}

function unitRobot(n: UnitNotice, flavor: RobotFlavor): string[] {
  const f = n.figures;
  const lines = [`### ${robotText(noticeTitle(n))}`, `${robotSegments(lagSentence(n), flavor)}。`];
  const needed = neededSentence(n);
  if (needed) lines.push(`${robotSegments(needed, flavor)}。`);
  const rows: Array<[string, Segment | Segment[]]> = [
    ['当前预算', yuan(f.budget)],
    [`${n.month}月支出`, yuan(f.spentMonth)],
    [`${monthsCn(n.month)}累计支出`, yuan(f.spentCumulative)],
    ['科室排名', `${n.rank.position}/${n.rank.of}`],
    [
      `${n.plan.month}月计划/实际`,
      `${n.plan.planned === null ? '未报送' : yuan(n.plan.planned)} / ${yuan(n.plan.actual)}`,
    ],
  ];
  if (n.plan.difference !== null) rows.push(['实际较计划差额', yuan(n.plan.difference)]);
  if (n.nextPlan)
    rows.push([`${n.nextPlan.month}月计划`, n.nextPlan.planned === null ? '未报送' : yuan(n.nextPlan.planned)]);
  const cp = n.forecast.nextCheckpoint;
  if (cp && cp.projectedRate !== null) {
    rows.push([`预计${dateCn(cp.date)}执行率`, [percent2(cp.projectedRate), '（', levelSeg(cp.projectedLevel), '）']]);
  }
  if (n.forecast.yearEnd.projectedRate !== null)
    rows.push(['预计年末执行率', percent2(n.forecast.yearEnd.projectedRate)]);
  lines.push('', ...keyLines(rows, flavor));
  if (n.monitoring) lines.push('', '**偏差说明和整改措施**', ...keyLines(monitoringRobotItems(n.monitoring), flavor));
  return lines;
}

function departmentRobot(n: DepartmentNotice, flavor: RobotFlavor): string[] {
  const f = n.figures;
  const lines = [`### ${robotText(noticeTitle(n))}`, `全局${robotSegments(lagSentence(n), flavor)}。`];
  const needed = neededSentence(n);
  if (needed) lines.push(`全局${robotSegments(needed, flavor)}。`);
  lines.push(
    '',
    ...keyLines(
      [
        ['当前预算', yuanWan(f.budget)],
        [`${n.month}月支出`, yuanWan(f.spentMonth)],
        [`${monthsCn(n.month)}累计支出`, yuanWan(f.spentCumulative)],
      ],
      flavor,
    ),
    '',
    '**各科室执行率**',
  );
  for (const u of n.units) {
    const seg: Segment[] = [
      `${u.rank}. ${u.unitName}：`,
      u.rate === null || u.lag === null ? '无预算' : `${percent2(u.rate)}，滞后${fixed2(u.lag)}个百分点，`,
    ];
    if (u.rate !== null) seg.push(levelSeg(u.level));
    lines.push(`> ${robotSegments(seg, flavor)}`);
  }
  return lines;
}

function monitoringAlertRobot(c: MonitoringAlertChange, flavor: RobotFlavor): string[] {
  const status: Segment =
    c.change === 'raised' ? { text: LEVEL_LABELS[c.level], level: c.level } : { text: '已解除', level: 'green' };
  return [
    `### ${robotText(alertTitle(c))}`,
    robotText(c.message),
    '',
    ...keyLines([['状态', status], ...monitoringAlertRows(c)], flavor),
  ];
}

function alertRobot(c: AlertChange, flavor: RobotFlavor): string[] {
  if (!isLagAlert(c)) return monitoringAlertRobot(c, flavor);
  const f = c.figures;
  const status: Segment =
    c.change === 'raised' ? { text: LEVEL_LABELS[c.level], level: c.level } : { text: '已解除', level: 'green' };
  const rows: Array<[string, Segment | Segment[]]> = [
    ['状态', status],
    ['预算执行率', f.rate === null ? '—' : percent2(f.rate)],
    ['序时进度', percent2(f.schedule)],
  ];
  if (f.checkpoint && f.projectedRate !== null) {
    rows.push([
      `预计${dateCn(f.checkpoint.date)}执行率`,
      `${percent2(f.projectedRate)}（${checkpointName(f.checkpoint)}要求${percent2(f.checkpoint.percent)}）`,
    ]);
  }
  return [`### ${robotText(alertTitle(c))}`, robotText(c.message), '', ...keyLines(rows, flavor)];
}

export function robotMarkdown(item: Deliverable, flavor: RobotFlavor): string {
  const lines = isAlertChange(item)
    ? alertRobot(item, flavor)
    : item.kind === 'unit'
      ? unitRobot(item, flavor)
      : departmentRobot(item, flavor);
  return lines.join('\n');
}

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Text within maxBytes of UTF-8: whole lines while they fit, then the marker. When not even the
 * first line fits, that line is cut by code points with markup removed (so no pair is left open).
 */
export function truncateUtf8(text: string, maxBytes: number, marker = TRUNCATION_MARKER): string {
  if (utf8Length(text) <= maxBytes) return text;
  const markerBytes = utf8Length(marker);
  if (markerBytes > maxBytes) return cutCodePoints(marker, maxBytes);
  const lines = text.split('\n');
  const kept: string[] = [];
  let used = markerBytes;
  for (const line of lines) {
    const cost = utf8Length(line) + 1; // the line and its newline
    if (used + cost > maxBytes) break;
    kept.push(line);
    used += cost;
  }
  if (kept.length === 0) {
    const plain = (lines[0] ?? '').replace(/<\/?font[^>]*>/g, '').replace(/\*\*/g, '');
    return cutCodePoints(plain, maxBytes - markerBytes - 1) + '\n' + marker;
  }
  while (kept.length && kept[kept.length - 1]?.trim() === '') kept.pop();
  return `${kept.join('\n')}\n${marker}`;
}

function cutCodePoints(text: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const b = utf8Length(ch);
    if (used + b > maxBytes) break;
    out += ch;
    used += b;
  }
  return out;
}

export function wecomPayload(item: Deliverable, opts: { maxBytes?: number } = {}): WeComMarkdownPayload {
  const content = truncateUtf8(
    robotMarkdown(item, 'wecom'),
    Math.min(opts.maxBytes ?? WECOM_MAX_BYTES, WECOM_MAX_BYTES),
  );
  return { msgtype: 'markdown', markdown: { content } };
}

export function dingtalkPayload(item: Deliverable, opts: { maxBytes?: number } = {}): DingTalkMarkdownPayload {
  const text = truncateUtf8(robotMarkdown(item, 'dingtalk'), opts.maxBytes ?? DINGTALK_MAX_BYTES);
  return { msgtype: 'markdown', markdown: { title: titleOf(item), text } };
}

/* ---------------------------------------------------------------------------------------- */
/* Recipients without their secrets                                                         */

/** Who a notice went to, as anyone may see it: the channel and its destination without secrets. */
export interface Recipient {
  subscription: number;
  channel: string;
  /** A webhook's scheme and host; a robot's host and the last characters of its key; null for the log. */
  target: string | null;
}

const ROBOT_KEY_PARAM: Record<string, string> = { wecom: 'key', dingtalk: 'access_token' };

/**
 * A destination without its secrets: a webhook's scheme and host (no path, query or user), a
 * robot's host and its key masked but for its last 4 characters (none of a key shorter than 8),
 * e.g. `qyapi.weixin.qq.com … key=••••3f2a`.
 */
export function maskTarget(channel: string, url: string | null): string | null {
  if (url === null || url === undefined) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '••••';
  }
  const param = ROBOT_KEY_PARAM[channel];
  if (param) {
    const key = u.searchParams.get(param) ?? '';
    return `${u.host} … ${param}=••••${key.length >= 8 ? key.slice(-4) : ''}`;
  }
  return `${u.protocol}//${u.host}`;
}

/** Recipients as stored (masked, or from before masking with their `url`) in the masked form. */
export function maskRecipients(stored: unknown): Recipient[] {
  if (!Array.isArray(stored)) return [];
  return stored.map((r: { subscription?: unknown; channel?: unknown; url?: unknown; target?: unknown }) => {
    const channel = String(r?.channel ?? '');
    const target =
      typeof r?.url === 'string' ? maskTarget(channel, r.url) : typeof r?.target === 'string' ? r.target : null;
    return { subscription: Number(r?.subscription), channel, target };
  });
}

/* ---------------------------------------------------------------------------------------- */
/* Log line                                                                                 */

function logValue(v: string | number | boolean | null): string {
  if (v === null) return '-';
  const s = String(v);
  return /^[^\s"=\\]+$/u.test(s) ? s : JSON.stringify(s);
}

type LogPair = [string, string | number | boolean | null];

function lagLogPairs(c: LagAlertChange): LogPair[] {
  const f = c.figures;
  return [
    ['rate', f.rate],
    ['schedule', f.schedule],
    ['lag', f.lag],
    ['projected', f.projectedRate],
  ];
}

/** What a monitoring alert is about, then its kind's own figures. */
function monitoringLogPairs(c: MonitoringAlertChange): LogPair[] {
  const f = c.figures;
  const pairs: LogPair[] = [['about', aboutKey(f.about)]];
  if (f.divergence)
    pairs.push(
      ['rate', f.divergence.rate],
      ['completion', f.divergence.completion],
      ['difference', f.divergence.difference],
    );
  if (f.deviation)
    pairs.push(['rate', f.deviation.rate], ['since', f.deviation.since], ['workingDays', f.deviation.workingDaysOpen]);
  if (f.target)
    pairs.push(['likelihood', f.target.progress?.likelihood ?? null], ['actual', f.target.progress?.actual ?? null]);
  return pairs;
}

/** One line of key=value pairs (values with spaces, quotes or `=` are JSON-quoted). */
export function logLine(item: Deliverable): string {
  const pairs: LogPair[] = [];
  if (isAlertChange(item)) {
    pairs.push(
      ['event', `alert.${item.change}`],
      ['id', item.id],
      ['department', item.department],
      ['year', item.year],
      ['subject', item.subject],
      ['month', item.month],
      ['kind', item.kind],
      ['level', item.level],
      ['reason', item.reason],
      ...(isLagAlert(item) ? lagLogPairs(item) : monitoringLogPairs(item)),
    );
  } else {
    const f = item.figures;
    pairs.push(
      ['event', 'notice'],
      ['id', item.id],
      ['department', item.department],
      ['year', item.year],
      ['unit', item.kind === 'unit' ? item.unit : null],
      ['month', item.month],
      ['budget', f.budget],
      ['spent', f.spentCumulative],
      ['rate', f.rate],
      ['schedule', f.schedule],
      ['lag', f.lag],
      ['level', f.level],
    );
    if (item.kind === 'unit') {
      pairs.push(['rank', `${item.rank.position}/${item.rank.of}`]);
      if (item.monitoring)
        pairs.push(
          ['unexplained', item.monitoring.deviations.length],
          ['measuresDue', item.monitoring.measures.length],
        );
    } else pairs.push(['red', item.red.length], ['yellow', item.yellow.length]);
  }
  pairs.push(['title', titleOf(item)]);
  return pairs.map(([k, v]) => `${k}=${logValue(v)}`).join(' ');
}
