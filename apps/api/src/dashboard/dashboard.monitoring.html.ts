/**
 * The dashboard's performance-monitoring views (绩效运行监控, docs/dashboard.md): the department
 * page's section (projects with their rate against the schedule, level and divergence; the
 * subjects at yellow or red with their explanation; the measures), a project's page (its spending
 * curve against the checkpoints, its targets with their progress, its timeline of explanations and
 * follow-ups) and the three forms (偏差说明, 进度填报, 整改进展). Every value goes through `html`
 * (escaped); the chart's data is in a data attribute, drawn by /static/dashboard.js.
 */
import type {
  FormContext,
  MeasureChoice,
  ProjectDetail,
  TimelineEntry,
} from '#application/monitoring/monitoring.service.js';
import type { MonitoringAnswer } from '#application/monitoring/monitoring.wire.js';
import { fullDateCnNumeric } from '#domain/format.js';
import { FIELD_LABELS, type FormKind, type FormState } from './dashboard.forms.js';
import { DASH, html, levelBadge, moneyText, page, pctText, ppText, qs, type SafeHtml } from './dashboard.html.js';
import {
  ACTION_TEXT,
  CAUSE_TEXT,
  DIVERGENCE_SHORT,
  DIVERGENCE_TEXT,
  EXPLANATION_STATUS_TEXT,
  FILED_TEXT,
  LIKELIHOOD_TEXT,
  SUBJECT_KIND_TEXT,
} from './dashboard.labels.js';

type Project = MonitoringAnswer['projects'][number];
type Target = Project['targets'][number];
type Explanation = MonitoringAnswer['explanations'][number];
type Measure = MonitoringAnswer['measures'][number];

/** The page's own dates (as the user gave them), kept in every link and form. */
export interface MonitoringQuery {
  asOf?: string;
  knownOn?: string;
}

/** Whether, and for what, the forms are shown. */
export type FormsAccess =
  /** The forms, for everything of the department (unit null) or of one unit. */
  | { kind: 'forms'; ctx: FormContext; unit: string | null; today: string }
  /** No forms, and why (a read-only key, a closed year). */
  | { kind: 'none'; reason: string };

/** What a page shows around its forms: the confirmation after a filing, or a refused form again. */
export interface FormFeedback {
  filed: FormKind | null;
  form: FormState | null;
}

const streamBase = (department: string, year: number) => `/dashboard/${encodeURIComponent(department)}/${year}`;

/** A project's page, with the page's dates (and a confirmation after a form). */
export const projectHref = (
  department: string,
  year: number,
  task: string,
  q: MonitoringQuery & { filed?: FormKind },
) =>
  `${streamBase(department, year)}/projects/${encodeURIComponent(task)}${qs({ asOf: q.asOf, knownOn: q.knownOn, filed: q.filed })}`;

function statusTag(status: Explanation['status']): SafeHtml {
  return html`<span class="tag status-${status}">${EXPLANATION_STATUS_TEXT[status]}</span>`;
}

/** A measure's follow-up: its status (or 未反馈), and 逾期 when it is overdue. */
function measureStatus(m: Pick<Measure, 'status' | 'overdue'> | undefined): SafeHtml {
  if (!m) return html``;
  const s = m.status;
  return html`${s ? html`<span class="tag action-${s.status}">${ACTION_TEXT[s.status]}</span>` : html`<span class="tag">未反馈</span>`}${m.overdue ? html`<span class="tag overdue">逾期</span>` : ''}`;
}

function divergenceText(p: Project): SafeHtml {
  if (p.divergence)
    return html`<span class="divergence" title="${DIVERGENCE_TEXT[p.divergence.kind]}">${DIVERGENCE_SHORT[p.divergence.kind]} ${ppText(p.divergence.difference)}</span><div class="sub">目标完成度 ${pctText(p.divergence.completion)}</div>`;
  return html`<span class="sub">未背离</span>`;
}

const subjectText = (s: { kind: string; name: string }) =>
  `${SUBJECT_KIND_TEXT[s.kind as keyof typeof SUBJECT_KIND_TEXT] ?? ''} ${s.name}`;

