import { gzipSync } from 'node:zlib';
import type { AnswerKind, AnswersRepository, StoredAnswer } from '#persistence/answers.repository.js';

/**
 * The format of precomputed answers (exec_answers.format, migration 0009). Bump it with any change
 * to what a stored answer (execution answer, standing, evaluation summary or report) holds or how
 * it is computed: answers stored by an earlier release then stop matching and are computed again
 * instead of being served. test/stored-answers.int.test.ts pins the reference sample's answers to this
 * number, so a change to them that forgets the bump fails there.
 */
export const ANSWER_FORMAT = 2;

/** An answer as it is stored: its JSON gzip-compressed, in this ANSWER_FORMAT, for the stream version it holds. */
export function storedAnswer(
  stream: string,
  kind: AnswerKind,
  params: string,
  version: number,
  value: unknown,
): StoredAnswer {
  return { stream, kind, params, format: ANSWER_FORMAT, version, body: gzipSync(JSON.stringify(value)) };
}

/** A stored answer wanted for the `index`-th item of a list. */
export interface WantedAnswer {
  index: number;
  stream: string;
  params: string;
  version: number;
}

/**
 * The stored bodies (gzip) of these answers in this ANSWER_FORMAT, read in one query, by index:
 * null where nothing matching is stored (AnswerCache.getMany's prefetch).
 */
export async function storedBodies(
  answers: AnswersRepository | null,
  kind: AnswerKind,
  wanted: readonly WantedAnswer[],
): Promise<Map<number, Buffer | null>> {
  const out = new Map<number, Buffer | null>();
  if (!answers || wanted.length === 0) return out;
  const found = await answers.findMany(kind, ANSWER_FORMAT, wanted);
  for (const w of wanted) out.set(w.index, found.get(w.stream) ?? null);
  return out;
}
