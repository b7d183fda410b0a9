import { parseArgs } from 'node:util';
import { shanghaiDate } from '#application/common/clock.js';
import { createServices } from '#application/services.js';
import { isIsoDate } from '#domain/dates.js';
import { UsageError, withDatabase, type Command } from '../context.js';

export const closeMonthCommand: Command = {
  usage:
    "close-month DEPARTMENT YEAR MONTH [--reissue --reason TEXT] [--known-on DATE]   issue the month's notices and alerts",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { reissue: { type: 'boolean' }, reason: { type: 'string' }, 'known-on': { type: 'string' } },
    });
    const [department, yearText, monthText] = positionals;
    if (!department || !yearText || !monthText) throw new UsageError('close-month needs DEPARTMENT YEAR MONTH');
    const year = Number(yearText);
    const month = Number(monthText);
    if (!Number.isInteger(year) || !Number.isInteger(month)) throw new UsageError('YEAR and MONTH must be numbers');
    const knownOn = values['known-on'];
    if (knownOn !== undefined && !isIsoDate(knownOn)) throw new UsageError('--known-on must be a date YYYY-MM-DD');
    return withDatabase(async (h) => {
      const s = createServices(h.db);
      const r = await s.monthClose.close(department, year, month, {
        reissue: values.reissue,
        reason: values.reason,
        knownOn: knownOn ?? null,
        closedBy: 'cli',
        today: shanghaiDate(new Date()),
      });
      console.log(
        `${r.stream} ${month}月: ${r.status === 'already-closed' ? '已关账（未重复发出）already closed, nothing re-sent' : r.status === 'reissued' ? '已重新发出 re-issued' : '已关账 closed'}`,
      );
      for (const n of r.notices) console.log(`  ${n.id} r${n.revision} ${n.title}`);
      for (const a of r.alerts.raised) console.log(`  预警 raised  ${a.message}`);
      for (const a of r.alerts.cleared) console.log(`  解除 cleared ${a.message}`);
      console.log(`  ${r.deliveries} deliveries queued (sent by the running API/worker)`);
      return 0;
    });
  },
};
