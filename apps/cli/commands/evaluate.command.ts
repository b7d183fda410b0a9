import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InvalidInputError, NotFoundError } from '#application/common/errors.js';
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { evaluationHtml } from '#application/evaluation/exports/evaluation-html.js';
import { evaluationText } from '#application/evaluation/exports/evaluation-text.js';
import { evaluationXlsx } from '#application/evaluation/exports/evaluation-xlsx.js';
import { isIsoDate } from '#domain/dates.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { UsageError, withDatabase, type Command } from '../context.js';

export const evaluateCommand: Command = {
  usage:
    'evaluate DEPARTMENT YEAR [--xlsx FILE] [--html FILE] [--json] [--known-on DATE] [--framework ID]   year-end self-evaluation (评分表)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        xlsx: { type: 'string' },
        html: { type: 'string' },
        json: { type: 'boolean' },
        'known-on': { type: 'string' },
        framework: { type: 'string' },
      },
    });
    const [department, yearText] = positionals;
    if (!department || !yearText || positionals.length > 2)
      throw new UsageError('evaluate needs a department and a year: paceline evaluate yantian-emergency 2023');
    if (!/^[a-z0-9-]{1,64}$/.test(department))
      throw new UsageError(`department must match [a-z0-9-]{1,64}, got "${department}"`);
    const year = Number(yearText);
    if (!/^\d{4}$/.test(yearText) || year < 2000 || year > 2100)
      throw new UsageError(`year must be between 2000 and 2100, got "${yearText}"`);
    const knownOn = values['known-on'];
    if (knownOn !== undefined && !isIsoDate(knownOn))
      throw new UsageError(`--known-on must be a date YYYY-MM-DD, got "${knownOn}"`);

    const report = await withDatabase((h) =>
      new EvaluationService(
        new EventsRepository(h.db),
        new ExecutionRepository(h.db),
        new ProjectionFeedRepository(h.db),
      ).evaluation(department, year, { knownOn, framework: values.framework }),
    ).catch((e: unknown) => {
      if (e instanceof InvalidInputError) throw new UsageError(e.message);
      if (e instanceof NotFoundError) return null;
      throw e;
    });
    if (!report) {
      console.error(
        `paceline: no opened year ${year} for department "${department}"${knownOn ? ` as known on ${knownOn}` : ''}`,
      );
      return 1;
    }
    if (values.xlsx) {
      writeFileSync(values.xlsx, await evaluationXlsx(report));
      console.error(`自评表/评分表 written to ${values.xlsx}`);
    }
    if (values.html) {
      writeFileSync(values.html, evaluationHtml(report), 'utf8');
      console.error(`报告 report written to ${values.html}`);
    }
    console.log(values.json ? JSON.stringify(report, null, 2) : evaluationText(report));
    return 0;
  },
};
