/**
 * Server-rendered dashboard pages (Chinese). Every interpolated value goes through the `html`
 * tagged template, which escapes it unless it is itself a fragment built by `html`, so no string
 * from the log (department, unit, line names, alert messages, notice titles) reaches the page
 * unescaped. Scripts are same-origin files only (no inline script, no inline event handlers):
 * /static/echarts.min.js and /static/dashboard.js.
 */
import { computedText, gradesText, type EvaluationReport } from '#application/evaluation/evaluation.wire.js';
import type { DepartmentOverview, DepartmentPage } from '#application/overview/overview.service.js';
import type { AlertLevel, SourceFilter } from '#domain/execution/execution.js';
import type { MonitoringSummary } from '#domain/monitoring/monitoring.js';
import { fullDateCnNumeric, groupDigits, quarterCn } from '#domain/format.js';
import { required } from '#domain/required.js';

/** An HTML fragment that is already safe. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Part = SafeHtml | string | number | null | undefined | false | Part[];

function render(v: Part): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

/** Template tag: literal parts as written, interpolations escaped (fragments and arrays of fragments kept). */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  // A template has one string more than it has values, so the fallbacks never apply.
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Same-origin scripts and styles only; data from the same origin; no frames, no plugins, no inline script. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const LEVEL_TEXT: Record<AlertLevel, string> = { green: '正常', yellow: '黄色预警', red: '红色预警' };
const SOURCE_TEXT: Record<SourceFilter, string> = { fiscal: '财政资金', all: '全部资金' };
const KIND_TEXT: Record<string, string> = {
  level: '执行进度',
  forecast: '进度预测',
  divergence: '背离预警',
  unexplained: '偏差未说明',
  'target-at-risk': '目标风险',
};

const dash = '—';
export const DASH = dash;
export const pctText = (v: string | null | undefined) => (v === null || v === undefined ? dash : `${v}%`);
export const ppText = (v: string | null | undefined) => (v === null || v === undefined ? dash : v);

/** "1646484.90" → "1,646,484.90": the wire text as it is (groupDigits), a dash for none. */
export function moneyText(v: string | null | undefined): string {
  return v === null || v === undefined ? dash : groupDigits(v);
}

/**
 * A self-evaluation total: "91.70" when decided, else the range and how many criteria are still
 * missing or not yet due: "48.20—91.70（尚缺8项）".
 */
export function scoreRangeText(min: string, max: string, open: number): string {
  if (min === max) return min;
  return `${min}—${max}${open ? `（尚缺${open}项）` : ''}`;
}

/** The grade when decided, else the grades still possible: "未定（良—优）". */
export function gradeOrOpen(grade: string | null, grades: readonly string[]): string {
  return grade ?? `未定（${gradesText(null, grades)}）`;
}

const STATUS_TAG: Record<string, string> = { forecast: '（预测）', incomplete: '（不完整）' };

type ListEvaluation = NonNullable<DepartmentOverview['evaluation']>;

/** The department list's score cell: the total, or its range while open. */
function listScore(e: ListEvaluation): string {
  return scoreRangeText(e.range.min, e.range.max, e.missing + e.notDue);
}

/** The department list's grade cell: only a decided grade (tagged while not final). */
function listGrade(e: ListEvaluation): SafeHtml {
  if (e.grade === null) return html`<span class="sub">${gradeOrOpen(null, e.grades)}</span>`;
  const tag = STATUS_TAG[e.status];
  return html`${e.grade}${tag ? html`<span class="sub">${tag}</span>` : ''}`;
}

/** A report's total for the page: the total, or its range while open. */
function reportScore(e: EvaluationReport): string {
  const open = e.missing.length + e.notDue.length;
  return scoreRangeText(e.range.min.score, e.range.max.score, open);
}

export function levelBadge(level: AlertLevel | null | undefined): SafeHtml {
  if (!level) return html`<span class="level level-none" data-level="">${dash}</span>`;
  return html`<span class="level level-${level}" data-level="${level}">${LEVEL_TEXT[level]}</span>`;
}

