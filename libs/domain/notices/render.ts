/**
 * Chinese renderings of notices and alerts (Markdown, HTML fragment).
 *
 * The text is built once as a small rich-text model (paragraphs of segments, tables of cells)
 * and serialised per target, so Markdown, HTML and the chat robots (channels.ts) say the same
 * thing. HTML escapes every interpolated string; Markdown escapes the characters that would
 * change the markup.
 */
import { Decimal, fixed2 } from '../decimal.js';
import type { AlertLevel } from '../execution/execution.js';
import {
  dateCn,
  fullDateCn,
  monthsCn,
  percent2,
  percentExact,
  percentPointsAbs,
  wanFigure,
  yuan,
  yuanWan,
} from '../format.js';
import { required } from '../required.js';
import { isLagAlert, type AlertChange, type MonitoringAlertChange } from './alerts.js';
import {
  checkpointGapLabel,
  checkpointName,
  checkpointNeededLabel,
  checkpointRowLabel,
  checkpointTarget,
  scheduleNote,
} from './checkpoint-text.js';
import {
  monitoringAlertRows,
  monitoringAlertTitle,
  monitoringParagraph,
  monitoringTables,
} from './monitoring-render.js';
import { type DepartmentNotice, type Notice, type UnitNotice, LEVEL_LABELS } from './notice.js';

/* ---------------------------------------------------------------------------------------- */
/* Colours                                                                                  */

export const LEVEL_COLOURS: Record<AlertLevel, string> = {
  green: '#2e7d32',
  yellow: '#b7791f',
  red: '#c62828',
};

/* ---------------------------------------------------------------------------------------- */
/* Rich-text model                                                                          */

export type Segment = string | { text: string; strong?: boolean; level?: AlertLevel };
export type Paragraph = Segment[];

export interface Table {
  caption?: string;
  /** Printed above the table at the right, e.g. "单位：万元". */
  unitNote?: string;
  head: string[];
  rows: Segment[][];
  /** Columns aligned right (numbers). */
  numeric?: number[];
}

export interface Document {
  title: string;
  /** Addressee line, e.g. "应急指挥信息科：". */
  salutation?: string;
  paragraphs: Paragraph[];
  tables: Table[];
  /** Small print under the tables. */
  notes: string[];
}

const seg = (s: Segment) => (typeof s === 'string' ? { text: s } : s);

export function plainText(p: Paragraph | Segment[]): string {
  return p.map((s) => seg(s).text).join('');
}

