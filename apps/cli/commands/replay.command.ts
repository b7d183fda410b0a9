import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { shanghaiDate } from '#application/common/clock.js';
import { ingestLines } from '#application/ingest/file-ingest.js';
import { createServices } from '#application/services.js';
import { monthKey } from '#domain/dates.js';
import { percent2, yuan } from '#domain/format.js';
import { renderNoticeMarkdown } from '#domain/notices/render.js';
import type { Notice } from '#domain/notices/notice.js';
import { LEVEL_LABELS } from '#domain/notices/notice.js';
import { migrate, openDatabase } from '#persistence/db.js';
import { UsageError, withDatabase, type Command } from '../context.js';

/** The date a month is closed on in a replay: day `closeDay` of the following month. */
export function closeDateOf(year: number, month: number, closeDay: number): string {
  const next = month === 12 ? monthKey(year + 1, 1) : monthKey(year, month + 1);
  return `${next}-${String(closeDay).padStart(2, '0')}`;
}

export const replayCommand: Command = {
  usage:
    'replay FILE.jsonl --close-months [--close-day N] [--full] [--persist]   replay a year: notices and alerts month by month',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'close-months': { type: 'boolean' },
        'close-day': { type: 'string' },
        full: { type: 'boolean' },
        persist: { type: 'boolean' },
      },
    });
    const file = positionals[0];
    if (!file) throw new UsageError('replay needs a file: paceline replay FILE.jsonl --close-months');
    const closeDay = Number(values['close-day'] ?? '5');
    if (!Number.isInteger(closeDay) || closeDay < 1 || closeDay > 28) throw new UsageError('--close-day must be 1..28');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const run = async (db: Parameters<typeof createServices>[0]) => {
      const s = createServices(db);
      const summary = await ingestLines(text.split('\n'), (b) => s.ingest.ingest(b));
      console.log(
        `# 回放 replay of ${file}: ${summary.accepted} new, ${summary.duplicates} duplicates, ${summary.rejected.length} rejected`,
      );
      for (const r of summary.rejected) console.log(`  line ${r.line}: ${r.path} ${r.reason}`);
      await s.projector.catchUp();
      if (!values['close-months']) return 0;
      const streams = await s.executionRepo.listStreams();
      const today = shanghaiDate(new Date());
      let raised = 0;
      let notices = 0;
      for (const st of streams) {
        for (let month = 1; month <= 12; month++) {
          const knownOn = closeDateOf(st.year, month, closeDay);
          if (knownOn > today) break;
          const r = await s.monthClose.close(st.department, st.year, month, { knownOn, closedBy: 'replay', today });
          console.log(`\n## ${st.departmentName} ${st.year}年${month}月 — 关账日 ${knownOn}（${r.status}）`);
          for (const n of r.notices) {
            const issued = await s.notices.getNotice(n.id, n.revision);
            if (!issued) throw new Error(`notice ${n.id} revision ${n.revision} was issued but cannot be read back`);
            const content = issued.content as Notice;
            notices++;
            if (content.kind === 'department' || values.full) {
              console.log(`\n${renderNoticeMarkdown(content)}`);
            } else {
              const f = content.figures;
              console.log(
                `- ${content.unitName}：累计支出 ${yuan(f.spentCumulative)}，执行率 ${f.rate === null ? '—' : percent2(f.rate)}，序时进度 ${percent2(f.schedule)}，滞后 ${f.lag ?? '—'} 个百分点，${f.level ? LEVEL_LABELS[f.level] : '无预算'}，排名 ${content.rank.position}/${content.rank.of}`,
              );
            }
          }
          for (const a of r.alerts.raised) {
            raised++;
            console.log(`⚠ 预警 ${a.message}`);
          }
          for (const a of r.alerts.cleared) console.log(`✓ 解除 ${a.message}`);
        }
      }
      console.log(`\n# ${notices} notices issued, ${raised} alerts raised`);
      return 0;
    };
    if (values.persist) return withDatabase((h) => run(h.db));
    const h = await openDatabase({ dataDir: 'memory://' });
    try {
      await migrate(h.db);
      return await run(h.db);
    } finally {
      await h.close();
    }
  },
};
