import { Injectable } from '@nestjs/common';
import { OverviewService, type PageParams } from '#application/overview/overview.service.js';
import type { Principal } from '#domain/access.js';
import { departmentPageHtml, departmentsPageHtml } from './dashboard.html.js';

/** The dashboard's server-rendered pages, from the overview's read models. */
@Injectable()
export class DashboardService {
  constructor(private readonly overview: OverviewService) {}

  async departmentsPage(principal: Principal, knownOn: string | undefined, today: string): Promise<string> {
    const refusal = '科室只读密钥只能查看本科室的数据，不能查看部门列表';
    return departmentsPageHtml(await this.overview.departmentsFor(principal, { knownOn }, today, refusal));
  }

  async departmentPage(department: string, year: number, p: PageParams, today: string): Promise<string> {
    const q = { ...p, source: p.source ?? 'fiscal' };
    return departmentPageHtml(await this.overview.departmentPage(department, year, q, today), q);
  }
}
