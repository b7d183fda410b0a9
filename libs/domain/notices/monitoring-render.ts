/**
 * Chinese texts of the performance-monitoring parts of notices and alerts, as the rich-text model
 * of render.ts (paragraphs of segments, tables), so Markdown, HTML and the chat robots say the same
 * thing: the unit notice's section 偏差说明和整改措施 (monitoring-section.ts) and the title and
 * figures of the divergence, unexplained and target-at-risk alerts (monitoring-alerts.ts).
 */
import { fixed2 } from '../decimal.js';
import { dateCn, percent2 } from '../format.js';
import type { MonitoringAlertChange, MonitoringOpenAlert } from './alerts.js';
import {
  actionStatusLabel,
  CAUSE_LABELS,
  DIVERGENCE_LABELS,
  EXPLANATION_STATUS_LABELS,
  LIKELIHOOD_LABELS,
} from './monitoring-labels.js';
import { MONITORING_ALERT_TITLES, type AlertAbout } from './monitoring-alerts.js';
import type { NoticeDeviation, NoticeMeasure, NoticeMonitoring } from './monitoring-section.js';
import { LEVEL_LABELS } from './notice.js';
import type { Paragraph, Segment, Table } from './render.js';

/* ---------------------------------------------------------------------------------------- */
/* The unit notice's section                                                                */

const KIND_WORDS: Record<AlertAbout['kind'], string> = {
  department: '部门',
  unit: '科室',
  task: '项目',
  line: '预算资金',
  indicator: '绩效指标',
};

function deviationItem(d: NoticeDeviation): Segment[] {
  return [
    `${d.subject.name}（`,
    { text: LEVEL_LABELS[d.level], level: d.level },
    `，自${dateCn(d.since)}起已持续${d.workingDaysOpen}个工作日，${EXPLANATION_STATUS_LABELS[d.status]}）`,
  ];
}

/** "已完成（7月28日）", "未报送", "进行中（8月20日），已逾期". */
export function measureStatusText(m: NoticeMeasure): string {
  const status = actionStatusLabel(m.status);
  const on = m.statusOn === null ? '' : `（${dateCn(m.statusOn)}）`;
  return `${status}${on}${m.overdue ? '，已逾期' : ''}`;
}

/** "协调…（良种推广补贴项目，8月31日到期，7月28日报送已完成）", "…（…，9月15日到期，未报送整改进展）". */
function measureItem(m: NoticeMeasure): string {
  const progress = m.statusOn === null ? '未报送整改进展' : `${dateCn(m.statusOn)}报送${actionStatusLabel(m.status)}`;
  return `${m.measure}（${m.subject.name}，${dateCn(m.due)}到期，${progress}${m.overdue ? '，已逾期' : ''}）`;
}

/**
 * "四、偏差说明和整改措施。你科室有2项预警未报送偏差说明：…。整改措施1项于9月30日前到期或已逾期：…。请…"
 * (`numeral` is the section's number: the sections before it vary).
 */
export function monitoringParagraph(s: NoticeMonitoring, numeral: string): Paragraph {
  const p: Paragraph = [`${numeral}、偏差说明和整改措施。`];
  if (s.deviations.length) {
    p.push(`你科室有${s.deviations.length}项预警未报送偏差说明：`);
    s.deviations.forEach((d, i) => p.push(...(i ? ['、'] : []), ...deviationItem(d)));
    p.push('。');
  }
  if (s.measures.length) {
    p.push(
      `整改措施${s.measures.length}项于${dateCn(s.dueBy)}前到期或已逾期：`,
      s.measures.map(measureItem).join('；'),
      '。',
    );
  }
  const asks = [
    ...(s.deviations.length ? ['尽快报送偏差原因分析和纠偏措施'] : []),
    ...(s.measures.length ? ['按期落实整改措施并及时报送整改进展'] : []),
  ];
  p.push(`请你科室${asks.join('，')}。`);
  return p;
}

