/**
 * The issued notices and alerts of a department-year as a principal may read them: a unit reader
 * sees only its own unit's; a notice comes as JSON, Markdown or a standalone HTML page.
 */
import { unitLimit, type Principal } from '#domain/access.js';
import { streamId } from '#domain/events.js';
import type { NoticesRepository } from '#persistence/notices.repository.js';
import { AccessDeniedError, NotFoundError } from '../common/errors.js';

export type NoticeFormat = 'json' | 'markdown' | 'html';
export type AlertStatus = 'open' | 'cleared' | 'all';

/** A notice in the format asked: the record (JSON) or a text document of its own type. */
export type NoticeDocument = { kind: 'json'; value: unknown } | { kind: 'text'; contentType: string; text: string };

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The unit a principal is limited to, and a 403 when it asks for another one. */
function ownUnit(principal: Principal, asked: string | undefined, what: string): string | null {
  const own = unitLimit(principal);
  if (own !== null && asked && asked !== own)
    throw new AccessDeniedError(403, `a unit reader sees only the ${what} of unit "${own}"`);
  return own;
}

export class NoticesService {
  constructor(private readonly notices: NoticesRepository) {}

  /** The closed months of the year. */
  async months(department: string, year: number) {
    return { months: await this.notices.months(streamId(department, year)) };
  }

  /** The notices issued (latest revision of each), without their bodies; by month and unit when asked. */
  async list(principal: Principal, department: string, year: number, filter: { month?: number; unit?: string }) {
    const own = ownUnit(principal, filter.unit, 'notices');
    const rows = await this.notices.listNotices(streamId(department, year), {
      month: filter.month,
      subject: own ?? (filter.unit || undefined),
    });
    return { notices: rows.map(({ markdown: _m, html: _h, content: _c, ...rest }) => rest) };
  }

  /** One notice (latest revision unless `revision`), in the format asked. */
  async notice(
    principal: Principal,
    department: string,
    year: number,
    subject: string,
    month: number,
    options: { revision?: number; format?: NoticeFormat },
  ): Promise<NoticeDocument> {
    const own = unitLimit(principal);
    if (own !== null && subject !== own)
      throw new AccessDeniedError(403, `a unit reader sees only the notices of unit "${own}"`);
    const id = `notice:${department}:${year}:${subject}:${month}`;
    const n = await this.notices.getNotice(id, options.revision);
    if (!n)
      throw new NotFoundError(
        `no notice ${id}${options.revision ? ` revision ${options.revision}` : ''}: has month ${month} been closed?`,
      );
    if (options.format === 'html') {
      const page = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(n.title)}</title></head><body>${n.html}</body></html>`;
      return { kind: 'text', contentType: 'text/html; charset=utf-8', text: page };
    }
    if (options.format === 'markdown')
      return { kind: 'text', contentType: 'text/markdown; charset=utf-8', text: n.markdown };
    return { kind: 'json', value: n };
  }

  /** Alerts raised and cleared (open ones first in their own list). */
  async alerts(
    principal: Principal,
    department: string,
    year: number,
    filter: { status?: AlertStatus; unit?: string },
  ) {
    const own = ownUnit(principal, filter.unit, 'alerts');
    const all = await this.notices.listAlerts(
      streamId(department, year),
      filter.status ?? 'all',
      own ?? (filter.unit || undefined),
    );
    return { open: all.filter((a) => a.status === 'open'), past: all.filter((a) => a.status === 'cleared') };
  }
}
