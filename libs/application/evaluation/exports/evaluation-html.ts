/**
 * The self-evaluation as a self-contained, printable (A4) HTML report in Chinese. Every
 * interpolated string goes through esc(): names, evidence and reasons come from clients.
 */
import { groupedAmount } from '#domain/format.js';
import {
  computedText,
  gradesText,
  type CriterionWire,
  type EvaluationReport,
  type PendingWire,
} from '../evaluation.wire.js';

/** HTML-escapes text for element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const STATUS_TEXT: Record<string, string> = {
  met: '达成',
  not_met: '未达成',
  not_applicable: '不适用',
  not_reported: '未报告',
  invalid: '无法判断',
};
const KIND_TEXT: Record<string, string> = { judged: '评定', computed: '计算', composite: '分项合计' };

const CSS = `
@page { size: A4; margin: 15mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimSun", sans-serif;
  font-size: 10.5pt; line-height: 1.5; color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #333; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
th, td { border: 1px solid #555; padding: 1.2mm 1.6mm; vertical-align: top; }
th { background: #eef2f8; text-align: center; font-weight: bold; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; }
.meta td { border: none; padding: 0.5mm 1mm; }
.status { display: inline-block; padding: 0 2mm; border: 1px solid #333; font-weight: bold; }
.forecast { color: #8a4b00; border-color: #8a4b00; }
.incomplete { color: #a40000; border-color: #a40000; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; }
.note { background: #fff6e5; border-left: 3px solid #8a4b00; padding: 2mm 3mm; }
.formula { color: #333; font-size: 9.5pt; }
.sub { margin: 1mm 0 0 3mm; padding: 0; list-style: none; }
.total { font-size: 14pt; font-weight: bold; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
h2 { break-after: avoid; page-break-after: avoid; }
@media print { body { max-width: none; } a { color: inherit; text-decoration: none; } }
`;

const row = (cells: string[]) => `<tr>${cells.join('')}</tr>`;
const td = (content: string, cls = '', span = '') => `<td${cls ? ` class="${cls}"` : ''}${span}>${content}</td>`;

/** The score so far and the most it can still reach differ: the result is not decided yet. */
const isOpen = (r: EvaluationReport) => r.range.min.exact !== r.range.max.exact;

/** The grade, or `未定（良—优）` when the range does not decide it. */
const gradeCell = (r: EvaluationReport) => r.grade ?? `未定（${gradesText(null, r.grades)}）`;

