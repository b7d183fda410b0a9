/** Waiting for the precomputed answers (AnswerPrecomputer) through GET /api/v1/projections. */
import { now } from './common.js';
import { getJson } from './http.js';

export interface AnswerCoverage {
  streams: number;
  execution: number;
  standing: number;
  summary: number;
  evaluation: number;
}
export type ProjectionsStatus = { projections: { behind: number }[]; answers: AnswerCoverage };

export const answersComplete = (c: AnswerCoverage) =>
  c.execution === c.streams && c.standing === c.streams && c.summary === c.streams && c.evaluation === c.streams;

/** What is stored now. */
export async function answerCoverage(base: string): Promise<AnswerCoverage> {
  return (await getJson<ProjectionsStatus>(base, '/api/v1/projections')).answers;
}

/** Polls until every projected stream has all its answers stored, or `timeoutMs` from `since` passed. */
export async function waitForAnswers(
  base: string,
  since: number,
  timeoutMs = 15 * 60_000,
): Promise<{ coverage: AnswerCoverage; complete: boolean; seconds: number }> {
  for (;;) {
    const coverage = await answerCoverage(base);
    const complete = answersComplete(coverage);
    if (complete || now() - since > timeoutMs) return { coverage, complete, seconds: (now() - since) / 1000 };
    await new Promise((r) => setTimeout(r, 500));
  }
}
