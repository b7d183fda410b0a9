import { lastDayOfMonth } from '../dates.js';
import { executionReport } from '../execution/execution.js';
import { factsFromEvents } from '../execution/facts.js';
import type { DatedEvent } from '../execution/facts.js';
import { evaluateAlerts } from './alerts.js';
import {
  TRUNCATION_MARKER,
  WECOM_MAX_BYTES,
  dingtalkPayload,
  logLine,
  maskRecipients,
  maskTarget,
  robotText,
  truncateUtf8,
  utf8Length,
  webhookPayload,
  wecomPayload,
} from './channels.js';
import { buildDepartmentNotice, buildUnitNotice } from './notice.js';
import { renderNoticeHtml, renderNoticeMarkdown } from './render.js';
import { loadSample } from '../testing/sample.fixture.js';

const events = loadSample();
const facts = factsFromEvents(events);
const notice = buildUnitNotice(facts, { unit: 'command', month: 6 });
const dept = buildDepartmentNotice(facts, { month: 6 });
const feb = evaluateAlerts(
  evaluateAlerts([], executionReport(facts, { asOf: '2023-01-31', source: 'fiscal' }), { month: 1, date: '2023-01-31' })
    .open,
  executionReport(facts, { asOf: lastDayOfMonth(2023, 2), source: 'fiscal' }),
  { month: 2, date: '2023-02-28' },
);
const redRaised = feb.raised.find((c) => c.subject === 'command' && c.kind === 'level')!;

