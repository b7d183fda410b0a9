import { Decimal } from '../decimal.js';
import { factsFromEvents } from '../execution/facts.js';
import type { DatedEvent } from '../execution/facts.js';
import { buildDepartmentNotice, buildUnitNotice } from './notice.js';
import { groupedAmount, wan } from '../format.js';
import { escapeHtml, renderNoticeHtml, renderNoticeMarkdown } from './render.js';
import { loadSample, rawFigures, rawPlan } from '../testing/sample.fixture.js';

const events = loadSample();
const facts = factsFromEvents(events);

describe('unit notice markdown, command, June 2023', () => {
  const n = buildUnitNotice(facts, { unit: 'command', month: 6 });
  const md = renderNoticeMarkdown(n);
  const raw = rawFigures(events, 'command', 6);

  test('title', () => {
    expect(md.split('\n')[0]).toBe('# 深圳市盐田区应急管理局2023年6月支出情况通报（应急指挥信息科）');
  });

  test('the lag sentence and the requirement', () => {
    expect(md).toContain(
      `截至6月末，预算执行率**${raw.rate!.toFixed(2)}%**，低于序时进度50.00%共${raw.lag!.toFixed(2)}个百分点，为**红色预警**`,
    );
    const needed = raw.budget.times('0.75').minus(raw.spent);
    expect(md).toContain(
      `需在9月30日前再支出**${groupedAmount(needed)}元（${wan(needed)}）**方可达到第三季度75%的进度要求`,
    );
  });

  test('amounts, plan vs actual, rank', () => {
    expect(md).toContain(`1—6月累计支出${groupedAmount(raw.spent)}元`);
    expect(md).toContain(`6月计划支出${groupedAmount(rawPlan(events, 'command', 6)!)}元`);
    expect(md).toContain(`| 6月实际支出 | ${groupedAmount(raw.spentMonth)}元 |`);
    expect(md).toContain(`7月计划支出${groupedAmount(rawPlan(events, 'command', 7)!)}元`);
    expect(md).toContain('在全局5个科室中排名第4');
    expect(md).toContain('| 预警等级 | **红色预警** |');
  });
});

describe('department notice', () => {
  const d = buildDepartmentNotice(facts, { month: 6 });
  const md = renderNoticeMarkdown(d);

  test('title, totals and the red units', () => {
    expect(md.split('\n')[0]).toBe('# 深圳市盐田区应急管理局2023年6月支出情况通报');
    expect(md).toContain('预算执行率**39.92%**，低于序时进度50.00%共10.08个百分点，为**红色预警**');
    expect(md).toContain('**红色预警**科室2个：应急指挥信息科（');
    expect(md).toContain('应急管理科（');
    expect(md).toMatch(/\| 4 \| 应急指挥信息科 \| 983\.08 \|/);
    expect(md).toMatch(/\| 5 \| 应急管理科 \|/);
  });

  test('HTML carries level colours', () => {
    const html = renderNoticeHtml(d);
    expect(html.startsWith('<section')).toBe(true);
    expect(html).toContain('<strong style="color:#c62828">红色预警</strong>');
    expect(html).toContain('<strong style="color:#2e7d32">正常</strong>');
  });
});

describe('escaping', () => {
  const evil = '<script>alert("x")</script> & \'q\'';
  const renamed = events.map((e) =>
    e.type === 'UnitRegistered' && e.data.unit === 'command'
      ? ({ ...e, data: { ...e.data, name: evil } } as DatedEvent)
      : e,
  );
  const f = factsFromEvents(renamed);

  test('HTML escapes <script> in a unit name (unit and department notices)', () => {
    for (const html of [
      renderNoticeHtml(buildUnitNotice(f, { unit: 'command', month: 6 })),
      renderNoticeHtml(buildDepartmentNotice(f, { month: 6 })),
    ]) {
      expect(html).not.toContain('<script');
      expect(html).not.toContain('"x"');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
      // Only the tags the renderer itself writes.
      const tags = new Set([...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1]));
      const allowed = ['caption', 'h2', 'p', 'section', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr'];
      for (const t of tags) expect(allowed).toContain(t);
    }
  });

  test('Markdown does not pass raw tags through', () => {
    const md = renderNoticeMarkdown(buildUnitNotice(f, { unit: 'command', month: 6 }));
    expect(md).not.toContain('<script');
    expect(md).toContain('&lt;script&gt;');
  });

  test('escapeHtml', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('green units and knownOn notes', () => {
  test('a unit ahead of schedule reads 高于序时进度 and 正常', () => {
    const n = buildUnitNotice(facts, { unit: 'disaster', month: 6 });
    const raw = rawFigures(events, 'disaster', 6);
    expect(raw.lag!.isNegative()).toBe(true);
    const md = renderNoticeMarkdown(n);
    expect(md).toContain(`高于序时进度50.00%共${raw.lag!.abs().toFixed(2)}个百分点，为**正常**`);
    expect(new Decimal(n.figures.rate!).gt(50)).toBe(true);
  });

  test('knownOn is stated', () => {
    const md = renderNoticeMarkdown(buildUnitNotice(facts, { unit: 'command', month: 6, knownOn: '2023-07-06' }));
    expect(md).toContain('数据截至2023年7月6日已登记的记录');
  });
});