/** The section's tables: the deviations without an explanation, and the measures due. */
export function monitoringTables(s: NoticeMonitoring): Table[] {
  const tables: Table[] = [];
  if (s.deviations.length)
    tables.push({
      caption: '未报送偏差说明的预警',
      head: ['对象', '类型', '预警等级', '预警起始', '已持续工作日', '状态'],
      rows: s.deviations.map((d) => [
        d.subject.name,
        KIND_WORDS[d.subject.kind],
        { text: LEVEL_LABELS[d.level], level: d.level },
        dateCn(d.since),
        String(d.workingDaysOpen),
        EXPLANATION_STATUS_LABELS[d.status],
      ]),
      numeric: [4],
    });
  if (s.measures.length)
    tables.push({
      caption: '到期整改措施',
      head: ['整改措施', '对象', '到期日', '最新进展'],
      rows: s.measures.map((m) => [
        m.measure,
        m.subject.name,
        dateCn(m.due),
        m.overdue ? { text: measureStatusText(m), strong: true } : measureStatusText(m),
      ]),
    });
  return tables;
}

/** Robot lines of the section (one per item). */
export function monitoringRobotItems(s: NoticeMonitoring): Array<[string, Segment[]]> {
  return [
    ...s.deviations.map((d): [string, Segment[]] => ['未报送偏差说明', deviationItem(d)]),
    ...s.measures.map((m): [string, Segment[]] => ['到期整改措施', [measureItem(m)]]),
  ];
}

/* ---------------------------------------------------------------------------------------- */
/* Alerts                                                                                   */

/** "高标准农田建设项目背离预警（2025年7月）", "…背离预警解除（2025年8月）". */
export function monitoringAlertTitle(c: MonitoringAlertChange): string {
  const what = MONITORING_ALERT_TITLES[c.kind];
  return `${c.subjectName}${what}${c.change === 'cleared' ? '解除' : ''}（${c.year}年${c.month}月）`;
}

const pct = (v: string | null | undefined) => (v === null || v === undefined ? '—' : percent2(v));

/** The figures of a monitoring alert change as label–value rows (the document's table, the robots' lines). */
export function monitoringAlertRows(c: Pick<MonitoringOpenAlert, 'kind' | 'figures'>): Array<[string, Segment]> {
  const f = c.figures;
  const owner = f.unitName ?? '部门';
  switch (c.kind) {
    case 'divergence': {
      const d = f.divergence;
      return [
        ['项目名称', f.about.name],
        ['实施单位', owner],
        ['支出进度（执行率）', pct(d?.rate)],
        ['绩效目标平均完成率', pct(d?.completion)],
        ['相差（百分点）', d?.difference == null ? '—' : fixed2(d.difference)],
        ['背离阈值（百分点）', d ? fixed2(d.threshold) : '—'],
        ['背离类型', d?.direction ? DIVERGENCE_LABELS[d.direction] : '—'],
      ];
    }
    case 'unexplained': {
      const d = f.deviation;
      const x = d?.explanation;
      return [
        ['对象', `${f.about.name}（${KIND_WORDS[f.about.kind]}）`],
        ['所属科室', owner],
        ['当前等级', d?.level ? { text: LEVEL_LABELS[d.level], level: d.level } : '—'],
        ['预算执行率', pct(d?.rate)],
        ['预警起始', d?.since ? dateCn(d.since) : '—'],
        ['已持续工作日', d?.workingDaysOpen == null ? '—' : String(d.workingDaysOpen)],
        ['偏差说明', x ? `已报送（${dateCn(x.asOf)}，${CAUSE_LABELS[x.cause]}）` : '未报送'],
      ];
    }
    case 'target-at-risk': {
      const t = f.target;
      const p = t?.progress;
      return [
        ['绩效指标', f.about.name],
        ['实施单位', owner],
        ['年度指标值', t?.target ?? '—'],
        ['实际完成值', p ? `${p.actual}（截至${dateCn(p.asOf)}）` : '—'],
        ['全年预计完成值', p?.expectedYearEnd ?? '—'],
        ['完成目标可能性', p ? LIKELIHOOD_LABELS[p.likelihood] : '—'],
        ['风险判断起始日', t?.riskFrom ? dateCn(t.riskFrom) : '—'],
      ];
    }
  }
}