/** The rows of subjects at yellow or red; the unexplained and overdue ones marked. */
function explanationRows(items: readonly Explanation[]): SafeHtml[] {
  return items.map((e) => {
    const x = e.explanation;
    return html`<tr class="explanation status-${e.status}" data-subject="${e.subject.kind}:${e.subject.id ?? ''}" data-status="${e.status}">
<td>${subjectText(e.subject)}</td>
<td>${levelBadge(e.level)}</td>
<td>${e.since}</td>
<td class="num">${e.workingDaysOpen}</td>
<td>${statusTag(e.status)}</td>
<td class="msg">${x ? html`${x.asOf} <span class="tag">${CAUSE_TEXT[x.cause]}</span> ${x.reason}<div class="sub">纠偏措施：${x.measure}${x.due ? `（完成时限 ${x.due}）` : ''}</div>` : DASH}</td>
</tr>`;
  });
}

function explanationTable(items: readonly Explanation[], id: string): SafeHtml {
  if (!items.length) return html`<p class="empty" id="${id}-none">截至该日没有黄色或红色预警的对象，无需说明。</p>`;
  return html`<div class="table-wrap"><table class="data" id="${id}">
<thead><tr><th>对象</th><th>预警等级</th><th>预警起始</th><th class="num">已开工作日</th><th>说明状态</th><th>最新偏差说明</th></tr></thead>
<tbody>${explanationRows(items)}</tbody></table></div>`;
}

function measureTable(items: readonly Measure[], id: string): SafeHtml {
  if (!items.length) return html`<p class="empty" id="${id}-none">尚无纠偏措施。</p>`;
  return html`<div class="table-wrap"><table class="data" id="${id}">
<thead><tr><th>对象</th><th>纠偏措施</th><th>完成时限</th><th>整改状态</th><th>最新进展</th></tr></thead>
<tbody>${items.map(
    (m) => html`<tr data-event="${m.eventId}"${m.overdue ? html` class="overdue"` : ''}>
<td>${subjectText(m.subject)}</td>
<td class="msg">${m.measure}</td>
<td>${m.due ?? DASH}</td>
<td>${measureStatus(m)}</td>
<td class="msg">${m.status ? `${m.status.on} ${m.status.note}` : DASH}</td>
</tr>`,
  )}</tbody></table></div>`;
}

function summaryChips(s: MonitoringAnswer['summary']): SafeHtml {
  const chip = (key: string, label: string, n: number) =>
    html`<div class="chip${n > 0 ? ' nonzero' : ''}" data-summary="${key}"><span class="chip-value">${n}</span><span class="chip-label">${label}</span></div>`;
  return html`<div class="chips" id="monitoring-summary">
${chip('redProjects', '红色预警项目', s.redProjects)}
${chip('yellowProjects', '黄色预警项目', s.yellowProjects)}
${chip('unexplained', '未说明偏差', s.unexplained)}
${chip('overdue', '逾期未说明', s.overdue)}
${chip('targetsAtRisk', '目标风险', s.targetsAtRisk)}
${chip('divergences', '背离项目', s.divergences)}
${chip('overdueMeasures', '逾期措施', s.overdueMeasures)}
</div>`;
}

function filedNotice(f: FormFeedback): SafeHtml | '' {
  return f.filed ? html`<p class="filed" id="filed-message" role="status">${FILED_TEXT[f.filed]}</p>` : '';
}

// ---------------------------------------------------------------- forms

interface Option {
  value: string;
  label: string;
}
interface OptionGroup {
  label: string;
  options: Option[];
}

/** How a form returns to its page: the project (or none) and the page's dates. */
interface FormTarget {
  action: string;
  back: string;
  q: MonitoringQuery;
}

function fieldId(kind: FormKind, field: string): string {
  return `${kind}-${field}`;
}

/** The form's value of a field: what was submitted (a refused form), else the default. */
function valueOf(kind: FormKind, state: FormState | null, field: string, fallback = ''): string {
  return state && state.kind === kind ? (state.values[field] ?? '') : fallback;
}