export function page(title: string, body: SafeHtml, bodyClass: string): string {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/dashboard.css">
<script src="/static/echarts.min.js" defer></script>
<script type="module" src="/static/dashboard.js"></script>
</head>
<body class="${bodyClass}">
${body}
<footer class="foot">Paceline 预算执行监控 · 数据来自事件日志的执行投影（金额单位：元；执行率、序时进度单位：%；滞后单位：百分点）</footer>
</body>
</html>
`.value;
}

export function errorPageHtml(status: number, message: string): string {
  const title = status === 404 ? '未找到' : status === 400 ? '参数有误' : status === 403 ? '无权操作' : '出错了';
  return page(
    `${title} · 预算执行监控`,
    html`<header class="top"><nav class="crumbs"><a href="/">部门列表</a></nav><h1>${title}</h1></header>
<main><section class="card"><p class="error" id="error-message">${message}</p><p><a href="/">返回部门列表</a></p></section></main>`,
    'error-page',
  );
}

/** The sign-in page for browsers when API keys are required (the key is kept in an HttpOnly cookie). */
export function loginPageHtml(message: string | null): string {
  return page(
    '登录 · 预算执行监控',
    html`<header class="top"><h1>预算执行监控 · 登录</h1></header>
<main><section class="card"><form method="post" action="/login"><label>API 密钥 <input type="password" name="key" autocomplete="off" required size="60"></label> <button type="submit">登录</button></form>${message ? html`<p class="error" id="error-message">${message}</p>` : ''}<p>密钥由系统管理员通过 <code>paceline keys create</code> 创建。</p></section></main>`,
    'login-page',
  );
}

// ---------------------------------------------------------------- department list

/** A list row, with its performance-monitoring counts when the roll-up has them (null: it could not answer). */
type ListRow = DepartmentOverview & { monitoring?: MonitoringSummary | null };

/** The sort keys of the monitoring columns (empty without a summary; red projects before yellow ones). */
function monitoringData(m: MonitoringSummary | null | undefined): SafeHtml {
  if (!m) return html` data-projects="" data-unexplained="" data-overdue="" data-atrisk="" data-divergences=""`;
  return html` data-projects="${m.redProjects * 100000 + m.yellowProjects}" data-unexplained="${m.unexplained}" data-overdue="${m.overdue}" data-atrisk="${m.targetsAtRisk}" data-divergences="${m.divergences}"`;
}

/** A monitoring count cell: the number, marked when it is not zero; a dash without a summary. */
function countCell(field: string, n: number | undefined, title: string): SafeHtml {
  if (n === undefined) return html`<td class="num" data-field="${field}">${dash}</td>`;
  return html`<td class="num count-cell${n > 0 ? ' nonzero' : ''}" data-field="${field}" title="${title}">${n}</td>`;
}

export function departmentsPageHtml(data: { knownOn: string | null; departments: ListRow[] }): string {
  const ds = data.departments;
  const years = [...new Set(ds.map((d) => d.year))].sort((a, b) => b - a);
  const rank = (l: AlertLevel | null) => (l === 'red' ? 3 : l === 'yellow' ? 2 : l === 'green' ? 1 : 0);
  const counts = {
    red: ds.filter((d) => d.level === 'red').length,
    yellow: ds.filter((d) => d.level === 'yellow').length,
    green: ds.filter((d) => d.level === 'green').length,
  };
  const rows = ds.map(
    (
      d,
    ) => html`<tr data-name="${`${d.departmentName} ${d.department}`}" data-dept="${d.departmentName}" data-year="${d.year}" data-asof="${d.asOf}" data-rate="${d.rate ?? ''}" data-schedule="${d.schedule}" data-lag="${d.lag ?? ''}" data-level="${d.level ?? ''}" data-levelrank="${rank(d.level)}" data-reds="${d.units.red}" data-yearend="${d.forecast.yearEndRate ?? ''}" data-score="${d.evaluation?.total ?? ''}"${monitoringData(d.monitoring)}>
<td class="name"><a href="${d.links.dashboard}" data-department="${d.department}">${d.departmentName}</a><div class="code">${d.department}</div></td>
<td class="num">${d.year}</td>
<td>${d.asOf}${d.closedOn ? html`<div class="sub">已结账</div>` : ''}</td>
<td class="num rate" data-field="rate">${pctText(d.rate)}</td>
<td class="num">${pctText(d.schedule)}</td>
<td class="num">${ppText(d.lag)}</td>
<td>${levelBadge(d.level)}</td>
<td class="units-levels"><span class="dot dot-red" title="红色预警科室">${d.units.red}</span><span class="dot dot-yellow" title="黄色预警科室">${d.units.yellow}</span><span class="dot dot-green" title="正常科室">${d.units.green}</span></td>
<td class="num">${pctText(d.forecast.yearEndRate)}</td>
<td class="num score" data-field="score">${d.evaluation ? listScore(d.evaluation) : dash}</td>
<td class="grade" data-field="grade">${d.evaluation ? listGrade(d.evaluation) : dash}</td>
${
  d.monitoring
    ? html`<td class="projects-levels mon-first" data-field="projects"><span class="dot dot-red" title="红色预警项目">${d.monitoring.redProjects}</span><span class="dot dot-yellow" title="黄色预警项目">${d.monitoring.yellowProjects}</span></td>`
    : html`<td class="projects-levels mon-first" data-field="projects">${dash}</td>`
}
${countCell('unexplained', d.monitoring?.unexplained, '预警后尚未说明的偏差（未逾期）')}
${countCell('overdue', d.monitoring?.overdue, '预警超过10个工作日仍未说明的偏差')}
${countCell('atrisk', d.monitoring?.targetsAtRisk, '有完不成风险的绩效目标')}
${countCell('divergences', d.monitoring?.divergences, '支出进度与目标完成度背离的项目')}
</tr>`,
  );
  const th = (key: string, type: 'text' | 'num', label: string, cls = '') =>
    html`<th class="${cls}" aria-sort="none"><button type="button" data-sort="${key}" data-type="${type}">${label}<span class="arrow" aria-hidden="true"></span></button></th>`;
  const body = html`<header class="top">
<h1>预算执行监控 · 部门列表</h1>
<p class="meta">各部门年度财政资金预算执行率、序时进度、滞后、预警等级、绩效自评预测得分与绩效运行监控（项目预警、偏差说明、目标风险、背离）。${data.knownOn ? html`数据按 <b>${data.knownOn}</b> 已知记录计算。` : '数据按全部已登记记录（含更正）计算。'}</p>
</header>
<main>
<section class="card summary">
<div class="kpi"><div class="kpi-label">部门年度</div><div class="kpi-value" id="dept-total">${ds.length}</div></div>
<div class="kpi"><div class="kpi-label">红色预警</div><div class="kpi-value red">${counts.red}</div></div>
<div class="kpi"><div class="kpi-label">黄色预警</div><div class="kpi-value yellow">${counts.yellow}</div></div>
<div class="kpi"><div class="kpi-label">正常</div><div class="kpi-value green">${counts.green}</div></div>
</section>
<section class="card">
<form class="filters" method="get" action="/" id="list-form">
<label>数据截至/已知日期 <input type="date" name="knownOn" id="knownOn" value="${data.knownOn ?? ''}"></label>
<button type="submit">刷新</button>${data.knownOn ? html` <a href="/">全部记录</a>` : ''}
</form>
<div class="toolbar">
<label>筛选 <input type="search" id="dept-filter" placeholder="部门名称或代码" autocomplete="off"></label>
<label>年度 <select id="year-filter"><option value="">全部年度</option>${years.map((y) => html`<option value="${y}">${y}年</option>`)}</select></label>
<label>预警等级 <select id="level-filter"><option value="">全部等级</option><option value="red">红色预警</option><option value="yellow">黄色预警</option><option value="green">正常</option></select></label>
<span class="count" id="dept-count">共 ${ds.length} 个部门年度</span>
</div>
${
  ds.length
    ? html`<div class="table-wrap"><table id="departments" class="data sortable">
<thead><tr>${th('dept', 'text', '部门')}${th('year', 'num', '年度', 'num')}${th('asof', 'text', '截至')}${th('rate', 'num', '执行率', 'num')}${th('schedule', 'num', '序时进度', 'num')}${th('lag', 'num', '滞后（百分点）', 'num')}${th('levelrank', 'num', '预警等级')}${th('reds', 'num', '科室预警（红/黄/绿）')}${th('yearend', 'num', '预计年末执行率', 'num')}${th('score', 'num', '预测得分', 'num')}<th>等级</th>${th('projects', 'num', '红/黄项目', 'mon mon-first')}${th('unexplained', 'num', '未说明偏差', 'num mon')}${th('overdue', 'num', '逾期', 'num mon')}${th('atrisk', 'num', '目标风险', 'num mon')}${th('divergences', 'num', '背离', 'num mon')}</tr></thead>
<tbody>${rows}</tbody>
</table></div>
<p class="empty hidden" id="no-match">没有符合筛选条件的部门。</p>`
    : html`<p class="empty" id="no-departments">尚无部门数据：请先通过 <code>POST /api/v1/events</code> 导入事件（YearOpened 等）。</p>`
}
</section>
<p class="api">数据接口：<a href="/api/v1/departments${data.knownOn ? `?knownOn=${data.knownOn}` : ''}">/api/v1/departments</a> ·
<a href="/api/v1/monitoring${data.knownOn ? `?knownOn=${data.knownOn}` : ''}">/api/v1/monitoring</a></p>
</main>`;
  return page('预算执行监控 · 部门列表', body, 'list-page');
}

// ---------------------------------------------------------------- department page

export interface PageQuery {
  asOf?: string;
  knownOn?: string;
  source: SourceFilter;
}

export function qs(params: Record<string, string | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
}

const STATE_TEXT: Record<string, string> = {
  final: '年度已结账，最终得分',
  incomplete: '年度已结账，结果不完整',
  forecast: '年度未结束，预测得分',
};

function scoringTable(d: DepartmentPage): SafeHtml {
  const e = d.evaluation;
  if (!e) {
    return html`<p class="empty" id="scoring-unavailable">评分暂不可用（${d.evaluationError ?? '无自评数据'}）。预测得分：<span data-total>${dash}</span></p>`;
  }
  const level2Name = new Map(e.level2.map((s) => [s.id, s]));
  const rows: SafeHtml[] = [];
  for (const l1 of e.level1) {
    const crit = e.criteria.filter((c) => c.level1 === l1.id);
    const groups = new Map<string, typeof crit>();
    for (const c of crit) groups.set(c.level2, [...(groups.get(c.level2) ?? []), c]);
    let first1 = true;
    for (const [l2, cs] of groups) {
      let first2 = true;
      for (const c of cs) {
        const l2s = level2Name.get(l2);
        const tag = c.missing
          ? html`<span class="tag warn">缺数据</span>`
          : c.notDue
            ? html`<span class="tag">未到期</span>`
            : '';
        const score = c.max.exact === c.exact ? c.score : `${c.score}—${c.max.score}`;
        rows.push(html`<tr data-criterion="${c.id}"${c.missing ? html` class="missing"` : ''}>
${first1 ? html`<td rowspan="${crit.length}" class="l1">${l1.name}<div class="sub">${l1.weight}分</div></td>` : ''}
${first2 ? html`<td rowspan="${cs.length}" class="l2">${l2s?.name ?? l2}${l2s ? html`<div class="sub">${l2s.weight}分 · 得${l2s.score}</div>` : ''}</td>` : ''}
<td title="${c.how.formula}">${c.name}${c.kind === 'judged' ? html`<span class="tag">评定</span>` : html`<span class="tag calc">计算</span>`}${tag}</td>
<td class="num">${c.weight}</td>
<td class="num">${score}</td>
</tr>`);
        first1 = false;
        first2 = false;
      }
    }
    rows.push(
      html`<tr class="subtotal" data-subtotal="${l1.id}"><td colspan="3">${l1.name}小计</td><td class="num">${l1.weight}</td><td class="num">${l1.score}</td></tr>`,
    );
  }
  const rec = e.reconciliation;
  const state = STATE_TEXT[e.status] ?? '';
  const pending = [
    e.missing.length
      ? html`<p class="meta" id="scoring-missing">缺少数据或评定（${e.missing.length}项）：${e.missing
          .map((m) => `${m.name}（${m.reason}）`)
          .join('；')}</p>`
      : '',
    e.notDue.length
      ? html`<p class="meta" id="scoring-not-due">尚未到期（${e.notDue.length}项）：${e.notDue
          .map((m) => m.name)
          .join('、')}</p>`
      : '',
  ];
  return html`<p class="meta">${e.framework.name}（${e.framework.version}）· ${state} · 依据 ${e.eventsConsidered} 条记录（最新记录日期 ${e.asOf}）${e.knownOn ? html` · 按 ${e.knownOn} 已知` : ''}</p>
${e.note ? html`<p class="note">${e.note}</p>` : ''}
<div class="table-wrap"><table class="data scoring" id="scoring-table">
<thead><tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th class="num">分值</th><th class="num">得分</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr class="total"><td colspan="3">总分 · 等级
<b class="grade" data-grade>${gradeOrOpen(e.grade, e.grades)}</b></td>
<td class="num">100</td><td class="num"><b data-total>${reportScore(e)}</b></td></tr></tfoot>
</table></div>
${pending}
<p class="meta">个性指标：设定 ${e.indicators.defined} 项，适用 ${e.indicators.applicable} 项，达成 ${e.indicators.met} 项。${
    rec
      ? html`部门自评 ${rec.submittedTotal ?? dash} 分${rec.submittedGrade ? html`（${rec.submittedGrade}）` : ''}，按规则计算 ${computedText(rec).total} 分（${computedText(rec).grade}）${rec.findings.length ? html`，${rec.findings.length} 项指标与自评不一致` : ''}。`
      : ''
  }<a href="/api/v1/departments/${d.department}/years/${d.year}/evaluation.html${qs({ knownOn: e.knownOn })}">查看自评报告</a></p>`;
}

const KPI_SUB: Record<string, string> = {
  final: '年度已结账',
  incomplete: '年度已结账，结果不完整',
  forecast: '年度未结束，随记录变化',
};

/** The score KPI: the total (or its range) and the grade when decided. */
function scoreKpi(e: EvaluationReport): SafeHtml {
  return html`${reportScore(e)}${e.grade ? html` <span class="grade">${e.grade}</span>` : ''}`;
}

/**
 * The department page; `monitoring` is its 绩效运行监控 section (dashboard.monitoring.html.ts),
 * shown after the alerts.
 */
export function departmentPageHtml(d: DepartmentPage, q: PageQuery, monitoring: SafeHtml | null = null): string {
  const x = d.execution;
  const other = d.otherExecution;
  const base = `/api/v1/departments/${encodeURIComponent(d.department)}/years/${d.year}`;
  const self = `/dashboard/${encodeURIComponent(d.department)}/${d.year}`;
  const curveUrl = (source: SourceFilter) =>
    `${base}/execution/curve${qs({ source, asOf: x.asOf, knownOn: q.knownOn })}`;
  const f = x.total.forecast;
  const through = x.throughMonth;
  const fiscalX = d.source === 'fiscal' ? x : other;
  const allX = d.source === 'all' ? x : other;

  const quarterCards = d.quarters.map((qr, i) => {
    const reached = qr.quarter * 3 <= through;
    const o = required(d.otherQuarters[i], "the other source's quarter");
    return html`<div class="quarter${reached ? '' : ' future'}" data-quarter="${qr.quarter}">
<div class="q-label">${quarterCn(qr.quarter)}末 <span class="sub">${fullDateCnNumeric(qr.date)}</span></div>
<div class="q-rate" data-rate="${reached ? (qr.rate ?? '') : ''}">${reached ? pctText(qr.rate) : dash}</div>
<div class="q-sub">${reached ? html`进度要求 ${pctText(qr.schedule)} · ${SOURCE_TEXT[d.source === 'fiscal' ? 'all' : 'fiscal']} ${pctText(o.rate)}` : '截至日期尚未到季末'}</div>
</div>`;
  });

  const unitRows = x.units.map(
    (u) => html`<tr data-unit="${u.unit}" data-level="${u.level ?? ''}">
<td class="name">${u.name}<div class="code">${u.unit}</div></td>
<td class="num">${moneyText(u.budget)}</td>
<td class="num">${moneyText(u.spent)}</td>
<td class="num rate">${pctText(u.rate)}</td>
<td class="num">${pctText(u.schedule)}</td>
<td class="num lag">${ppText(u.lag)}</td>
<td class="level-cell">${levelBadge(u.level)}</td>
<td class="num">${u.forecast.nextCheckpoint ? html`${pctText(u.forecast.nextCheckpoint.projectedRate)} ${levelBadge(u.forecast.nextCheckpoint.projectedLevel)}` : dash}</td>
<td class="num">${pctText(u.forecast.yearEnd.projectedRate)}</td>
</tr>`,
  );

  const alerts = d.alerts.length
    ? html`<div class="table-wrap"><table class="data" id="alerts-table">
<thead><tr><th>对象</th><th>类型</th><th>等级</th><th>触发</th><th>说明</th></tr></thead>
<tbody>${d.alerts.map(
        (a) =>
          html`<tr data-alert="${a.id}" data-level="${a.level}"><td>${a.subjectName}</td><td>${KIND_TEXT[a.kind] ?? a.kind}</td><td>${levelBadge(a.level)}</td><td>${a.month}月末 <div class="sub">${a.raisedOn}</div></td><td class="msg">${a.message}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="empty">${d.closedMonths.length ? '截至该月末没有未解除的预警。' : '尚未结账任何月份，预警在月度结账时评估。'}</p>`;

  // With notices listed there is a notice month; `m < null` compared with 0, as `?? 0` does.
  const noticeMonth = d.noticeMonth ?? 0;
  const notices = d.notices.length
    ? html`<ul class="notices" id="notices-list">${d.notices.map(
        (n) =>
          html`<li><a href="${base}/notices/${encodeURIComponent(n.subject)}/${n.month}?format=html" data-subject="${n.subject}">${n.title}</a>${n.revision > 1 ? html`<span class="tag warn">第${n.revision}版</span>` : ''}<span class="sub">${n.issuedAt.slice(0, 10)}</span></li>`,
      )}</ul>
${
  d.closedMonths.some((m) => m < noticeMonth)
    ? html`<p class="meta">往月部门通报：${d.closedMonths
        .filter((m) => m < noticeMonth)
        .map((m) => html`<a class="month-link" href="${base}/notices/department/${m}?format=html">${m}月</a> `)}</p>`
    : ''
}`
    : html`<p class="empty">${through === 0 ? '截至日期之前没有已结账月份。' : `尚未结账发布${through}月及以前的月度通报（POST …/months/{m}/close）。`}</p>`;

  const next = f.nextCheckpoint;
  const forecast = html`<dl class="facts" id="forecast">
<div><dt>近${f.runRateMonths}个月月均支出</dt><dd>${moneyText(f.runRate)} 元</dd></div>
${
  next
    ? html`<div><dt>下一进度节点</dt><dd>${next.quarter === null ? fullDateCnNumeric(next.date) : `${quarterCn(next.quarter)}末（${fullDateCnNumeric(next.date)}）`}进度要求 ${pctText(next.schedule)}</dd></div>
<div><dt>按月均测算节点执行率</dt><dd><b>${pctText(next.projectedRate)}</b> ${levelBadge(next.projectedLevel)}</dd></div>
<div><dt>达到节点尚需支出</dt><dd>${moneyText(next.neededToReach)} 元</dd></div>`
    : html`<div><dt>下一进度节点</dt><dd>本年度已无后续节点</dd></div>`
}
<div><dt>预计年末支出</dt><dd>${moneyText(f.yearEnd.projectedSpent)} 元</dd></div>
<div><dt>预计年末执行率</dt><dd><b id="year-end-rate">${pctText(f.yearEnd.projectedRate)}</b></dd></div>
</dl>`;

  const known = q.knownOn ? html`按 <b>${q.knownOn}</b> 已知的记录` : '按全部已登记记录（含更正）';
  const ev = d.evaluation;
  const body = html`<header class="top">
<nav class="crumbs"><a href="/" id="back-to-list">部门列表</a> › ${x.departmentName}</nav>
<h1>${x.departmentName} ${d.year}年度预算执行监控</h1>
<p class="meta">部门代码 ${d.department} · 截至 ${fullDateCnNumeric(x.asOf)}（支出统计至${through}月末）· ${known} · 口径：${SOURCE_TEXT[d.source]}</p>
</header>
<main>
<section class="card">
<form class="filters" method="get" action="${self}" id="filters">
<label>截至日期 <input type="date" name="asOf" id="asOf" value="${q.asOf ?? ''}" min="${d.year}-01-01" max="${d.year}-12-31"></label>
<label>数据截至/已知日期 <input type="date" name="knownOn" id="knownOn" value="${q.knownOn ?? ''}"></label>
<label>资金口径 <select name="source" id="source"><option value="fiscal"${d.source === 'fiscal' ? html` selected` : ''}>财政资金</option><option value="all"${d.source === 'all' ? html` selected` : ''}>全部资金</option></select></label>
<button type="submit">刷新</button>
<a href="${self}">重置</a>
</form>
<p class="hint">截至日期：按该日有效预算、统计至该月末（非月末日期统计至上月末）；数据截至/已知日期：只计入该日及以前登记的记录，用于还原当时所知的数字。</p>
</section>

<section class="card">
<h2>季度末执行率（${SOURCE_TEXT[d.source]}）</h2>
<div class="quarters" id="quarters">${quarterCards}</div>
</section>

<section class="card kpis" id="kpis">
<div class="kpi"><div class="kpi-label">预算执行率（${SOURCE_TEXT[d.source]}）</div><div class="kpi-value" id="total-rate">${pctText(x.total.rate)}</div><div class="kpi-sub">${moneyText(x.total.spent)} / ${moneyText(x.total.budget)} 元</div></div>
<div class="kpi"><div class="kpi-label">序时进度</div><div class="kpi-value">${pctText(x.total.schedule)}</div><div class="kpi-sub">${x.checkpoints ? '按进度节点逐月线性计算' : '按季度节点逐月线性计算'}</div></div>
<div class="kpi"><div class="kpi-label">预警等级</div><div class="kpi-value">${levelBadge(x.total.level)}</div><div class="kpi-sub">较序时进度滞后 ${ppText(x.total.lag)} 个百分点</div></div>
<div class="kpi"><div class="kpi-label">财政资金 / 全部资金</div><div class="kpi-value small">${pctText(fiscalX.total.rate)} / ${pctText(allX.total.rate)}</div><div class="kpi-sub">全部资金含其他资金来源</div></div>
<div class="kpi"><div class="kpi-label">预计年末执行率</div><div class="kpi-value">${pctText(f.yearEnd.projectedRate)}</div><div class="kpi-sub">按近${f.runRateMonths}个月月均支出测算</div></div>
<div class="kpi"><div class="kpi-label">绩效自评${ev?.status === 'forecast' ? '预测' : ''}得分</div>
<div class="kpi-value" id="score-kpi">${ev ? scoreKpi(ev) : dash}</div>
<div class="kpi-sub">${ev ? KPI_SUB[ev.status] : '评分暂不可用'}</div></div>
</section>

<section class="card">
<h2>部门累计执行进度</h2>
<div class="chart" id="curve-chart" data-fiscal-url="${curveUrl('fiscal')}" data-all-url="${curveUrl('all')}" data-source="${d.source}" role="img" aria-label="部门累计执行率与序时进度（按月）"></div>
</section>

<section class="card">
<h2>各科室累计执行率（${SOURCE_TEXT[d.source]}）</h2>
<div class="chart" id="unit-chart" role="img" aria-label="各科室累计执行率（按月）"></div>
</section>

<section class="card">
<h2>科室执行情况（截至${through}月末）</h2>
<div class="table-wrap"><table class="data" id="units-table">
<thead><tr><th>科室</th><th class="num">当前预算（元）</th><th class="num">累计支出（元）</th><th class="num">执行率</th><th class="num">序时进度</th><th class="num">滞后（百分点）</th><th>预警等级</th><th class="num">预计下一节点</th><th class="num">预计年末</th></tr></thead>
<tbody>${unitRows}</tbody>
<tfoot><tr data-unit="department" data-level="${x.total.level ?? ''}"><td class="name">全局合计</td><td class="num">${moneyText(x.total.budget)}</td><td class="num">${moneyText(x.total.spent)}</td><td class="num rate">${pctText(x.total.rate)}</td><td class="num">${pctText(x.total.schedule)}</td><td class="num lag">${ppText(x.total.lag)}</td><td class="level-cell">${levelBadge(x.total.level)}</td><td class="num">${next ? html`${pctText(next.projectedRate)} ${levelBadge(next.projectedLevel)}` : dash}</td><td class="num">${pctText(f.yearEnd.projectedRate)}</td></tr></tfoot>
</table></div>
</section>

<div class="two">
<section class="card">
<h2>年末预测</h2>
${forecast}
</section>
<section class="card">
<h2>未解除预警（截至${through}月末，${d.alerts.length}项）</h2>
${alerts}
</section>
</div>

${monitoring}

<section class="card">
<h2>最新通报${d.noticeMonth ? `（${d.noticeMonth}月）` : ''}</h2>
${notices}
</section>

<section class="card" id="scoring">
<h2>绩效自评评分</h2>
${scoringTable(d)}
</section>

<section class="card" id="import">
<h2>导入支出表或预算表（Excel / CSV）</h2>
<form id="import-form" data-url="${base}/imports">
<label>文件 <input type="file" id="import-file" accept=".xlsx,.csv,text/csv" required></label>
<label>金额单位 <select id="import-unit"><option value="yuan">元</option><option value="wan">万元</option></select></label>
<label><input type="checkbox" id="import-dry" checked> 仅预览，不写入</label>
<button type="submit">上传</button>
</form>
<div id="import-result" aria-live="polite"></div>
<p class="sub">表头可用 科室、预算项目、资金来源、月份、支出金额、预算数 等；重复导入同一文件不会重复记账，修改过的金额记为更正。</p>
</section>

<p class="api">数据接口：
<a href="${base}/execution${qs({ asOf: x.asOf, knownOn: q.knownOn, source: d.source })}">执行情况</a> ·
<a href="${base}/execution/quarters${qs({ knownOn: q.knownOn, source: d.source })}">季度执行率</a> ·
<a href="${curveUrl(d.source)}">累计曲线</a> ·
<a href="${base}/evaluation${qs({ knownOn: q.knownOn })}">绩效评分</a> ·
<a href="${base}/alerts">预警</a> ·
<a href="${base}/notices">通报</a> ·
<a href="${base}/monitoring${qs({ asOf: q.asOf, knownOn: q.knownOn })}">绩效运行监控</a></p>
</main>`;
  return page(`${x.departmentName} ${d.year}年度预算执行监控`, body, 'department-page');
}
