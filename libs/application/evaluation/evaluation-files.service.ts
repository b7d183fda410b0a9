/** The self-evaluation as files to download: the scoring table as xlsx, the report as HTML and PDF. */
import { UnavailableError } from '../common/errors.js';
import { evaluationHtml } from './exports/evaluation-html.js';
import { chromiumAvailable, CHROMIUM_PATH, htmlToPdf, PdfUnavailableError } from './exports/evaluation-pdf.js';
import { evaluationFileName, evaluationXlsx } from './exports/evaluation-xlsx.js';
import type { EvaluationParams, EvaluationService } from './evaluation.service.js';
import type { EvaluationReport } from './evaluation.wire.js';

/** A file as the API sends it. */
export interface Download {
  body: Buffer | string;
  contentType: string;
  /** The file's name (Chinese), and an ASCII name for clients that cannot take it. */
  fileName: string;
  asciiName: string;
  /** Shown in the browser (the HTML report, under the API's document policy) or saved. */
  disposition: 'attachment' | 'inline';
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function download(r: EvaluationReport, body: Buffer | string, contentType: string, ext: string): Download {
  return {
    body,
    contentType,
    fileName: evaluationFileName(r, ext),
    asciiName: `${r.department}-${r.year}-self-evaluation.${ext}`,
    disposition: 'attachment',
  };
}

export class EvaluationFilesService {
  constructor(private readonly evaluation: EvaluationService) {}

  async xlsx(department: string, year: number, p: EvaluationParams): Promise<Download> {
    const r = await this.evaluation.evaluation(department, year, p);
    return download(r, await evaluationXlsx(r), XLSX_TYPE, 'xlsx');
  }

  async html(department: string, year: number, p: EvaluationParams): Promise<Download> {
    const r = await this.evaluation.evaluation(department, year, p);
    return {
      ...download(r, evaluationHtml(r), 'text/html; charset=utf-8', 'html'),
      disposition: 'inline',
    };
  }

  /** Offered when Chromium is installed; otherwise a 503 saying so. */
  async pdf(department: string, year: number, p: EvaluationParams): Promise<Download> {
    if (!chromiumAvailable()) throw new UnavailableError(new PdfUnavailableError(CHROMIUM_PATH).message, false);
    const r = await this.evaluation.evaluation(department, year, p);
    return download(r, await htmlToPdf(evaluationHtml(r)), 'application/pdf', 'pdf');
  }
}