function invalid(kind: FormKind, state: FormState | null, field: string): SafeHtml | '' {
  return state && state.kind === kind && state.errors.some((e) => e.field === field)
    ? html` aria-invalid="true" class="invalid"`
    : '';
}

function label(kind: FormKind, field: string, control: SafeHtml, required: boolean, hint = ''): SafeHtml {
  return html`<label for="${fieldId(kind, field)}" class="field"><span class="field-label">${FIELD_LABELS[kind][field]}${required ? html`<span class="req" aria-hidden="true">*</span>` : ''}</span>${control}${hint ? html`<span class="hint">${hint}</span>` : ''}</label>`;
}

function select(
  kind: FormKind,
  state: FormState | null,
  field: string,
  groups: OptionGroup[],
  opts: { required: boolean; fallback?: string; empty: string },
): SafeHtml {
  const value = valueOf(kind, state, field, opts.fallback ?? '');
  const option = (o: Option) =>
    html`<option value="${o.value}"${o.value === value ? html` selected` : ''}>${o.label}</option>`;
  const control = html`<select name="${field}" id="${fieldId(kind, field)}"${opts.required ? html` required` : ''}${invalid(kind, state, field)}><option value="">${opts.empty}</option>${groups.map(
    (g) => (g.label ? html`<optgroup label="${g.label}">${g.options.map(option)}</optgroup>` : g.options.map(option)),
  )}</select>`;
  return label(kind, field, control, opts.required);
}

function input(
  kind: FormKind,
  state: FormState | null,
  field: string,
  opts: { type: 'date' | 'text'; required: boolean; fallback?: string; max?: number; placeholder?: string },
): SafeHtml {
  const control = html`<input type="${opts.type}" name="${field}" id="${fieldId(kind, field)}" value="${valueOf(kind, state, field, opts.fallback)}"${opts.required ? html` required` : ''}${opts.max ? html` maxlength="${opts.max}"` : ''}${opts.placeholder ? html` placeholder="${opts.placeholder}"` : ''}${invalid(kind, state, field)}>`;
  return label(kind, field, control, opts.required);
}

function textarea(kind: FormKind, state: FormState | null, field: string, required: boolean, hint = ''): SafeHtml {
  const control = html`<textarea name="${field}" id="${fieldId(kind, field)}" rows="3" maxlength="2000"${required ? html` required` : ''}${invalid(kind, state, field)}>${valueOf(kind, state, field)}</textarea>`;
  return label(kind, field, control, required, hint);
}

/** The refused form's errors, once each, naming the field. */
function formErrors(kind: FormKind, state: FormState | null): SafeHtml | '' {
  if (!state || state.kind !== kind || !state.errors.length) return '';
  return html`<ul class="form-errors" id="${kind}-errors" role="alert">${state.errors.map(
    (e) => html`<li data-field="${e.field}">${e.message}</li>`,
  )}</ul>`;
}

function formShell(
  kind: FormKind,
  title: string,
  t: FormTarget,
  state: FormState | null,
  fields: SafeHtml[],
): SafeHtml {
  return html`<form method="post" action="${t.action}" class="mform" id="${kind}-form">
<h3>${title}</h3>
${formErrors(kind, state)}
<input type="hidden" name="back" value="${t.back}">
<input type="hidden" name="pageAsOf" value="${t.q.asOf ?? ''}">
<input type="hidden" name="pageKnownOn" value="${t.q.knownOn ?? ''}">
<div class="fields">${fields}</div>
<button type="submit">提交${title}</button>
</form>`;
}

const causeOptions: OptionGroup[] = [
  { label: '', options: Object.entries(CAUSE_TEXT).map(([value, label]) => ({ value, label })) },
];