describe('generic webhook', () => {
  test('notice payload', () => {
    const p = webhookPayload(notice);
    expect(p).toMatchObject({
      kind: 'notice',
      id: 'notice:yantian-emergency:2023:command:6',
      department: 'yantian-emergency',
      year: 2023,
      unit: 'command',
      month: 6,
      title: '深圳市盐田区应急管理局2023年6月支出情况通报（应急指挥信息科）',
    });
    expect(p.markdown).toBe(renderNoticeMarkdown(notice));
    expect(p.html).toBe(renderNoticeHtml(notice));
    expect(p.figures).toMatchObject({
      rate: notice.figures.rate,
      lag: notice.figures.lag,
      level: 'red',
      rank: notice.rank,
    });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p); // plain JSON
    expect(webhookPayload(dept).unit).toBeNull();
  });

  test('alert payload', () => {
    const p = webhookPayload(redRaised);
    expect(p).toMatchObject({
      kind: 'alert',
      id: 'alert:yantian-emergency:2023:command:level:red:2',
      unit: 'command',
      month: 2,
    });
    expect(p.title).toBe('应急指挥信息科预算执行红色预警（2023年2月）');
    expect(p.figures).toMatchObject({
      rate: '0.00',
      schedule: '16.67',
      level: 'red',
      alert: { change: 'raised', reason: 'escalated' },
    });
    expect(p.markdown).toContain(redRaised.message);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});

describe('WeCom robot', () => {
  test('markdown with level colours, within 4096 bytes', () => {
    const p = wecomPayload(notice);
    expect(p.msgtype).toBe('markdown');
    const c = p.markdown.content;
    expect(utf8Length(c)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(c).toContain('<font color="warning">红色预警</font>');
    expect(c).not.toContain('|'); // no tables
    expect(wecomPayload(dept).markdown.content).toContain('<font color="info">正常</font>');
    expect(wecomPayload(redRaised).markdown.content).toContain('<font color="warning">红色预警</font>');
  });

  test('long content is cut at a line boundary within 4096 bytes, font tags balanced', () => {
    const base = events.find((e) => e.type === 'UnitRegistered')!;
    const many = Array.from(
      { length: 120 },
      (_, i) =>
        ({
          ...base,
          id: `u${i}`,
          data: { unit: `u${i}`, name: `临时科室第${i}号（用于测试长消息截断）` },
        }) as DatedEvent,
    );
    const f = factsFromEvents([...events.slice(0, 6), ...many, ...events.slice(6)]);
    const c = wecomPayload(buildDepartmentNotice(f, { month: 6 })).markdown.content;
    expect(utf8Length(c)).toBeLessThanOrEqual(4096);
    expect(c.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(c.split('<font').length).toBe(c.split('</font>').length);
    expect(c).not.toContain('\uFFFD');
    expect(c.startsWith('### 深圳市盐田区应急管理局2023年6月支出情况通报')).toBe(true);
  });

  test('truncateUtf8 never splits a character', () => {
    const text = '预算执行'.repeat(2000);
    const cut = truncateUtf8(text, 100, '…');
    expect(utf8Length(cut)).toBeLessThanOrEqual(100);
    expect(cut.endsWith('…')).toBe(true);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
    expect(truncateUtf8('short', 100)).toBe('short');
  });

  test('markup characters in names are neutralised', () => {
    expect(robotText('<font color="warning">**x**</font>')).toBe('＜font color="warning"＞＊＊x＊＊＜/font＞');
  });
});

describe('DingTalk robot', () => {
  test('markdown with title and text, no font tags', () => {
    const p = dingtalkPayload(notice);
    expect(p.msgtype).toBe('markdown');
    expect(p.markdown.title).toBe('深圳市盐田区应急管理局2023年6月支出情况通报（应急指挥信息科）');
    expect(p.markdown.text).toContain('**红色预警**');
    expect(p.markdown.text).not.toContain('<font');
    expect(p.markdown.text).toContain('> 6月计划/实际：905,566.69元 / 823,242.45元');
  });
});

describe('log line', () => {
  test('notice and alert', () => {
    expect(logLine(notice)).toBe(
      'event=notice id=notice:yantian-emergency:2023:command:6 department=yantian-emergency year=2023 unit=command month=6 ' +
        `budget=${notice.figures.budget} spent=${notice.figures.spentCumulative} rate=${notice.figures.rate} schedule=50.00 ` +
        `lag=${notice.figures.lag} level=red rank=4/5 title=深圳市盐田区应急管理局2023年6月支出情况通报（应急指挥信息科）`,
    );
    const line = logLine(redRaised);
    expect(line).toContain('event=alert.raised id=alert:yantian-emergency:2023:command:level:red:2');
    expect(line).toContain('reason=escalated');
    expect(line).not.toContain('\n');
  });
});

describe('recipients without secrets', () => {
  test('a webhook shows its scheme and host; a robot its host and the last 4 characters of its key', () => {
    expect(maskTarget('webhook', 'https://user:pw@hooks.example.com:8443/in/abc?token=s3cret#x')).toBe(
      'https://hooks.example.com:8443',
    );
    expect(
      maskTarget('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa3f2a'),
    ).toBe('qyapi.weixin.qq.com … key=••••3f2a');
    expect(maskTarget('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=a1b2c3d4e5f6a7b8')).toBe(
      'oapi.dingtalk.com … access_token=••••a7b8',
    );
    expect(maskTarget('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=short')).toBe(
      'qyapi.weixin.qq.com … key=••••',
    );
    expect(maskTarget('log', null)).toBeNull();
    expect(maskTarget('webhook', 'not a url')).toBe('••••');
  });

  test('recipients stored with their URL are masked; masked ones are kept', () => {
    expect(
      maskRecipients([
        {
          subscription: 1,
          channel: 'wecom',
          url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0000000000009f3a',
        },
        { subscription: 2, channel: 'log', url: null },
        { subscription: 3, channel: 'webhook', target: 'https://hooks.example.com' },
      ]),
    ).toEqual([
      { subscription: 1, channel: 'wecom', target: 'qyapi.weixin.qq.com … key=••••9f3a' },
      { subscription: 2, channel: 'log', target: null },
      { subscription: 3, channel: 'webhook', target: 'https://hooks.example.com' },
    ]);
    expect(maskRecipients(null)).toEqual([]);
  });
});
