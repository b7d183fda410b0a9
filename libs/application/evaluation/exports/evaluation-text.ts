/** The self-evaluation as a plain-text table for the terminal (评分表, total, grade, findings). */
import { computedText, gradesText, type EvaluationReport } from '../evaluation.wire.js';

/** Terminal columns of a string: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0; // `ch` is one whole code point, never empty
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6);
    w += wide ? 2 : 1;
  }
  return w;
}

const padEnd = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - displayWidth(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - displayWidth(s))) + s;

export function evaluationText(r: EvaluationReport): string {
  const l1 = new Map(r.level1.map((g) => [g.id, g.name]));
  const l2 = new Map(r.level2.map((g) => [g.id, g.name]));
  const cols: [number, number, number, number, number] = [10, 10, 32, 6, 8];
  const line = (a: string, b: string, c: string, w: string, s: string) =>
    `${padEnd(a, cols[0])}${padEnd(b, cols[1])}${padEnd(c, cols[2])}${padStart(w, cols[3])}${padStart(s, cols[4])}`;
  const indent = ' '.repeat(cols[0] + cols[1]);
  const out: string[] = [];
  const status =
    r.status === 'final' ? '最终' : r.status === 'incomplete' ? '结果不完整' : `预测，截至 ${r.dueAsOf ?? r.asOf}`;
  out.push(`${r.departmentName}（${r.department}）${r.year} 年度部门整体支出绩效自评（${status}）`);
  out.push(`评价体系：${r.framework.name} ${r.framework.version}${r.knownOn ? `；按 ${r.knownOn} 已知的数据` : ''}`);
  if (r.note) out.push(r.note);
  out.push('', line('一级指标', '二级指标', '三级指标', '分值', '得分'), '-'.repeat(cols.reduce((a, b) => a + b, 0)));
  let prev1 = '';
  let prev2 = '';
  for (const c of r.criteria) {
    out.push(
      line(
        c.level1 === prev1 ? '' : (l1.get(c.level1) ?? c.level1),
        c.level2 === prev2 ? '' : (l2.get(c.level2) ?? c.level2),
        c.name,
        c.weight,
        c.max.exact === c.exact ? c.score : `${c.score}—${c.max.score}`,
      ),
    );
    prev1 = c.level1;
    prev2 = c.level2;
    out.push(`${indent}└ ${c.how.formula}`);
    for (const i of c.items ?? []) out.push(`${indent}  · ${i.name}（${i.weight}分）${i.score}：${i.how.formula}`);
  }
  out.push('-'.repeat(cols.reduce((a, b) => a + b, 0)));
  const { min, max } = r.range;
  if (min.exact === max.exact) {
    out.push(`综合评分 ${r.total.score}（精确值 ${r.total.exact}）  评分等级 ${r.grade ?? gradesText(null, r.grades)}`);
  } else {
    out.push(
      `综合评分 ${min.score}—${max.score}（目前得分 ${min.score}，精确值 ${min.exact}；最高可达 ${max.score}）  ` +
        `评分等级 ${r.grade ?? `未定（${gradesText(null, r.grades)}）`}`,
    );
  }
  for (const [title, items] of [
    ['缺少数据或评定', r.missing],
    ['尚未到期', r.notDue],
  ] as const) {
    if (!items.length) continue;
    out.push(`${title}（${items.length}项）：`);
    for (const p of items) out.push(`  · ${p.name}（${p.weight}分，目前 ${p.score}，最高 ${p.max}）：${p.reason}`);
  }
  out.push(`小计：${r.level1.map((g) => `${g.name} ${g.score}/${g.weight}`).join(' · ')}`);
  out.push(
    `绩效指标：定义 ${r.indicators.defined} 项，适用 ${r.indicators.applicable} 项，达成 ${r.indicators.met} 项`,
  );
  if (r.effectSuggestion) out.push(`效果性建议分：${r.effectSuggestion.formula}`);
  const rec = r.reconciliation;
  if (!rec) {
    out.push('差异说明：尚无部门自评表（SelfEvaluationSubmitted）');
  } else {
    out.push(
      `差异说明（自评 ${rec.submittedTotal} 分 ${rec.submittedGrade}，计算 ${computedText(rec).total} 分 ${computedText(rec).grade}）：`,
    );
    const reasons = [
      ...rec.findings.map((f) => `${f.name ?? f.criterion}（${f.criterion}）：${f.reason}`),
      ...rec.totalFindings.map((f) => `总分/等级：${f.reason}`),
    ];
    if (!reasons.length) out.push('  无差异');
    reasons.forEach((text, i) => out.push(`  ${i + 1}. ${text}`));
  }
  return out.join('\n');
}
