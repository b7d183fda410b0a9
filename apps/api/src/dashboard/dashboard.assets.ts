/**
 * The dashboard's stylesheet and browser module, served as same-origin files (/static/…) so the
 * Content-Security-Policy can forbid inline scripts. Kept as strings in a TypeScript module so
 * they ship with the compiled API (no build step, no files to copy next to dist/).
 *
 * The module: draws the ECharts charts of the department page from the curve API (the URLs are
 * in data attributes) and the project page's curve from the data in its data attribute, reloads
 * the page when a date picker changes, and sorts and filters the department list. The figures
 * themselves are rendered by the server, so they are there without JavaScript too.
 */

export const DASHBOARD_CSS = String.raw`
:root { --green: #2e7d32; --green-bg: #e8f5e9; --yellow: #a66a00; --yellow-bg: #fff6d6; --red: #c62828; --red-bg: #fdecea;
  --ink: #1f2933; --muted: #637381; --line: #e3e8ee; --bg: #f4f6f9; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
  font-size: 14px; line-height: 1.55; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.top { background: #16324f; color: #fff; padding: 18px 28px 14px; }
.top h1 { margin: 4px 0 6px; font-size: 22px; font-weight: 600; }
.top .meta { color: #c9d6e3; margin: 0; }
.top a { color: #bfe0ff; }
.crumbs { font-size: 13px; color: #c9d6e3; }
main { padding: 18px 28px 8px; max-width: 1400px; margin: 0 auto; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin-bottom: 16px; }
.card h2 { font-size: 16px; margin: 0 0 12px; font-weight: 600; }
.two { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 16px; }
.two .card { margin-bottom: 16px; }
@media (max-width: 900px) { .two { grid-template-columns: 1fr; } }
.filters { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: center; }
.filters label, .toolbar label { color: var(--muted); }
.filters input, .filters select, .toolbar input, .toolbar select { font: inherit; padding: 4px 6px; border: 1px solid #c4cdd5; border-radius: 4px; color: var(--ink); }
.filters button { font: inherit; padding: 4px 14px; border: 0; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
.hint { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.toolbar { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: center; margin: 14px 0 10px; }
.count { color: var(--muted); margin-left: auto; }
.quarters { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; }
.quarter { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #f8fbff; }
.quarter.future { background: #f6f6f6; color: var(--muted); }
.q-label { color: var(--muted); }
.q-rate { font-size: 34px; font-weight: 700; color: #16324f; line-height: 1.2; margin: 4px 0; font-variant-numeric: tabular-nums; }
.quarter.future .q-rate { color: #a0a8b0; }
.q-sub { font-size: 12px; color: var(--muted); }
.kpis, .summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.kpi { padding: 4px 6px; }
.kpi-label { color: var(--muted); font-size: 13px; }
.kpi-value { font-size: 24px; font-weight: 700; line-height: 1.35; font-variant-numeric: tabular-nums; }
.kpi-value.small { font-size: 20px; }
.kpi-value.red { color: var(--red); } .kpi-value.yellow { color: var(--yellow); } .kpi-value.green { color: var(--green); }
.kpi-sub { color: var(--muted); font-size: 12px; }
.grade { color: var(--accent); }
.chart { width: 100%; height: 340px; }
.chart .chart-error { color: var(--red); padding: 20px; }
.table-wrap { overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 7px 8px; text-align: left; vertical-align: top; }
table.data th { background: #f3f6f9; color: #3d4b59; font-weight: 600; white-space: nowrap; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data tfoot td { font-weight: 600; background: #fafbfc; }
table.data tr.subtotal td { background: #f5f8fb; font-weight: 600; }
table.data tr.total td { background: #eaf2fb; font-size: 15px; }
table.data tr.missing td { color: var(--muted); }
table.data td.l1, table.data td.l2 { background: #fbfcfd; }
th button { font: inherit; font-weight: 600; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; }
th[aria-sort="ascending"] .arrow::after { content: " ▲"; }
th[aria-sort="descending"] .arrow::after { content: " ▼"; }
.code, .sub { color: var(--muted); font-size: 12px; }
.sub { margin-left: 4px; }
td .code { margin-top: 1px; }
.level { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.level-green { color: var(--green); background: var(--green-bg); }
.level-yellow { color: var(--yellow); background: var(--yellow-bg); }
.level-red { color: var(--red); background: var(--red-bg); }
.level-none { color: var(--muted); }
.kpi-value .level { font-size: 18px; padding: 2px 12px; }
tr[data-level="red"] td.rate, tr[data-level="red"] td.lag { color: var(--red); font-weight: 600; }
tr[data-level="yellow"] td.rate, tr[data-level="yellow"] td.lag { color: var(--yellow); font-weight: 600; }
.dot { display: inline-block; min-width: 22px; text-align: center; border-radius: 10px; margin-right: 4px; font-size: 12px; font-weight: 600; }
.dot-red { color: var(--red); background: var(--red-bg); } .dot-yellow { color: var(--yellow); background: var(--yellow-bg); } .dot-green { color: var(--green); background: var(--green-bg); }
.tag { display: inline-block; margin-left: 6px; padding: 0 5px; font-size: 11px; border-radius: 3px; background: #eef2f6; color: var(--muted); }
.tag.calc { background: #e8f0fb; color: var(--accent); }
.tag.warn { background: var(--yellow-bg); color: var(--yellow); }
.facts { margin: 0; display: grid; gap: 8px; }
.facts div { display: flex; justify-content: space-between; gap: 12px; border-bottom: 1px dashed var(--line); padding-bottom: 6px; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.notices { margin: 0; padding-left: 18px; }
.notices li { margin: 4px 0; }
.month-link { margin-right: 4px; }
.msg { max-width: 560px; }
.meta { color: var(--muted); }
.note { background: var(--yellow-bg); padding: 8px 10px; border-radius: 4px; }
.empty { color: var(--muted); }
.hidden { display: none; }
.error { color: var(--red); font-size: 15px; }
.api { color: var(--muted); font-size: 12px; }
.foot { color: var(--muted); font-size: 12px; text-align: center; padding: 10px 0 24px; }
.card h3 { font-size: 14px; margin: 16px 0 8px; font-weight: 600; }
.count-cell.nonzero { color: var(--red); font-weight: 600; }
#departments { font-size: 13px; }
table.data#departments th, table.data#departments td { padding: 6px 5px; }
#departments td.name { min-width: 9em; }
#departments td.grade { min-width: 5em; }
#departments th.mon-first, #departments td.mon-first { border-left: 1px dashed #c4cdd5; }
#departments td.projects-levels { white-space: nowrap; }
.chips { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 6px; }
.chip { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; background: #f8fbff; min-width: 96px; }
.chip-value { display: block; font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
.chip-label { color: var(--muted); font-size: 12px; }
.chip.nonzero .chip-value { color: var(--red); }
.filed { background: var(--green-bg); color: var(--green); padding: 8px 12px; border-radius: 6px; font-weight: 600; }
main > .filed { margin: 0 0 16px; }
.tag.overdue { background: var(--red-bg); color: var(--red); font-weight: 600; }
.tag.status-explained, .tag.action-done { background: var(--green-bg); color: var(--green); }
.tag.status-unexplained, .tag.action-in_progress { background: var(--yellow-bg); color: var(--yellow); }
.tag.status-overdue { background: var(--red-bg); color: var(--red); font-weight: 600; }
.tag.action-abandoned { background: #eceff1; color: #546e7a; }
tr.flag-unexplained td, tr.status-unexplained td { background: #fffbea; }
tr.flag-overdue td, tr.status-overdue td, tr.overdue td { background: #fff3f2; }
tr.at-risk td { background: #fff3f2; }
.likelihood-impossible { color: var(--red); font-weight: 600; }
.likelihood-possible { color: var(--yellow); font-weight: 600; }
.divergence { color: var(--red); font-weight: 600; white-space: nowrap; }
progress.completion { width: 120px; height: 12px; vertical-align: middle; accent-color: var(--accent); }
.completion-cell { white-space: nowrap; }
.qualitative { color: var(--ink); }
.timeline { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 2px solid var(--line); }
.tl { position: relative; display: grid; grid-template-columns: 96px minmax(0, 1fr); gap: 10px; padding: 6px 0 10px; }
.tl::before { content: ""; position: absolute; left: -20px; top: 12px; width: 10px; height: 10px; border-radius: 50%; background: var(--accent); }
.tl-action::before { background: var(--green); }
.tl-action.action-in_progress::before { background: var(--yellow); }
.tl-action.action-abandoned::before { background: #90a4ae; }
.tl-progress::before { background: #8e24aa; }
.tl-date { color: var(--muted); font-variant-numeric: tabular-nums; }
.tl-body p { margin: 2px 0; }
.forms { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; margin-top: 14px; }
.mform { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #fbfcfd; }
.mform h3 { margin: 0 0 10px; }
.mform .fields { display: grid; gap: 8px; margin-bottom: 10px; }
.mform .field { display: grid; gap: 3px; }
.mform .field-label { color: #3d4b59; font-size: 13px; }
.mform .req { color: var(--red); margin-left: 2px; }
.mform .hint { color: var(--muted); font-size: 12px; }
.mform input, .mform select, .mform textarea { font: inherit; padding: 4px 6px; border: 1px solid #c4cdd5; border-radius: 4px; color: var(--ink); width: 100%; }
.mform .invalid { border-color: var(--red); background: #fff8f7; }
.mform button { font: inherit; padding: 5px 16px; border: 0; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
.form-errors { margin: 0 0 10px; padding: 8px 10px 8px 26px; background: var(--red-bg); color: var(--red); border-radius: 6px; }
`;