function explanationForm(
  t: FormTarget,
  subjects: OptionGroup[],
  state: FormState | null,
  defaults: { subject?: string; asOf: string },
): SafeHtml {
  const k = 'explanation';
  return formShell(k, '偏差说明', t, state, [
    select(k, state, 'subject', subjects, { required: true, fallback: defaults.subject, empty: '请选择' }),
    input(k, state, 'asOf', { type: 'date', required: true, fallback: defaults.asOf }),
    select(k, state, 'cause', causeOptions, { required: true, empty: '请选择' }),
    textarea(k, state, 'reason', true, '偏差原因分析，不超过2000字'),
    textarea(k, state, 'measure', true, '拟采取的纠偏措施，不超过2000字'),
    input(k, state, 'due', { type: 'date', required: false }),
  ]);
}

function progressForm(t: FormTarget, targets: Option[], state: FormState | null, defaults: { asOf: string }): SafeHtml {
  const k = 'progress';
  const likelihoods: OptionGroup[] = [
    { label: '', options: Object.entries(LIKELIHOOD_TEXT).map(([value, label]) => ({ value, label })) },
  ];
  return formShell(k, '进度填报', t, state, [
    select(k, state, 'indicator', [{ label: '', options: targets }], { required: true, empty: '请选择' }),
    input(k, state, 'asOf', { type: 'date', required: true, fallback: defaults.asOf }),
    input(k, state, 'actual', { type: 'text', required: true, max: 100, placeholder: '例如 16000亩' }),
    input(k, state, 'expectedYearEnd', { type: 'text', required: false, max: 100, placeholder: '例如 21000亩' }),
    select(k, state, 'likelihood', likelihoods, { required: true, empty: '请选择' }),
    select(k, state, 'cause', causeOptions, { required: false, empty: '（无）' }),
    textarea(k, state, 'reason', false, '“有可能”或“完全不可能”时必填'),
    textarea(k, state, 'measure', false, '“有可能”或“完全不可能”时必填'),
  ]);
}

const short = (s: string, n = 36) => (s.length > n ? `${s.slice(0, n)}…` : s);

function measureOptions(measures: readonly MeasureChoice[]): Option[] {
  return measures.map((m) => ({
    value: m.eventId,
    label: `${m.date} ${m.kind === 'explanation' ? '偏差说明' : '进度填报'} · ${m.about}：${short(m.measure)}`,
  }));
}

function actionForm(t: FormTarget, measures: Option[], state: FormState | null, defaults: { on: string }): SafeHtml {
  const k = 'action';
  const statuses: OptionGroup[] = [
    { label: '', options: Object.entries(ACTION_TEXT).map(([value, label]) => ({ value, label })) },
  ];
  return formShell(k, '整改进展', t, state, [
    select(k, state, 'explanation', [{ label: '', options: measures }], { required: true, empty: '请选择' }),
    input(k, state, 'on', { type: 'date', required: true, fallback: defaults.on }),
    select(k, state, 'status', statuses, { required: true, empty: '请选择' }),
    textarea(k, state, 'note', true, '整改进展情况，不超过2000字'),
  ]);
}

const inScope = (unit: string | null, owner: string | null) => unit === null || owner === unit;

/** The subjects a principal may explain: the department (whole-department keys), units, projects, fiscal lines. */
function subjectGroups(ctx: FormContext, unit: string | null, task: string | null): OptionGroup[] {
  const project = task === null ? null : ctx.projects.find((p) => p.task === task);
  const groups: OptionGroup[] = [];
  if (task === null && unit === null)
    groups.push({ label: '部门整体', options: [{ value: 'department', label: ctx.departmentName }] });
  const units = ctx.units.filter((u) => inScope(unit, u.unit) && (task === null || u.unit === project?.unit));
  if (task === null && units.length)
    groups.push({ label: '科室', options: units.map((u) => ({ value: `unit:${u.unit}`, label: u.name })) });
  const projects = ctx.projects.filter((p) => inScope(unit, p.unit) && (task === null || p.task === task));
  if (projects.length)
    groups.push({ label: '项目', options: projects.map((p) => ({ value: `task:${p.task}`, label: p.title })) });
  const lines = ctx.lines.filter((l) => inScope(unit, l.unit) && (task === null || l.task === task));
  if (lines.length)
    groups.push({ label: '预算明细', options: lines.map((l) => ({ value: `line:${l.line}`, label: l.name })) });
  return groups;
}

