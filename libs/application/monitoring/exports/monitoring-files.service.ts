/**
 * The monitoring answers as files to download: the monitoring table (绩效运行监控表) of a
 * department-year as xlsx, HTML and PDF (the same answer, parameters and access as the JSON: a
 * unit reader gets its own unit's projects), and the finance bureau's roll-up as xlsx.
 */
import type { Principal } from '#domain/access.js';
import { UnavailableError } from '../../common/errors.js';
import type { Download } from '../../evaluation/evaluation-files.service.js';
import {
  chromiumAvailable,
  CHROMIUM_PATH,
  htmlToPdf,
  PdfUnavailableError,
} from '../../evaluation/exports/evaluation-pdf.js';
import type { MonitoringParams, MonitoringService, RollupParams } from '../monitoring.service.js';
import type { MonitoringAnswer } from '../monitoring.wire.js';
import { monitoringHtml } from './monitoring-html.js';
import {
  monitoringAsciiName,
  monitoringFileName,
  monitoringXlsx,
  rollupFileName,
  rollupXlsx,
} from './monitoring-xlsx.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function download(a: MonitoringAnswer, body: Buffer | string, contentType: string, ext: string): Download {
  return {
    body,
    contentType,
    fileName: monitoringFileName(a, ext),
    asciiName: monitoringAsciiName(a, ext),
    disposition: 'attachment',
  };
}

export class MonitoringFilesService {
  constructor(private readonly monitoring: MonitoringService) {}

  private async answer(
    principal: Principal,
    department: string,
    year: number,
    p: MonitoringParams,
    today: string,
  ): Promise<MonitoringAnswer> {
    return (await this.monitoring.monitoringFor(principal, department, year, p, today)).value;
  }

  async xlsx(principal: Principal, department: string, year: number, p: MonitoringParams, today: string) {
    const a = await this.answer(principal, department, year, p, today);
    return download(a, await monitoringXlsx(a), XLSX_TYPE, 'xlsx');
  }

  async html(principal: Principal, department: string, year: number, p: MonitoringParams, today: string) {
    const a = await this.answer(principal, department, year, p, today);
    return { ...download(a, monitoringHtml(a), 'text/html; charset=utf-8', 'html'), disposition: 'inline' as const };
  }

  /** Offered when Chromium is installed; otherwise a 503 saying so (the HTML can be printed instead). */
  async pdf(principal: Principal, department: string, year: number, p: MonitoringParams, today: string) {
    if (!chromiumAvailable())
      throw new UnavailableError(
        new PdfUnavailableError(CHROMIUM_PATH).message.replace('…/evaluation.html', '…/monitoring.html'),
        false,
      );
    const a = await this.answer(principal, department, year, p, today);
    return download(a, await htmlToPdf(monitoringHtml(a)), 'application/pdf', 'pdf');
  }

  /** The roll-up as one sheet, worst first (unit readers are refused, as for the JSON). */
  async rollupXlsx(principal: Principal, p: RollupParams, today: string): Promise<Download> {
    const r = await this.monitoring.rollupFor(principal, p, today);
    return { body: await rollupXlsx(r), contentType: XLSX_TYPE, ...rollupFileName(r), disposition: 'attachment' };
  }
}