function pendingTable(title: string, items: PendingWire[]): string {
  if (!items.length) return '';
  const rows = items.map((p) =>
    row([td(esc(p.name)), td(esc(p.weight), 'n'), td(esc(p.score), 'n'), td(esc(p.max), 'n'), td(esc(p.reason))]),
  );
  return `<h3>${title}（${items.length}项）</h3>
<table class="pending"><thead><tr><th>指标</th><th>分值</th><th>目前得分</th><th>最高可得</th><th>说明</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function summary(r: EvaluationReport): string {
  if (!isOpen(r) && r.status === 'final') {
    const groups = r.level1.map((g) => row([td(esc(g.name)), td(esc(g.weight), 'n'), td(esc(g.score), 'n')])).join('');
    return `<h2>一、评价结果</h2>
<p>综合评分 <span class="total">${esc(r.total.score)}</span> 分，评分等级 <span class="total">${esc(r.grade)}</span>。</p>
<table><thead><tr><th>一级指标</th><th>分值</th><th>得分</th></tr></thead><tbody>${groups}
${row([td('<b>合计</b>'), td('100', 'n'), td(`<b>${esc(r.total.score)}</b>`, 'n')])}</tbody></table>`;
  }
  const { min, max } = r.range;
  const grade =
    r.grade !== null
      ? `评分等级 <span class="total">${esc(r.grade)}</span>${isOpen(r) ? '（得分范围内已可确定）' : ''}`
      : `评分等级尚未确定，可能为 <span class="total">${esc(gradesText(null, r.grades))}</span>`;
  const range = isOpen(r)
    ? `目前得分 <span class="total">${esc(min.score)}</span> 分，最高可达 <span class="total">${esc(max.score)}</span> 分（得分范围 ${esc(min.score)}—${esc(max.score)}）`
    : `综合评分 <span class="total">${esc(min.score)}</span> 分`;
  const groups = r.level1
    .map((g) => row([td(esc(g.name)), td(esc(g.weight), 'n'), td(esc(g.score), 'n'), td(esc(g.max.score), 'n')]))
    .join('');
  return `<h2>一、评价结果</h2>
<p>${range}，${grade}。</p>
<table><thead><tr><th>一级指标</th><th>分值</th><th>目前得分</th><th>最高可得</th></tr></thead><tbody>${groups}
${row([td('<b>合计</b>'), td('100', 'n'), td(`<b>${esc(min.score)}</b>`, 'n'), td(`<b>${esc(max.score)}</b>`, 'n')])}</tbody></table>
${pendingTable('缺少数据或评定', r.missing)}
${pendingTable('尚未到期', r.notDue)}`;
}

function basis(c: CriterionWire): string {
  const evidence = c.evidence && !c.how.formula.includes(c.evidence) ? `<div>依据：${esc(c.evidence)}</div>` : '';
  const items = c.items
    ? `<ul class="sub">${c.items.map((i) => `<li>${esc(i.name)}（${esc(i.weight)}分，${esc(KIND_TEXT[i.kind])}）：${esc(i.score)} 分 — ${esc(i.how.formula)}</li>`).join('')}</ul>`
    : '';
  return `<div class="formula">${esc(c.how.formula)}</div>${evidence}${items}`;
}

function scoring(r: EvaluationReport): string {
  const l1 = new Map(r.level1.map((g) => [g.id, g]));
  const l2 = new Map(r.level2.map((g) => [g.id, g]));
  /** Rows the group cell of criterion `c` (at `i`) spans: 0 when the row above is in its group. */
  const span = (key: 'level1' | 'level2', c: CriterionWire, i: number) => {
    if (i > 0 && r.criteria[i - 1]?.[key] === c[key]) return 0;
    let n = 1;
    while (r.criteria[i + n]?.[key] === c[key]) n++;
    return n;
  };
  const rows = r.criteria.map((c, i) => {
    const cells: string[] = [];
    const s1 = span('level1', c, i);
    if (s1)
      cells.push(
        td(
          `${esc(l1.get(c.level1)?.name ?? c.level1)}<br>（${esc(l1.get(c.level1)?.weight ?? '')}分）`,
          'c',
          ` rowspan="${s1}"`,
        ),
      );
    const s2 = span('level2', c, i);
    if (s2)
      cells.push(
        td(
          `${esc(l2.get(c.level2)?.name ?? c.level2)}<br>（${esc(l2.get(c.level2)?.weight ?? '')}分）`,
          'c',
          ` rowspan="${s2}"`,
        ),
      );
    const upTo = c.max.exact !== c.exact ? `<div class="formula">最高 ${esc(c.max.score)}</div>` : '';
    cells.push(
      td(esc(c.name)),
      td(esc(c.weight), 'n'),
      td(esc(KIND_TEXT[c.kind]), 'c'),
      td(`<b>${esc(c.score)}</b>${upTo}`, 'n'),
      td(basis(c)),
    );
    return row(cells);
  });
  const total = isOpen(r)
    ? row([
        td('<b>综合评分</b>', 'c', ' colspan="5"'),
        td(`<b>${esc(r.range.min.score)}—${esc(r.range.max.score)}</b>`, 'n'),
        td(
          `目前得分 ${esc(r.range.min.score)}（精确值 ${esc(r.range.min.exact)}），缺少数据或尚未到期的指标按0分计；最高可达 ${esc(r.range.max.score)}（精确值 ${esc(r.range.max.exact)}），按满分计；显示保留2位小数（四舍五入）`,
        ),
      ])
    : row([
        td('<b>综合评分</b>', 'c', ' colspan="5"'),
        td(`<b>${esc(r.total.score)}</b>`, 'n'),
        td(`精确值 ${esc(r.total.exact)}，各指标精确得分之和，显示保留2位小数（四舍五入）`),
      ]);
  return `<h2>二、部门整体支出绩效评分表</h2>
<table><thead><tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>分值</th><th>方式</th><th>得分</th><th>计算依据</th></tr></thead>
<tbody>${rows.join('\n')}
${total}
${row([td('<b>评分等级</b>', 'c', ' colspan="5"'), td(`<b>${esc(gradeCell(r))}</b>`, 'c'), td(`优 ≥ 90，良 80–&lt;90，中 60–&lt;80，差 &lt; 60${r.grade === null ? '；得分范围两端等级相同时方可确定' : ''}`)])}</tbody></table>`;
}

function indicators(r: EvaluationReport): string {
  const rows = r.indicators.items.map((i) =>
    row([
      td(esc(i.level1)),
      td(esc(i.level2)),
      td(esc(i.name)),
      td(esc(i.target), 'c'),
      td(esc(i.actual ?? '未报告'), 'c'),
      td(
        esc(STATUS_TEXT[i.status] ?? i.status) + (i.problem ? `<div class="formula">${esc(i.problem)}</div>` : ''),
        'c',
      ),
    ]),
  );
  return `<h2>三、年度绩效指标完成情况</h2>
<p>定义 ${r.indicators.defined} 项，适用 ${r.indicators.applicable} 项，达成 ${r.indicators.met} 项。</p>
<table><thead><tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>预期指标值</th><th>实际完成指标值</th><th>完成情况</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function budget(r: EvaluationReport): string {
  const money = (v: string) => esc(groupedAmount(v));
  const rows = r.budget.tasks.map((t) =>
    row([
      td(esc(t.name)),
      td(money(t.budget.total), 'n'),
      td(money(t.budget.fiscal), 'n'),
      td(money(t.spent.total), 'n'),
      td(money(t.spent.fiscal), 'n'),
      td(t.rate === null ? '—' : `${esc(t.rate)}%`, 'n'),
    ]),
  );
  const s = r.budget.total;
  return `<h2>四、年度主要任务预算执行情况（元）</h2>
<table><thead><tr><th rowspan="2">任务名称</th><th colspan="2">预算数</th><th colspan="2">执行数</th><th rowspan="2">执行率</th></tr>
<tr><th>总额</th><th>其中：财政拨款</th><th>总额</th><th>其中：财政拨款</th></tr></thead>
<tbody>${rows.join('')}${row([td('<b>金额合计</b>'), td(money(s.budget.total), 'n'), td(money(s.budget.fiscal), 'n'), td(money(s.spent.total), 'n'), td(money(s.spent.fiscal), 'n'), td('')])}</tbody></table>`;
}

function reconciliation(r: EvaluationReport): string {
  const rec = r.reconciliation;
  if (!rec) return `<h2>五、差异说明</h2><p>尚无部门自评表（SelfEvaluationSubmitted），无可核对内容。</p>`;
  const items = [
    ...rec.findings.map(
      (f) => `<li><b>${esc(f.name ?? f.criterion)}</b>（${esc(f.criterion)}）：${esc(f.reason)}</li>`,
    ),
    ...rec.totalFindings.map((f) => `<li><b>总分/等级</b>：${esc(f.reason)}</li>`),
  ];
  return `<h2>五、差异说明</h2>
<p>部门自评总分 ${esc(rec.submittedTotal)} 分（${esc(rec.submittedGrade)}），按规则和评定计算总分 ${esc(computedText(rec).total)} 分（${esc(computedText(rec).grade)}）。</p>
${items.length ? `<ol>${items.join('')}</ol>` : '<p>自评表与计算结果一致，无差异。</p>'}`;
}

function suggestion(r: EvaluationReport): string {
  const s = r.effectSuggestion;
  if (!s) return '';
  return `<h2>六、效果性指标建议分</h2><p>${esc(s.formula)}。该指标为评定指标，建议分供评定参考，不计入上表。</p>`;
}

/** The whole report as one HTML document (no external resources). */
export function evaluationHtml(r: EvaluationReport): string {
  const status =
    r.status === 'final'
      ? '<span class="status">最终结果</span>'
      : r.status === 'incomplete'
        ? '<span class="status incomplete">结果不完整</span>'
        : `<span class="status forecast">预测（截至 ${esc(r.dueAsOf ?? r.asOf)}）</span>`;
  const known = r.knownOn ? `（按 ${esc(r.knownOn)} 已知的数据）` : '';
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>${esc(r.departmentName)} ${esc(r.year)} 年度部门整体支出绩效自评报告</title>
<style>${CSS}</style></head>
<body>
<h1>部门整体支出绩效自评报告</h1>
<table class="meta"><tbody>
<tr><td>部门（单位）名称：<b>${esc(r.departmentName)}</b></td><td>预算年度：<b>${esc(r.year)}</b></td></tr>
<tr><td>评价体系：${esc(r.framework.name)}（${esc(r.framework.version)}）</td><td>状态：${status}${known}</td></tr>
</tbody></table>
${r.note ? `<p class="note">${esc(r.note)}</p>` : ''}
${summary(r)}
${scoring(r)}
${indicators(r)}
${budget(r)}
${reconciliation(r)}
${suggestion(r)}
</body></html>
`;
}