function formsUnavailable(access: FormsAccess): SafeHtml | '' {
  return access.kind === 'none' ? html`<p class="meta" id="forms-unavailable">${access.reason}</p>` : '';
}

// ---------------------------------------------------------------- department page section

/**
 * The department page's 绩效运行监控 section: the summary, the projects (each linking to its page),
 * the subjects to explain, the measures and, for keys that may write, the 偏差说明 and 整改进展
 * forms.
 */
export function monitoringSectionHtml(
  stream: { department: string; year: number },
  answer: MonitoringAnswer | null,
  error: string | null,
  q: MonitoringQuery,
  access: FormsAccess,
  feedback: FormFeedback,
): SafeHtml {
  if (!answer)
    return html`<section class="card" id="monitoring"><h2>绩效运行监控</h2><p class="empty" id="monitoring-unavailable">绩效运行监控暂不可用（${error ?? '无数据'}）。</p></section>`;
  const { department, year } = stream;
  const explanationOf = new Map(
    answer.explanations.filter((e) => e.subject.kind === 'task').map((e) => [e.subject.id ?? '', e]),
  );
  const projects = answer.projects.length
    ? html`<div class="table-wrap"><table class="data" id="projects-table">
<thead><tr><th>项目</th><th>实施单位</th><th class="num">年度预算（元）</th><th class="num">累计支出（元）</th><th class="num">执行率</th><th class="num">序时进度</th><th class="num">滞后（百分点）</th><th>预警等级</th><th>背离（百分点）</th><th>目标风险</th><th>偏差说明</th></tr></thead>
<tbody>${answer.projects.map((p) => {
        const e = explanationOf.get(p.task);
        const atRisk = p.targets.filter((t) => t.atRisk).length;
        return html`<tr data-task="${p.task}" data-level="${p.level ?? ''}"${e && e.status !== 'explained' ? html` class="flag-${e.status}"` : ''}>
<td class="name"><a href="${projectHref(department, year, p.task, q)}" data-task="${p.task}">${p.title}</a><div class="code">${p.task}</div></td>
<td>${p.unitName}</td>
<td class="num">${moneyText(p.budget)}</td>
<td class="num">${moneyText(p.spent)}</td>
<td class="num rate">${pctText(p.rate)}</td>
<td class="num">${pctText(p.schedule)}</td>
<td class="num lag">${ppText(p.lag)}</td>
<td class="level-cell">${levelBadge(p.level)}</td>
<td>${divergenceText(p)}</td>
<td class="num">${atRisk ? html`<span class="tag overdue">${atRisk}项</span>` : DASH}</td>
<td>${e ? statusTag(e.status) : html`<span class="sub">无需说明</span>`}</td>
</tr>`;
      })}</tbody></table></div>`
    : html`<p class="empty" id="projects-none">尚无项目（TaskPlanned，kind 为 project）。</p>`;
  const forms =
    access.kind === 'forms'
      ? html`<div class="forms" id="monitoring-forms">
${explanationForm(
  { action: `${streamBase(department, year)}/explanations`, back: '', q },
  subjectGroups(access.ctx, access.unit, null),
  feedback.form,
  { asOf: answer.asOf },
)}
${actionForm(
  { action: `${streamBase(department, year)}/actions`, back: '', q },
  measureOptions(access.ctx.measures.filter((m) => inScope(access.unit, m.unit))),
  feedback.form,
  { on: access.today },
)}
</div>`
      : formsUnavailable(access);
  return html`<section class="card" id="monitoring">
<h2>绩效运行监控（截至${fullDateCnNumeric(answer.asOf)}，财政资金）</h2>
${filedNotice(feedback)}
${summaryChips(answer.summary)}
<h3>项目执行与绩效目标</h3>
${projects}
<h3>偏差说明（黄色、红色预警对象，${answer.explanations.length}项）</h3>
${explanationTable(answer.explanations, 'explanations-table')}
<h3>纠偏措施与整改（${answer.measures.length}项）</h3>
${measureTable(answer.measures, 'measures-table')}
${forms}
</section>`;
}