/** Text in Markdown: backslash-escapes the characters that would change the markup; < > as entities. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|#]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export function escapeHtml(text: string): string {
  // Every character of the class has an entity, so the fallback never applies.
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export function paragraphToMarkdown(p: Paragraph): string {
  return p
    .map((s) => {
      const { text, strong, level } = seg(s);
      const t = escapeMarkdown(text);
      return strong || level ? `**${t}**` : t;
    })
    .join('');
}

export function paragraphToHtml(p: Paragraph): string {
  return p
    .map((s) => {
      const { text, strong, level } = seg(s);
      const t = escapeHtml(text);
      if (level) return `<strong style="color:${LEVEL_COLOURS[level]}">${t}</strong>`;
      return strong ? `<strong>${t}</strong>` : t;
    })
    .join('');
}

export function documentToMarkdown(doc: Document): string {
  const out: string[] = [`# ${escapeMarkdown(doc.title)}`, ''];
  if (doc.salutation) out.push(escapeMarkdown(doc.salutation), '');
  for (const p of doc.paragraphs) out.push(paragraphToMarkdown(p), '');
  for (const t of doc.tables) {
    if (t.caption)
      out.push(`**${escapeMarkdown(t.caption)}**${t.unitNote ? `（${escapeMarkdown(t.unitNote)}）` : ''}`, '');
    out.push(`| ${t.head.map(escapeMarkdown).join(' | ')} |`);
    out.push(`| ${t.head.map((_, i) => (t.numeric?.includes(i) ? '---:' : '---')).join(' | ')} |`);
    for (const row of t.rows) out.push(`| ${row.map((c) => paragraphToMarkdown([c])).join(' | ')} |`);
    out.push('');
  }
  for (const n of doc.notes) out.push(`> ${escapeMarkdown(n)}`);
  while (out[out.length - 1] === '') out.pop();
  return out.join('\n') + '\n';
}

const FONT = "font-family:'SimSun','Songti SC','Noto Serif CJK SC',serif;color:#222;line-height:1.8";
const CELL = 'border:1px solid #999;padding:4px 8px';

export function documentToHtml(doc: Document): string {
  const out: string[] = [`<section style="${FONT};max-width:860px">`];
  out.push(`<h2 style="text-align:center;font-size:20px;margin:0 0 16px">${escapeHtml(doc.title)}</h2>`);
  if (doc.salutation) out.push(`<p style="margin:0 0 8px">${escapeHtml(doc.salutation)}</p>`);
  for (const p of doc.paragraphs) out.push(`<p style="text-indent:2em;margin:0 0 8px">${paragraphToHtml(p)}</p>`);
  for (const t of doc.tables) {
    out.push('<table style="border-collapse:collapse;width:100%;margin:12px 0;font-size:14px">');
    if (t.caption || t.unitNote) {
      out.push(
        `<caption style="caption-side:top;text-align:left;padding:4px 0">${t.caption ? `<strong>${escapeHtml(t.caption)}</strong>` : ''}` +
          `${t.unitNote ? `<span style="float:right">${escapeHtml(t.unitNote)}</span>` : ''}</caption>`,
      );
    }
    out.push(
      `<thead><tr>${t.head.map((h) => `<th style="${CELL};background:#f2f2f2">${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    );
    out.push('<tbody>');
    for (const row of t.rows) {
      const cells = row.map((c, i) => {
        const align = t.numeric?.includes(i) ? ';text-align:right' : '';
        return `<td style="${CELL}${align}">${paragraphToHtml([c])}</td>`;
      });
      out.push(`<tr>${cells.join('')}</tr>`);
    }
    out.push('</tbody></table>');
  }
  for (const n of doc.notes) out.push(`<p style="font-size:12px;color:#666;margin:4px 0">${escapeHtml(n)}</p>`);
  out.push('</section>');
  return out.join('\n') + '\n';
}

/* ---------------------------------------------------------------------------------------- */
/* Notice sentences                                                                         */

export function noticeTitle(n: Notice): string {
  const base = `${n.departmentName}${n.year}年${n.month}月支出情况通报`;
  return n.kind === 'unit' ? `${base}（${n.unitName}）` : base;
}

const levelSeg = (level: AlertLevel | null): Segment =>
  level === null ? '不适用' : { text: LEVEL_LABELS[level], level };

const sourceCn = (n: Notice) => (n.source === 'fiscal' ? '财政资金' : '全部资金');

/** "截至6月末，预算执行率16.75%，低于序时进度50.00%共33.25个百分点，为红色预警". */
export function lagSentence(n: Notice): Paragraph {
  const f = n.figures;
  if (f.rate === null || f.lag === null) return [`截至${n.month}月末，当前无预算，不计算预算执行率`];
  const lag = new Decimal(f.lag);
  const comparison = lag.isZero()
    ? `与序时进度${percent2(f.schedule)}持平`
    : `${lag.gt(0) ? '低于' : '高于'}序时进度${percent2(f.schedule)}共${percentPointsAbs(lag)}个百分点`;
  return [
    `截至${n.month}月末，预算执行率`,
    { text: percent2(f.rate), strong: true },
    `，${comparison}，为`,
    levelSeg(f.level),
  ];
}

/** "需在9月30日前再支出X元方可达到第三季度75%的进度要求" ("…方可达到4月30日序时进度25%的要求"). */
export function neededSentence(n: Notice): Paragraph | null {
  const cp = n.figures.checkpoint;
  if (!cp || n.figures.rate === null) return null;
  const target = checkpointTarget(cp, cp.percent);
  if (new Decimal(cp.neededToReach).isZero()) return [`已达到${target}`];
  return [`需在${dateCn(cp.date)}前再支出`, { text: yuanWan(cp.neededToReach), strong: true }, `方可达到${target}`];
}

