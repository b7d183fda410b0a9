/**
 * The monitoring table (绩效运行监控表) as a self-contained, printable HTML document: one section
 * per table (部门整体, then each project), A4 landscape, laid out like the workbook
 * (monitoring-xlsx.ts) and the paper form. Printed to PDF by the same Chromium path as the
 * self-evaluation. Every interpolated string goes through esc(): names and texts come from clients.
 */
import { wanFigure } from '#domain/format.js';
import { esc } from '../../evaluation/exports/evaluation-html.js';
import type { MonitoringAnswer } from '../monitoring.wire.js';
import { CAUSES, LIKELIHOOD_TEXT, MARK, periodLabel } from './monitoring-layout.js';
import {
  LEVEL_TEXT,
  periodProgress,
  tableSections,
  tableSubtitle,
  tableTitle,
  type TableSection,
} from './monitoring-xlsx.js';

const CSS = `
@page { size: A4 landscape; margin: 10mm 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimSun", sans-serif;
  font-size: 9pt; line-height: 1.4; color: #111; margin: 0 auto; max-width: 277mm; }
section + section { break-before: page; page-break-before: always; }
h1 { font-size: 15pt; text-align: center; margin: 0 0 2mm; }
.sub { text-align: right; margin: 0 0 1.5mm; font-size: 9pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 1px solid #444; padding: 1mm 1.2mm; vertical-align: middle; word-break: break-all; }
th { background: #eef2f8; text-align: center; font-weight: bold; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; }
td.label { background: #eef2f8; text-align: center; font-weight: bold; }
tr { break-inside: avoid; page-break-inside: avoid; }
@media print { body { max-width: none; } }
`;

/** Column widths (mm-ish proportions) of the 15 printed columns, as in the workbook. */
const WIDTHS = [8, 11, 12, 20, 13, 14, 14, 12, 6, 6, 6, 7, 6, 26, 30];

const td = (content: string, cls = '', span = '') => `<td${cls ? ` class="${cls}"` : ''}${span}>${content}</td>`;
const th = (content: string, span = '') => `<th${span}>${content}</th>`;
const rs = (n: number) => (n > 1 ? ` rowspan="${n}"` : '');
const cs = (n: number) => (n > 1 ? ` colspan="${n}"` : '');
const rate = (v: string | null) => (v === null ? '—' : `${esc(v)}%`);

function causeCells(deviation: { cause: string; reason: string } | null, measure: string | null): string {
  return (
    CAUSES.map((c) => td(deviation?.cause === c.cause ? MARK : '', 'c')).join('') +
    td(esc(deviation?.reason ?? '')) +
    td(esc(measure ?? ''))
  );
}

const causeHead = () =>
  `${th('偏差原因分析', cs(CAUSES.length + 1))}${th('完善措施', rs(2))}</tr><tr>${CAUSES.map((c) => th(c.text)).join('')}${th('原因说明')}`;

/** A run-length grouping of the targets' 一级 / 二级指标 for rowspans: the span at each run's first row, 0 after. */
function spans(keys: string[]): number[] {
  const out = keys.map(() => 0);
  let start = 0;
  for (let i = 1; i <= keys.length; i++) {
    if (i < keys.length && keys[i] === keys[start]) continue;
    out[start] = i - start;
    start = i;
  }
  return out;
}

function section(a: MonitoringAnswer, s: TableSection): string {
  const period = periodLabel(a.throughMonth, a.asOf);
  const f = s.figures;
  const x = s.explanation;
  const targets = s.targets;
  const l1 = spans(targets.map((t) => t.level1));
  const l2 = spans(targets.map((t) => `${t.level1}\u0000${t.level2}`));
  const targetRows = targets.map((t, i) => {
    const p = periodProgress(a, t);
    const cells = [
      ...(l1[i] ? [td(esc(t.level1), 'c', rs(l1[i] ?? 1))] : []),
      ...(l2[i] ? [td(esc(t.level2), 'c', rs(l2[i] ?? 1))] : []),
      td(esc(t.name)),
      td(esc(t.target), 'c'),
      td(esc(p?.actual ?? ''), 'c'),
      td(esc(p?.expectedYearEnd ?? ''), 'c'),
      td(p ? esc(LIKELIHOOD_TEXT[p.likelihood] ?? p.likelihood) : '', 'c'),
      causeCells(p?.deviation ?? null, p?.measure ?? null),
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  if (!targets.length) targetRows.push(`<tr>${td('（未设定绩效指标）', 'c', cs(14))}</tr>`);
  const remarks = s.remarks.length
    ? `<tr>${td('监控提示', 'label')}${td(esc(s.remarks.join('；')), '', cs(14))}</tr>`
    : '';
  return `<section>
<h1>${esc(tableTitle(a, s))}</h1>
<p class="sub">${esc(tableSubtitle(a))}</p>
<table><colgroup>${WIDTHS.map((w) => `<col style="width:${w}mm">`).join('')}</colgroup><tbody>
<tr>${td(s.kind === 'project' ? '项目名称' : '部门名称', 'label')}${td(`<b>${esc(s.name)}</b>`, '', cs(14))}</tr>
<tr>${td('主管部门', 'label')}${td(esc(a.departmentName), '', cs(6))}${td('实施单位', 'label')}${td(esc(s.unitName), '', cs(7))}</tr>
<tr>${td(s.kind === 'project' ? '项目资金（万元）' : '部门资金（万元）', 'label', rs(3))}${th('年度预算数', rs(2))}${th(`${esc(period)}执行数`, rs(2))}${th('执行率', rs(2))}${th('序时进度', rs(2))}${th('全年预计执行数', rs(2))}${th('预计结转结余', rs(2))}${th('预警等级', rs(2))}${causeHead()}</tr>
<tr>${td(wanFigure(f.budget), 'n')}${td(wanFigure(f.spent), 'n')}${td(rate(f.rate), 'n')}${td(rate(f.schedule), 'n')}${td(wanFigure(f.projectedYearEnd), 'n')}${td(wanFigure(f.carryOver), 'n')}${td(f.level ? esc(LEVEL_TEXT[f.level] ?? f.level) : '—', 'c')}${causeCells(x && { cause: x.cause, reason: x.reason }, x?.measure ?? null)}</tr>
<tr>${td('绩效指标', 'label', rs(targetRows.length + 2))}${th('一级指标', rs(2))}${th('二级指标', rs(2))}${th('三级指标', rs(2))}${th('年度指标值', rs(2))}${th(`${esc(period)}实际完成值`, rs(2))}${th('全年预计完成值', rs(2))}${th('完成目标可能性', rs(2))}${causeHead()}</tr>
${targetRows.join('\n')}
${remarks}
</tbody></table>
</section>`;
}

/** The whole table as one HTML document (no external resources). */
export function monitoringHtml(a: MonitoringAnswer): string {
  const sections = tableSections(a);
  const body = sections.length
    ? sections.map((s) => section(a, s)).join('\n')
    : `<section><h1>${esc(a.departmentName)} ${esc(a.year)}</h1><p>没有可填报的项目。</p></section>`;
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>${esc(a.departmentName)} ${esc(a.year)} 绩效运行监控表</title>
<style>${CSS}</style></head>
<body>
${body}
</body></html>
`;
}
