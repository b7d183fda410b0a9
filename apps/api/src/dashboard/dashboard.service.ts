import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AccessDeniedError, InvalidInputError } from '#application/common/errors.js';
import { EventsService } from '#application/ingest/events.service.js';
import { MonitoringService } from '#application/monitoring/monitoring.service.js';
import { OverviewService, withMonitoring, type PageParams } from '#application/overview/overview.service.js';
import { canFile, unitLimit, type Principal } from '#domain/access.js';
import type { MonitoringAnswer } from '#application/monitoring/monitoring.wire.js';
import { checkForm, formValues, refusedByIngest, returnTo, type FormKind, type FormState } from './dashboard.forms.js';
import { departmentPageHtml, departmentsPageHtml, errorPageHtml, qs } from './dashboard.html.js';
import {
  monitoringSectionHtml,
  projectHref,
  projectPageHtml,
  type FormsAccess,
  type MonitoringQuery,
} from './dashboard.monitoring.html.js';

/** A page's parameters and, after a form, the confirmation or the refused form to show again. */
export interface PageOptions {
  filed?: FormKind;
  form?: FormState;
}

/** What a form post answers: a redirect to the page (filed), or a page with its status (refused). */
export type FormOutcome = { kind: 'redirect'; location: string } | { kind: 'page'; status: number; html: string };

const READ_ONLY = '当前密钥只能查看，不能填报（填报需要可写入本部门的密钥）。';
const CLOSED = '该年度已结账，不能再填报偏差说明、进度和整改进展。';

/** The dashboard's server-rendered pages, from the overview's read models and the monitoring answer. */
@Injectable()
export class DashboardService implements OnModuleInit {
  private found: MonitoringService | undefined;

  constructor(
    private readonly overview: OverviewService,
    private readonly events: EventsService,
    private readonly modules: ModuleRef,
  ) {}

  /**
   * The monitoring service lives in MonitoringModule, which the application module imports through
   * the monitoring routes' module without exporting it: found once, wherever it is provided (at
   * start-up, so that a missing one fails there).
   */
  onModuleInit(): void {
    void this.monitoring;
  }

  private get monitoring(): MonitoringService {
    const found = (this.found ??= this.modules.get(MonitoringService, { strict: false }));
    if (!found) throw new Error('MonitoringService is not provided (MonitoringModule)');
    return found;
  }

  async departmentsPage(principal: Principal, knownOn: string | undefined, today: string): Promise<string> {
    const refusal = '科室只读密钥只能查看本科室的数据，不能查看部门列表';
    // The roll-up's rows are those of the list (same streams, each year's default date, knownOn).
    const [list, rollup] = await Promise.all([
      this.overview.departmentsFor(principal, { knownOn }, today, refusal),
      this.monitoring.rollupFor(principal, { knownOn }, today),
    ]);
    return departmentsPageHtml({ ...list, departments: withMonitoring(list.departments, rollup.departments) });
  }

  /** Whether the principal gets the forms of this department-year, and for which unit. */
  private async access(principal: Principal, department: string, year: number, today: string): Promise<FormsAccess> {
    if (!canFile(principal, department)) return { kind: 'none', reason: READ_ONLY };
    const ctx = await this.monitoring.formContext(department, year);
    if (ctx.closed) return { kind: 'none', reason: CLOSED };
    return { kind: 'forms', ctx, unit: unitLimit(principal), today };
  }

  async departmentPage(
    principal: Principal,
    department: string,
    year: number,
    p: PageParams,
    today: string,
    o: PageOptions = {},
  ): Promise<string> {
    const q = { ...p, source: p.source ?? 'fiscal' };
    // The monitoring section must not take the page down: an answer it cannot give is said in it.
    const monitoring = this.monitoring.monitoring(department, year, { asOf: p.asOf, knownOn: p.knownOn }, today).then(
      (answer): { answer: MonitoringAnswer | null; error: string | null } => ({ answer, error: null }),
      (e: unknown) => ({ answer: null, error: e instanceof Error ? e.message : String(e) }),
    );
    const [page, { answer, error }, access] = await Promise.all([
      this.overview.departmentPage(department, year, q, today),
      monitoring,
      this.access(principal, department, year, today),
    ]);
    const section = monitoringSectionHtml({ department, year }, answer, error, p, access, {
      filed: o.filed ?? null,
      form: o.form ?? null,
    });
    return departmentPageHtml(page, q, section);
  }

  async projectPage(
    principal: Principal,
    department: string,
    year: number,
    task: string,
    q: MonitoringQuery,
    today: string,
    o: PageOptions = {},
  ): Promise<string> {
    const [detail, access] = await Promise.all([
      this.monitoring.projectDetail(principal, department, year, task, q, today),
      this.access(principal, department, year, today),
    ]);
    return projectPageHtml(detail, q, access, { filed: o.filed ?? null, form: o.form ?? null });
  }

  /**
   * Files a form: checked here (Chinese errors naming the field), within the key's unit for a key
   * limited to one, then submitted through the same ingest and access rules as POST /api/v1/events
   * (the id made here, occurredAt the day given by the caller). Filed: a redirect to the page it
   * came from with the confirmation, once the projection holds the new event (or after 2 s).
   * Refused: that page again (400) with the form as it was sent and its errors.
   */
  async file(
    principal: Principal,
    kind: FormKind,
    department: string,
    year: number,
    body: URLSearchParams,
    today: string,
  ): Promise<FormOutcome> {
    if (!canFile(principal, department))
      throw new AccessDeniedError(403, `this key may not file reports for department "${department}"`);
    const ctx = await this.monitoring.formContext(department, year);
    if (!ctx.opened)
      return { kind: 'page', status: 404, html: errorPageHtml(404, `未找到 ${department} ${year}年度（尚未开账）。`) };
    if (ctx.closed) return { kind: 'page', status: 400, html: errorPageHtml(400, CLOSED) };
    const values = formValues(body);
    const back = returnTo(values, ctx);
    const q: MonitoringQuery = { asOf: back.asOf, knownOn: back.knownOn };
    const again = async (state: FormState, status = 400): Promise<FormOutcome> => ({
      kind: 'page',
      status,
      html:
        back.task === null
          ? await this.departmentPage(principal, department, year, q, today, { form: state })
          : await this.projectPage(principal, department, year, back.task, q, today, { form: state }),
    });
    const checked = checkForm(kind, values, ctx, year);
    if (!checked.ok) return again(checked.state);
    const { filing } = checked;
    const unit = unitLimit(principal);
    if (unit !== null && filing.unit !== unit)
      return { kind: 'page', status: 403, html: errorPageHtml(403, `本密钥只能为本科室（${unit}）填报。`) };
    const event = { id: randomUUID(), type: filing.type, department, year, occurredAt: today, data: filing.data };
    let version: number;
    try {
      const result = await this.events.submit(principal, Buffer.from(JSON.stringify(event)), 'application/json');
      version = result.events[0]?.version ?? 0;
    } catch (e) {
      if (e instanceof InvalidInputError) return again(refusedByIngest(kind, values, e.errors));
      throw e;
    }
    await this.monitoring.waitProjected(department, year, version);
    const confirm = { ...q, filed: kind };
    return {
      kind: 'redirect',
      location:
        back.task === null
          ? `/dashboard/${encodeURIComponent(department)}/${year}${qs(confirm)}#monitoring`
          : `${projectHref(department, year, back.task, confirm)}#filed-message`,
    };
  }
}