export const DASHBOARD_JS = String.raw`// Paceline dashboard (served as a same-origin module; no inline scripts).
const MONTHS = ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'];
const PALETTE = ['#1f5fa8', '#e07b00', '#2e7d32', '#8e24aa', '#00838f', '#c62828', '#6d4c41', '#3949ab', '#7cb342', '#d81b60'];

function num(v) {
  return v === null || v === undefined || v === '' ? null : Number(v);
}

async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) {
    let message = 'HTTP ' + res.status;
    try { message = (await res.json()).message || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return res.json();
}

function showError(el, text) {
  el.textContent = '';
  const p = document.createElement('p');
  p.className = 'chart-error';
  p.textContent = text;
  el.appendChild(p);
  el.dataset.error = text;
}

function yMax(value) {
  return Math.max(100, Math.ceil(value.max / 10) * 10);
}

function pctFormatter(v) {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(2) + '%';
}

function lineOption(series, legendTop) {
  return {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: 'Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif' },
    tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: pctFormatter },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 56, right: 28, top: legendTop, bottom: 30 },
    xAxis: { type: 'category', data: MONTHS, boundaryGap: false },
    yAxis: { type: 'value', min: 0, max: yMax, axisLabel: { formatter: '{value}%' } },
    series: series,
  };
}

function scheduleSeries(curve) {
  return {
    id: 'schedule', name: '序时进度', type: 'line', data: curve.schedule.map(num), symbol: 'none',
    lineStyle: { type: 'dashed', width: 2, color: '#7b8794' }, itemStyle: { color: '#7b8794' }, z: 1,
  };
}

async function departmentCharts() {
  const el = document.getElementById('curve-chart');
  if (!el) return;
  const unitsEl = document.getElementById('unit-chart');
  const echarts = window.echarts;
  if (!echarts) {
    showError(el, '图表组件未能加载（/static/echarts.min.js）。');
    return;
  }
  let fiscal, all;
  try {
    [fiscal, all] = await Promise.all([getJson(el.dataset.fiscalUrl), getJson(el.dataset.allUrl)]);
  } catch (e) {
    showError(el, '累计执行曲线加载失败：' + e.message);
    if (unitsEl) showError(unitsEl, '累计执行曲线加载失败：' + e.message);
    return;
  }
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption(lineOption([
    { id: 'fiscal', name: '财政资金执行率', type: 'line', data: fiscal.total.rate.map(num), symbolSize: 7, lineStyle: { width: 3 }, z: 4,
      label: { show: true, position: 'top', fontSize: 10, formatter: (p) => (p.dataIndex % 3 === 2 && p.value !== null ? Number(p.value).toFixed(2) + '%' : '') } },
    { id: 'all', name: '全部资金执行率', type: 'line', data: all.total.rate.map(num), symbol: 'diamond', symbolSize: 6, lineStyle: { width: 2 }, z: 3 },
    scheduleSeries(fiscal),
  ], 36));
  el.dataset.ready = 'true';
  const charts = [chart];
  if (unitsEl) {
    const curve = el.dataset.source === 'all' ? all : fiscal;
    const unitChart = echarts.init(unitsEl, null, { renderer: 'canvas' });
    const series = curve.units.map((u) => ({ id: 'unit:' + u.unit, name: u.name, type: 'line', data: u.rate.map(num), symbolSize: 5, connectNulls: false }));
    series.push(scheduleSeries(curve));
    unitChart.setOption(lineOption(series, 48));
    unitsEl.dataset.ready = 'true';
    charts.push(unitChart);
  }
  window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
}

async function projectChart() {
  const el = document.getElementById('project-chart');
  if (!el) return;
  const echarts = window.echarts;
  if (!echarts) {
    showError(el, '图表组件未能加载（/static/echarts.min.js）。');
    return;
  }
  let data;
  try {
    data = JSON.parse(el.dataset.curve);
  } catch (e) {
    showError(el, '图表数据有误。');
    return;
  }
  // The checkpoints at their months (null elsewhere), labelled with their date and percent.
  const marks = data.months.map(() => null);
  const dates = data.months.map(() => '');
  for (const c of data.checkpoints) {
    if (c.month < 1 || c.month > 12) continue;
    marks[c.month - 1] = num(c.percent);
    dates[c.month - 1] = c.date.slice(5);
  }
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  const option = lineOption([
    { id: 'project', name: '项目累计执行率', type: 'line', data: data.rate.map(num), symbolSize: 7, lineStyle: { width: 3 }, z: 4,
      label: { show: true, position: 'top', fontSize: 10, formatter: (p) => (p.dataIndex === data.throughMonth - 1 && p.value !== null ? Number(p.value).toFixed(2) + '%' : '') } },
    scheduleSeries(data),
    { id: 'checkpoints', name: '进度节点', type: 'scatter', data: marks, symbol: 'diamond', symbolSize: 13, z: 5,
      itemStyle: { color: '#c62828' },
      label: { show: true, position: 'right', fontSize: 10, formatter: (p) => (p.value === null ? '' : dates[p.dataIndex] + ' ' + Number(p.value).toFixed(2) + '%') } },
  ], 36);
  option.grid.right = 90; // room for the last checkpoint's label
  chart.setOption(option);
  el.dataset.ready = 'true';
  window.addEventListener('resize', () => chart.resize());
}

function autoReload() {
  const form = document.getElementById('filters') || document.getElementById('list-form');
  if (!form) return;
  for (const input of form.querySelectorAll('input[type="date"], select')) {
    input.addEventListener('change', () => {
      if (input.type === 'date' && input.value !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(input.value)) return;
      if (typeof form.requestSubmit === 'function') form.requestSubmit(); else form.submit();
    });
  }
}

function compareValues(a, b, type) {
  const ea = a === undefined || a === '';
  const eb = b === undefined || b === '';
  if (ea || eb) return ea && eb ? 0 : ea ? 1 : -1;
  if (type === 'num') return Number(a) - Number(b);
  return a.localeCompare(b, 'zh-CN');
}

function departmentList() {
  const table = document.getElementById('departments');
  if (!table) return;
  const tbody = table.tBodies[0];
  const rows = Array.from(tbody.rows);
  const text = document.getElementById('dept-filter');
  const year = document.getElementById('year-filter');
  const level = document.getElementById('level-filter');
  const count = document.getElementById('dept-count');
  const none = document.getElementById('no-match');
  let key = null;
  let dir = 1;
  for (const button of table.querySelectorAll('th button[data-sort]')) {
    button.addEventListener('click', () => {
      const k = button.dataset.sort;
      dir = key === k ? -dir : button.dataset.type === 'num' && k !== 'year' ? -1 : 1;
      key = k;
      const type = button.dataset.type;
      // Empty values (no figure) stay last whichever the direction.
      rows.sort((a, b) => {
        const va = a.dataset[k];
        const vb = b.dataset[k];
        if (!va || !vb) return compareValues(va, vb, type);
        return compareValues(va, vb, type) * dir;
      });
      for (const r of rows) tbody.appendChild(r);
      for (const th of table.querySelectorAll('th')) th.setAttribute('aria-sort', 'none');
      button.closest('th').setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    });
  }
  const apply = () => {
    const q = text.value.trim().toLowerCase();
    let shown = 0;
    for (const r of rows) {
      const ok = (!q || r.dataset.name.toLowerCase().includes(q)) && (!year.value || r.dataset.year === year.value) && (!level.value || r.dataset.level === level.value);
      r.classList.toggle('hidden', !ok);
      if (ok) shown++;
    }
    count.textContent = shown === rows.length ? '共 ' + rows.length + ' 个部门年度' : '显示 ' + shown + ' / ' + rows.length + ' 个部门年度';
    if (none) none.classList.toggle('hidden', shown > 0);
  };
  text.addEventListener('input', apply);
  year.addEventListener('change', apply);
  level.addEventListener('change', apply);
  apply();
}

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function importForm() {
  const form = document.getElementById('import-form');
  if (!form) return;
  const out = document.getElementById('import-result');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = document.getElementById('import-file').files[0];
    if (!file) return;
    const dry = document.getElementById('import-dry').checked;
    const unit = document.getElementById('import-unit').value;
    const csv = /\.csv$/i.test(file.name);
    out.textContent = '正在导入……';
    out.dataset.state = 'busy';
    try {
      const res = await fetch(form.dataset.url + '?dryRun=' + dry + '&unit=' + encodeURIComponent(unit), {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': csv ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'x-filename': encodeURIComponent(file.name),
          accept: 'application/json',
        },
        body: await file.arrayBuffer(),
      });
      const r = await res.json();
      out.textContent = '';
      if (!res.ok) {
        out.appendChild(el('p', '导入失败：' + (r.message || ('HTTP ' + res.status)), 'error'));
        for (const e of r.errors || []) out.appendChild(el('p', (e.path ? e.path + '：' : '') + e.reason, 'error'));
        out.dataset.state = 'error';
        return;
      }
      const head = (r.dryRun ? '预览（未写入）：' : '已导入：') + '新增事件 ' + (r.dryRun ? Object.values(r.events || {}).reduce((a, b) => a + b, 0) : r.accepted) +
        '，重复 ' + r.duplicates + '，更正 ' + (r.corrections || []).length + '，跳过 ' + (r.skipped || []).length + ' 行，拒绝 ' + r.rejectedRows + ' 行';
      out.appendChild(el('p', head, 'import-summary'));
      if ((r.rejected || []).length) {
        const ul = el('ul', undefined, 'import-rejected');
        for (const p of r.rejected) ul.appendChild(el('li', (p.sheet ? p.sheet + ' ' : '') + '第' + p.row + '行' + (p.column ? '（' + p.column + '）' : '') + '：' + p.reason));
        out.appendChild(ul);
      }
      out.dataset.state = r.dryRun ? 'previewed' : 'imported';
    } catch (e) {
      out.textContent = '导入失败：' + (e && e.message ? e.message : e);
      out.dataset.state = 'error';
    }
  });
}

autoReload();
departmentList();
importForm();
departmentCharts().catch((e) => {
  const el = document.getElementById('curve-chart');
  if (el) showError(el, '图表绘制失败：' + (e && e.message ? e.message : e));
});
projectChart().catch((e) => {
  const el = document.getElementById('project-chart');
  if (el) showError(el, '图表绘制失败：' + (e && e.message ? e.message : e));
});
`;