function forecastSentence(n: Notice): Paragraph | null {
  const f = n.forecast;
  const cp = f.nextCheckpoint;
  if (n.figures.rate === null) return null;
  const basis = `按近${f.runRateMonths}个月月均支出${yuanWan(f.runRate)}测算`;
  const yearEnd = f.yearEnd.projectedRate === null ? '' : `，预计年末执行率${percent2(f.yearEnd.projectedRate)}`;
  if (f.runRateMonths === 0) return null;
  if (!cp || cp.projectedRate === null) return [`${basis}${yearEnd}。`];
  const gap = new Decimal(cp.percent).minus(cp.projectedRate);
  const name = checkpointName(cp);
  const verdict: Paragraph = f.willMissCheckpoint
    ? [`，将低于${name}进度要求${percentPointsAbs(gap)}个百分点，预计为`, levelSeg(cp.projectedLevel)]
    : gap.gt(0)
      ? [`，略低于${name}进度要求${percentPointsAbs(gap)}个百分点`]
      : [`，可达到${name}进度要求`];
  return [
    `${basis}，预计${dateCn(cp.date)}执行率`,
    { text: percent2(cp.projectedRate), strong: true },
    ...verdict,
    `${yearEnd}。`,
  ];
}

function planSentence(n: Notice): Paragraph {
  const p = n.plan;
  const parts: Paragraph = [];
  if (p.planned === null) parts.push(`${p.month}月未报送支出计划，实际支出${yuanWan(p.actual)}`);
  else {
    const diff = new Decimal(required(p.difference, 'the difference of a submitted plan'));
    parts.push(`${p.month}月计划支出${yuanWan(p.planned)}，实际支出${yuanWan(p.actual)}`);
    if (p.completion !== null) parts.push(`，完成计划的${percent2(p.completion)}`);
    if (diff.isZero()) parts.push('，与计划一致');
    else
      parts.push(`，${diff.gt(0) ? '超计划支出' : '较计划少支出'}`, { text: yuanWan(diff.abs()), strong: diff.lt(0) });
  }
  if (n.nextPlan) {
    parts.push(
      n.nextPlan.planned === null
        ? `；${n.nextPlan.month}月尚未报送支出计划`
        : `；${n.nextPlan.month}月计划支出${yuanWan(n.nextPlan.planned)}`,
    );
  }
  parts.push('。');
  return parts;
}

function closing(level: AlertLevel | null, who: string): string {
  switch (level) {
    case 'red':
      return `请${who}高度重视，认真分析支出滞后原因，制定整改措施，加快项目实施和资金支付进度，确保按期达到序时进度要求。`;
    case 'yellow':
      return `请${who}加快资金支付进度，按计划推进支出，避免进一步滞后。`;
    case 'green':
      return `请${who}继续按计划推进支出，保持序时进度。`;
    default:
      return '';
  }
}

function notes(n: Notice): string[] {
  const out = [
    `统计口径：${sourceCn(n)}；预算为${fullDateCn(n.asOf)}有效预算（年初预算及已生效调整），支出按所属月份统计并计入更正。`,
    n.knownOn ? `数据截至${fullDateCn(n.knownOn)}已登记的记录。` : '数据含已登记的全部记录及更正。',
    scheduleNote(n.checkpoints),
  ];
  return out;
}