// ---------------------------------------------------------------- project page

function completionCell(t: Target): SafeHtml {
  if (!t.progress) return html`<span class="sub">尚未填报</span>`;
  if (t.completion === null) return html`<span class="qualitative">定性指标：${t.progress.actual}</span>`;
  return html`<progress class="completion" max="100" value="${t.completion}" aria-label="完成度">${t.completion}%</progress> <b class="completion-value">${pctText(t.completion)}</b>`;
}

function targetRows(targets: readonly Target[]): SafeHtml[] {
  return targets.map((t) => {
    const p = t.progress;
    return html`<tr data-indicator="${t.indicator}"${t.atRisk ? html` class="at-risk"` : ''}>
<td>${t.level1}<div class="sub">${t.level2}</div></td>
<td>${t.name}</td>
<td>${t.target}</td>
<td>${p ? html`${p.actual}<div class="sub">截至${p.asOf}</div>` : DASH}</td>
<td>${p?.expectedYearEnd ?? DASH}</td>
<td>${p ? html`<span class="likelihood likelihood-${p.likelihood}">${LIKELIHOOD_TEXT[p.likelihood]}</span>` : DASH}${t.atRisk ? html`<span class="tag overdue">有完不成风险</span>` : ''}</td>
<td class="completion-cell">${completionCell(t)}</td>
<td class="msg">${p?.deviation ? html`<span class="tag">${CAUSE_TEXT[p.deviation.cause]}</span> ${p.deviation.reason}` : DASH}</td>
<td class="msg">${p?.measure ?? DASH}</td>
</tr>`;
  });
}

function timelineItem(
  e: TimelineEntry,
  measures: ReadonlyMap<string, Measure>,
  texts: ReadonlyMap<string, string>,
): SafeHtml {
  const recorded = html`<span class="sub">登记于 ${e.recordedOn}</span>`;
  switch (e.kind) {
    case 'explanation':
      return html`<li class="tl tl-explanation" data-event="${e.eventId}"><div class="tl-date">${e.date}</div><div class="tl-body">
<b>偏差说明</b> · ${subjectText(e.subject)} <span class="tag">${CAUSE_TEXT[e.cause]}</span> ${recorded}
<p>原因：${e.reason}</p>
<p>纠偏措施：${e.measure}${e.due ? `（完成时限 ${e.due}）` : ''} ${measureStatus(measures.get(e.eventId))}</p></div></li>`;
    case 'progress':
      return html`<li class="tl tl-progress" data-event="${e.eventId}"><div class="tl-date">${e.date}</div><div class="tl-body">
<b>进度填报</b> · ${e.name}：实际完成 ${e.actual} · 完成目标可能性 ${LIKELIHOOD_TEXT[e.likelihood]} ${recorded}
${e.deviation ? html`<p>偏差原因：<span class="tag">${CAUSE_TEXT[e.deviation.cause]}</span> ${e.deviation.reason}</p>` : ''}
<p>完善措施：${e.measure} ${measureStatus(measures.get(e.eventId))}</p></div></li>`;
    case 'action':
      return html`<li class="tl tl-action action-${e.status}" data-event="${e.eventId}" data-measure="${e.measure}"><div class="tl-date">${e.date}</div><div class="tl-body">
<b>整改进展</b> · <span class="tag action-${e.status}">${ACTION_TEXT[e.status]}</span> ${e.note} ${recorded}
<p class="sub">措施：${short(texts.get(e.measure) ?? e.measure, 60)}</p></div></li>`;
  }
}

