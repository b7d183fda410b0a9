import { Controller, Get, Param, Query, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import type { EvaluationReport } from '#application/evaluation/evaluation.wire.js';
import { evaluationHtml } from '#application/evaluation/exports/evaluation-html.js';
import { chromiumAvailable, htmlToPdf, PdfUnavailableError } from '#application/evaluation/exports/evaluation-pdf.js';
import { evaluationFileName, evaluationXlsx } from '#application/evaluation/exports/evaluation-xlsx.js';
import { sendAnswer } from '../http/json-body.js';
import { parseDateParam, parseDepartment, parseYear } from '../http/params.js';
import { ReadAccess } from '../access/access.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PATH = 'departments/:department/years/:year';

/** RFC 6266 / RFC 5987: an ASCII fallback plus the UTF-8 name, percent-encoded. */
export function contentDisposition(kind: 'attachment' | 'inline', name: string, fallback: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encoded}`;
}

function send(
  res: Response,
  r: EvaluationReport,
  body: Buffer | string,
  type: string,
  ext: string,
  kind: 'attachment' | 'inline',
) {
  res.setHeader('Content-Type', type);
  res.setHeader(
    'Content-Disposition',
    contentDisposition(kind, evaluationFileName(r, ext), `${r.department}-${r.year}-self-evaluation.${ext}`),
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.status(200).send(body);
}

@Controller('api/v1')
@ReadAccess()
export class EvaluationController {
  constructor(private readonly evaluation: EvaluationService) {}

  private load(department: string, year: string, knownOn?: string, framework?: string): Promise<EvaluationReport> {
    return this.evaluation.evaluation(parseDepartment(department), parseYear(year), {
      knownOn: parseDateParam('knownOn', knownOn),
      framework,
    });
  }

  /** Sent as the bytes kept with the cached report (serialized and compressed once, not per request). */
  @Get(`${PATH}/evaluation`)
  async get(
    @Param('department') department: string,
    @Param('year') year: string,
    @Req() req: Request,
    @Res() res: Response,
    @Query('knownOn') knownOn?: string,
    @Query('framework') framework?: string,
  ) {
    sendAnswer(
      req,
      res,
      await this.evaluation.evaluationCached(parseDepartment(department), parseYear(year), {
        knownOn: parseDateParam('knownOn', knownOn),
        framework,
      }),
    );
  }

  @Get(`${PATH}/evaluation.xlsx`)
  async xlsx(
    @Param('department') department: string,
    @Param('year') year: string,
    @Res() res: Response,
    @Query('knownOn') knownOn?: string,
    @Query('framework') framework?: string,
  ) {
    const r = await this.load(department, year, knownOn, framework);
    send(res, r, await evaluationXlsx(r), XLSX_TYPE, 'xlsx', 'attachment');
  }

  @Get(`${PATH}/evaluation.html`)
  async html(
    @Param('department') department: string,
    @Param('year') year: string,
    @Res() res: Response,
    @Query('knownOn') knownOn?: string,
    @Query('framework') framework?: string,
  ) {
    const r = await this.load(department, year, knownOn, framework);
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    send(res, r, evaluationHtml(r), 'text/html; charset=utf-8', 'html', 'inline');
  }

  /** Offered when Chromium is installed; otherwise 503 saying so. */
  @Get(`${PATH}/evaluation.pdf`)
  async pdf(
    @Param('department') department: string,
    @Param('year') year: string,
    @Res() res: Response,
    @Query('knownOn') knownOn?: string,
    @Query('framework') framework?: string,
  ) {
    if (!chromiumAvailable())
      throw new ServiceUnavailableException({
        error: 'Service Unavailable',
        message: new PdfUnavailableError('/usr/bin/chromium').message,
      });
    const r = await this.load(department, year, knownOn, framework);
    send(res, r, await htmlToPdf(evaluationHtml(r)), 'application/pdf', 'pdf', 'attachment');
  }
}