function unitDocument(n: UnitNotice): Document {
  const f = n.figures;
  const paragraphs: Paragraph[] = [];
  paragraphs.push([`根据预算执行监控数据，现将你科室${n.year}年${n.month}月支出情况通报如下。`]);
  const standing: Paragraph = [
    `一、执行情况。${n.month}月支出${yuanWan(f.spentMonth)}，${monthsCn(n.month)}累计支出${yuanWan(f.spentCumulative)}，当前预算${yuanWan(f.budget)}。`,
    ...lagSentence(n),
  ];
  if (f.rate !== null) standing.push(`，在全局${n.rank.of}个科室中排名第${n.rank.position}。`);
  else standing.push('。');
  paragraphs.push(standing);
  paragraphs.push(['二、计划执行情况。', ...planSentence(n)]);
  const needed = neededSentence(n);
  const fc = forecastSentence(n);
  if (needed || fc) {
    const p: Paragraph = ['三、进度要求。'];
    if (needed) p.push(...needed, '。');
    if (fc) p.push(...fc);
    paragraphs.push(p);
  }
  // Only with something to list (never for a v1 stream): the next section number after those above.
  if (n.monitoring) paragraphs.push(monitoringParagraph(n.monitoring, needed || fc ? '四' : '三'));
  const close = closing(f.level, '你科室');
  if (close) paragraphs.push([close]);

  const rows: Segment[][] = [
    ['当前预算', yuan(f.budget)],
    [`${n.month}月支出`, yuan(f.spentMonth)],
    [`${monthsCn(n.month)}累计支出`, yuan(f.spentCumulative)],
    ['预算执行率', f.rate === null ? '—' : { text: percent2(f.rate), strong: true }],
    ['序时进度', percent2(f.schedule)],
    ['滞后（百分点）', f.lag === null ? '—' : fixed2(f.lag)],
    ['预警等级', levelSeg(f.level)],
    ['科室排名', `${n.rank.position}/${n.rank.of}`],
  ];
  if (f.checkpoint) {
    rows.push([checkpointRowLabel(f.checkpoint), percent2(f.checkpoint.percent)]);
    rows.push([checkpointGapLabel(f.checkpoint), f.checkpoint.gap === null ? '—' : fixed2(f.checkpoint.gap)]);
    rows.push([checkpointNeededLabel(f.checkpoint), yuan(f.checkpoint.neededToReach)]);
  }
  rows.push([`${n.plan.month}月计划支出`, n.plan.planned === null ? '未报送' : yuan(n.plan.planned)]);
  rows.push([`${n.plan.month}月实际支出`, yuan(n.plan.actual)]);
  rows.push(['实际较计划差额', n.plan.difference === null ? '—' : yuan(n.plan.difference)]);
  if (n.nextPlan)
    rows.push([`${n.nextPlan.month}月计划支出`, n.nextPlan.planned === null ? '未报送' : yuan(n.nextPlan.planned)]);
  rows.push([`近${n.forecast.runRateMonths}个月月均支出`, yuan(n.forecast.runRate)]);
  const fcp = n.forecast.nextCheckpoint;
  if (fcp) rows.push([`预计${dateCn(fcp.date)}执行率`, fcp.projectedRate === null ? '—' : percent2(fcp.projectedRate)]);
  rows.push([
    '预计年末执行率',
    n.forecast.yearEnd.projectedRate === null ? '—' : percent2(n.forecast.yearEnd.projectedRate),
  ]);

  return {
    title: noticeTitle(n),
    salutation: `${n.unitName}：`,
    paragraphs,
    tables: [
      { caption: '主要指标', head: ['项目', '数值'], rows, numeric: [1] },
      ...(n.monitoring ? monitoringTables(n.monitoring) : []),
    ],
    notes: notes(n),
  };
}

function departmentDocument(n: DepartmentNotice): Document {
  const f = n.figures;
  const paragraphs: Paragraph[] = [];
  paragraphs.push([`现将${n.year}年${n.month}月全局支出情况通报如下。`]);
  paragraphs.push([
    `一、总体情况。${n.month}月全局支出${yuanWan(f.spentMonth)}，${monthsCn(n.month)}累计支出${yuanWan(f.spentCumulative)}，当前预算${yuanWan(f.budget)}。`,
    ...lagSentence(n),
    '。',
  ]);
  paragraphs.push(['二、计划执行情况。', ...planSentence(n)]);
  const needed = neededSentence(n);
  const fc = forecastSentence(n);
  if (needed || fc) {
    const p: Paragraph = ['三、进度要求。'];
    if (needed) p.push('全局', ...needed, '。');
    if (fc) p.push(...fc);
    paragraphs.push(p);
  }
  const list = (rows: DepartmentNotice['units']) =>
    rows
      .map((r) => {
        const rate = percent2(required(r.rate, 'the rate of a unit with an alert'));
        const lag = percentPointsAbs(required(r.lag, 'the lag of a unit with an alert'));
        return `${r.unitName}（${rate}，滞后${lag}个百分点）`;
      })
      .join('、');
  const warn: Paragraph = ['四、预警情况。'];
  if (n.red.length === 0 && n.yellow.length === 0) warn.push('本月无预警科室。');
  else {
    if (n.red.length) warn.push({ text: '红色预警', level: 'red' }, `科室${n.red.length}个：${list(n.red)}`);
    if (n.red.length && n.yellow.length) warn.push('；');
    if (n.yellow.length)
      warn.push({ text: '黄色预警', level: 'yellow' }, `科室${n.yellow.length}个：${list(n.yellow)}`);
    warn.push('。请相关科室高度重视，认真分析原因，加快支出进度。');
  }
  paragraphs.push(warn);

  const rows: Segment[][] = n.units.map((u) => [
    String(u.rank),
    u.unitName,
    wanFigure(u.budget),
    wanFigure(u.spentMonth),
    wanFigure(u.spentCumulative),
    u.rate === null ? '—' : percent2(u.rate),
    u.lag === null ? '—' : fixed2(u.lag),
    levelSeg(u.level),
    u.neededToReach === null || u.rate === null ? '—' : wanFigure(u.neededToReach),
    u.planned === null ? '—' : wanFigure(u.planned),
    u.nextPlanned === null ? '—' : wanFigure(u.nextPlanned),
  ]);
  rows.push([
    '',
    { text: '合计', strong: true },
    wanFigure(f.budget),
    wanFigure(f.spentMonth),
    wanFigure(f.spentCumulative),
    f.rate === null ? '—' : { text: percent2(f.rate), strong: true },
    f.lag === null ? '—' : fixed2(f.lag),
    levelSeg(f.level),
    f.checkpoint === null || f.rate === null ? '—' : wanFigure(f.checkpoint.neededToReach),
    n.plan.planned === null ? '—' : wanFigure(n.plan.planned),
    n.nextPlan?.planned == null ? '—' : wanFigure(n.nextPlan.planned),
  ]);
  const cp = f.checkpoint;
  const head = [
    '排名',
    '科室',
    '当前预算',
    `${n.month}月支出`,
    '累计支出',
    '执行率',
    `滞后（序时${percent2(f.schedule)}）`,
    '预警等级',
    cp ? `距${checkpointName(cp)}${percentExact(cp.percent)}尚需` : '尚需支出',
    `${n.month}月计划`,
    n.nextPlan ? `${n.nextPlan.month}月计划` : '下月计划',
  ];
  return {
    title: noticeTitle(n),
    paragraphs,
    tables: [
      { caption: '各科室支出进度', unitNote: '金额单位：万元', head, rows, numeric: [0, 2, 3, 4, 5, 6, 8, 9, 10] },
    ],
    notes: notes(n),
  };
}