/** A project's page (/dashboard/{d}/{y}/projects/{task}). */
export function projectPageHtml(
  detail: ProjectDetail,
  q: MonitoringQuery,
  access: FormsAccess,
  feedback: FormFeedback,
): string {
  const { answer: a, project: p, curve, timeline } = detail;
  const self = `${streamBase(a.department, a.year)}/projects/${encodeURIComponent(p.task)}`;
  const departmentHref = `${streamBase(a.department, a.year)}${qs({ asOf: q.asOf, knownOn: q.knownOn })}`;
  const mine = (kind: string, id: string | null) =>
    (kind === 'task' && id === p.task) || (kind === 'line' && p.lines.includes(id ?? ''));
  const explanations = a.explanations.filter((e) => mine(e.subject.kind, e.subject.id));
  const indicators = new Set(p.targets.map((t) => t.indicator));
  const measures = a.measures.filter(
    (m) => mine(m.subject.kind, m.subject.id) || (m.subject.kind === 'indicator' && indicators.has(m.subject.id ?? '')),
  );
  const measureById = new Map(measures.map((m) => [m.eventId, m]));
  const measureText = new Map(timeline.flatMap((e) => (e.kind === 'action' ? [] : [[e.eventId, e.measure] as const])));
  const chartData = {
    months: curve.months,
    throughMonth: curve.throughMonth,
    rate: curve.rate,
    schedule: curve.schedule,
    checkpoints: a.checkpoints.map((c) => ({ month: Number(c.date.slice(5, 7)), date: c.date, percent: c.percent })),
  };
  const monthRows = curve.months
    .filter((m) => m <= curve.throughMonth)
    .map(
      (m, i) =>
        html`<tr data-month="${m}"><td>${m}月</td><td class="num">${moneyText(curve.budget[i])}</td><td class="num">${moneyText(curve.spent[i])}</td><td class="num rate">${pctText(curve.rate[i])}</td><td class="num">${pctText(curve.schedule[i])}</td></tr>`,
    );
  const known = q.knownOn ? html`按 <b>${q.knownOn}</b> 已知的记录` : '按全部已登记记录（含更正）';
  const withCompletion = p.targets.filter((t) => t.completion !== null);
  const forms =
    access.kind === 'forms'
      ? (() => {
          const t = (path: string) => ({ action: `${streamBase(a.department, a.year)}/${path}`, back: p.task, q });
          const targets = access.ctx.targets
            .filter((x) => x.task === p.task && inScope(access.unit, x.unit))
            .map((x) => ({ value: x.indicator, label: `${x.name}（年度指标值 ${x.target}）` }));
          const own = access.ctx.measures.filter((m) => m.task === p.task && inScope(access.unit, m.unit));
          return html`<section class="card" id="project-forms">
<h2>填报</h2>
<div class="forms">
${explanationForm(t('explanations'), subjectGroups(access.ctx, access.unit, p.task), feedback.form, {
  subject: `task:${p.task}`,
  asOf: a.asOf,
})}
${targets.length ? progressForm(t('progress'), targets, feedback.form, { asOf: a.asOf }) : html`<p class="empty">该项目尚无绩效指标，无法填报进度。</p>`}
${own.length ? actionForm(t('actions'), measureOptions(own), feedback.form, { on: access.today }) : html`<p class="empty" id="action-none">该项目尚无纠偏措施，无法填报整改进展。</p>`}
</div>
</section>`;
        })()
      : html`<section class="card" id="project-forms"><h2>填报</h2>${formsUnavailable(access)}</section>`;

  const body = html`<header class="top">
<nav class="crumbs"><a href="/">部门列表</a> › <a href="${departmentHref}" id="back-to-department">${a.departmentName}</a> › ${p.title}</nav>
<h1>${p.title} · 绩效运行监控</h1>
<p class="meta">${a.departmentName} ${a.year}年度 · 实施单位 ${p.unitName} · 项目代码 ${p.task} · 截至 ${fullDateCnNumeric(a.asOf)}（支出统计至${a.throughMonth}月末）· ${known} · 口径：财政资金</p>
</header>
<main>
${filedNotice(feedback)}
<section class="card">
<form class="filters" method="get" action="${self}" id="filters">
<label>截至日期 <input type="date" name="asOf" id="asOf" value="${q.asOf ?? ''}" min="${a.year}-01-01" max="${a.year}-12-31"></label>
<label>数据截至/已知日期 <input type="date" name="knownOn" id="knownOn" value="${q.knownOn ?? ''}"></label>
<button type="submit">刷新</button>
<a href="${self}">重置</a>
</form>
</section>

<section class="card kpis" id="project-kpis">
<div class="kpi"><div class="kpi-label">执行率</div><div class="kpi-value" id="project-rate">${pctText(p.rate)}</div><div class="kpi-sub">${moneyText(p.spent)} / ${moneyText(p.budget)} 元</div></div>
<div class="kpi"><div class="kpi-label">序时进度</div><div class="kpi-value" id="project-schedule">${pctText(p.schedule)}</div><div class="kpi-sub">较序时进度滞后 ${ppText(p.lag)} 个百分点</div></div>
<div class="kpi"><div class="kpi-label">预警等级</div><div class="kpi-value" id="project-level">${levelBadge(p.level)}</div><div class="kpi-sub">黄色 ${a.thresholds.yellow} / 红色 ${a.thresholds.red} 个百分点</div></div>
<div class="kpi"><div class="kpi-label">预计年末支出</div><div class="kpi-value small" id="project-year-end">${moneyText(p.projectedYearEnd)}</div><div class="kpi-sub">按近3个月月均支出测算（元）</div></div>
<div class="kpi"><div class="kpi-label">预计结转结余</div><div class="kpi-value small" id="project-carry-over">${moneyText(p.carryOver)}</div><div class="kpi-sub">年度预算减预计年末支出（元）</div></div>
<div class="kpi"><div class="kpi-label">支出与目标背离</div><div class="kpi-value small" id="project-divergence">${p.divergence ? html`${ppText(p.divergence.difference)}` : withCompletion.length ? '未背离' : DASH}</div><div class="kpi-sub">${p.divergence ? DIVERGENCE_TEXT[p.divergence.kind] : `阈值 ${a.thresholds.divergence} 个百分点`}</div></div>
</section>

<section class="card">
<h2>项目累计执行进度与进度节点</h2>
<div class="chart" id="project-chart" data-curve="${JSON.stringify(chartData)}" role="img" aria-label="项目累计执行率与序时进度、进度节点（按月）"></div>
<p class="meta">进度节点：${a.checkpoints.map((c) => `${fullDateCnNumeric(c.date)} ${pctText(c.percent)}`).join('，')}</p>
<div class="table-wrap"><table class="data" id="project-months">
<thead><tr><th>月份</th><th class="num">当月末预算（元）</th><th class="num">累计支出（元）</th><th class="num">累计执行率</th><th class="num">序时进度</th></tr></thead>
<tbody>${monthRows}</tbody></table></div>
</section>

<section class="card" id="targets">
<h2>绩效目标与完成进度（${p.targets.length}项）</h2>
${
  p.targets.length
    ? html`<div class="table-wrap"><table class="data" id="targets-table">
<thead><tr><th>一级/二级指标</th><th>三级指标</th><th>年度指标值</th><th>1—${a.throughMonth}月实际完成值</th><th>全年预计完成值</th><th>完成目标可能性</th><th>完成度</th><th>偏差原因</th><th>完善措施</th></tr></thead>
<tbody>${targetRows(p.targets)}</tbody></table></div>`
    : html`<p class="empty">该项目尚无绩效指标（IndicatorDefined）。</p>`
}
</section>

<section class="card" id="project-explanations">
<h2>偏差说明状态</h2>
${explanationTable(explanations, 'project-explanations-table')}
</section>

<section class="card" id="timeline-card">
<h2>偏差说明与整改时间线（${timeline.length}条）</h2>
${
  timeline.length
    ? html`<ol class="timeline" id="timeline">${timeline.map((e) => timelineItem(e, measureById, measureText))}</ol>`
    : html`<p class="empty" id="timeline-none">尚无偏差说明与整改记录。</p>`
}
</section>

${forms}

<p class="api">数据接口：<a href="/api/v1/departments/${encodeURIComponent(a.department)}/years/${a.year}/monitoring${qs({ asOf: q.asOf, knownOn: q.knownOn })}">绩效运行监控</a></p>
</main>`;
  return page(`${p.title} · ${a.departmentName} ${a.year}年度绩效运行监控`, body, 'project-page');
}