export function noticeDocument(n: Notice): Document {
  return n.kind === 'unit' ? unitDocument(n) : departmentDocument(n);
}

export function renderNoticeMarkdown(n: Notice): string {
  return documentToMarkdown(noticeDocument(n));
}

export function renderNoticeHtml(n: Notice): string {
  return documentToHtml(noticeDocument(n));
}

/* ---------------------------------------------------------------------------------------- */
/* Alerts                                                                                   */

export function alertTitle(c: AlertChange): string {
  if (!isLagAlert(c)) return monitoringAlertTitle(c);
  const what = c.kind === 'level' ? '预算执行' : '执行进度预测';
  if (c.change === 'cleared') return `${c.subjectName}${what}预警解除（${c.year}年${c.month}月）`;
  return `${c.subjectName}${what}${LEVEL_LABELS[c.level]}（${c.year}年${c.month}月）`;
}

function monitoringAlertDocument(c: MonitoringAlertChange): Document {
  const status: Segment =
    c.change === 'raised' ? { text: LEVEL_LABELS[c.level], level: c.level } : { text: '已解除', level: 'green' };
  return {
    title: alertTitle(c),
    paragraphs: [['状态：', status], [c.message]],
    tables: [{ head: ['项目', '数值'], rows: monitoringAlertRows(c) }],
    notes: [`预警编号：${c.alertId}`],
  };
}

export function alertDocument(c: AlertChange): Document {
  if (!isLagAlert(c)) return monitoringAlertDocument(c);
  const f = c.figures;
  const rows: Segment[][] = [
    ['预算执行率', f.rate === null ? '—' : percent2(f.rate)],
    ['序时进度', percent2(f.schedule)],
    ['滞后（百分点）', f.lag === null ? '—' : fixed2(f.lag)],
    ['当前等级', levelSeg(f.level)],
  ];
  if (f.checkpoint) {
    rows.push([checkpointRowLabel(f.checkpoint), percent2(f.checkpoint.percent)]);
    rows.push([`预计${dateCn(f.checkpoint.date)}执行率`, f.projectedRate === null ? '—' : percent2(f.projectedRate)]);
    rows.push(['预测等级', levelSeg(f.projectedLevel)]);
  }
  const status: Segment =
    c.change === 'raised' ? { text: LEVEL_LABELS[c.level], level: c.level } : { text: '已解除', level: 'green' };
  return {
    title: alertTitle(c),
    paragraphs: [['状态：', status], [c.message]],
    tables: [{ head: ['项目', '数值'], rows, numeric: [1] }],
    notes: [`预警编号：${c.alertId}`],
  };
}

export function renderAlertMarkdown(c: AlertChange): string {
  return documentToMarkdown(alertDocument(c));
}

export function renderAlertHtml(c: AlertChange): string {
  return documentToHtml(alertDocument(c));
}
