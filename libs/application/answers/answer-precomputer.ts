/**
 * Precomputes each projected stream's default answers (execution as of the default date and its
 * standing, the self-evaluation's summary and report with the default framework) and stores them
 * through the answer store, so that an API process answers a department it has not computed yet
 * with one row lookup instead of loading and folding the stream.
 *
 * Runs where the projector runs (the worker in production), every PRECOMPUTE_MS. A stream is
 * computed once its projected version stayed the same from one pass to the next (a department
 * being loaded is not recomputed at every projector batch), and again when its version, its
 * default "as of" (today, for the current year) or the answer format changes. While the log is
 * moving (some stream changed since the previous pass) a pass computes for at most `busyBudgetMs`
 * and leaves the rest for later passes, so precomputing does not slow a large load down. Answers
 * are computed from one snapshot of the read model and stored only if that model has not changed
 * since (AnswersRepository.save), so an answer never holds events of another version.
 */
import type { AnswerKind, AnswerState, Precomputed } from '#persistence/answers.repository.js';
import type { AnswerStore } from './answer-store.js';
import { ANSWER_FORMAT } from './answer-format.js';
import type { EvaluationService } from '../evaluation/evaluation.service.js';
import type { ExecutionService } from '../execution/execution.service.js';

/**
 * What a pass computes, task by task over every stream (the most asked and cheapest first: the
 * department list is whole before the reports are), and the answers each task stores.
 */
const TASKS = [
  { name: 'execution', kinds: ['execution', 'standing'] },
  { name: 'summary', kinds: ['summary'] },
  { name: 'evaluation', kinds: ['evaluation'] },
] as const satisfies readonly { name: string; kinds: readonly AnswerKind[] }[];
type Task = (typeof TASKS)[number];

/** Counted in answers (the execution task stores two). */
export interface PrecomputePass {
  /** Answers computed and stored. */
  stored: number;
  /** Answers out of date and left for a later pass (their stream is still changing). */
  waiting: number;
  /** Answers whose computation failed (not tried again until the stream changes). */
  failed: number;
  /** Some stream changed since the previous pass (the pass kept to its busy budget). */
  moving: boolean;
}

export interface PrecomputerOptions {
  /** Most milliseconds a pass computes while the log is moving (default: no limit). */
  busyBudgetMs?: number;
}

export interface PrecomputerLogger {
  warn(message: string): void;
}

export class AnswerPrecomputer {
  /** The projected version of each stream at the previous pass. */
  private readonly seen = new Map<string, number>();
  /** `${task}:${stream}` → the version whose computation failed. */
  private readonly failedAt = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly answers: AnswerStore,
    private readonly execution: ExecutionService,
    private readonly evaluation: EvaluationService,
    private readonly logger: PrecomputerLogger = { warn: () => undefined },
    private readonly options: PrecomputerOptions = {},
  ) {}

  /** Ends a running pass after the answer being computed. */
  stop(): void {
    this.stopping = true;
  }

  private wanted(task: Task, s: AnswerState, today: string): string {
    return task.name === 'execution'
      ? this.execution.defaultParamsKey(s.year, today)
      : this.evaluation.defaultParamsKey();
  }

  /** Some answer of the task is missing, or stored for another version, format or parameters. */
  private outOfDate(task: Task, s: AnswerState, today: string): boolean {
    const params = this.wanted(task, s, today);
    return task.kinds.some((kind) => {
      const have = s.stored[kind];
      return !have || have.version !== s.projectedVersion || have.format !== ANSWER_FORMAT || have.params !== params;
    });
  }

  private compute(task: Task, s: AnswerState, today: string): Promise<Precomputed | null> {
    if (task.name === 'execution') return this.execution.precompute(s.department, s.year, today);
    return task.name === 'summary'
      ? this.evaluation.precomputeSummary(s.department, s.year)
      : this.evaluation.precompute(s.department, s.year);
  }

  /**
   * One pass over every projected stream: stores the answers that are out of date, for streams
   * whose version has not moved since the previous pass (all of them with `settle` false), task by
   * task (TASKS): every stream's execution answer and standing, then every summary, then every
   * report.
   */
  async run(today: string, settle = true): Promise<PrecomputePass> {
    this.stopping = false;
    const started = Date.now();
    const states = await this.answers.states();
    const settled = new Set<string>();
    for (const s of states) if (!settle || this.seen.get(s.stream) === s.projectedVersion) settled.add(s.stream);
    const moving = states.some((s) => this.seen.get(s.stream) !== s.projectedVersion);
    this.seen.clear();
    for (const s of states) this.seen.set(s.stream, s.projectedVersion);
    const deadline = moving && this.options.busyBudgetMs !== undefined ? started + this.options.busyBudgetMs : Infinity;
    const pass: PrecomputePass = { stored: 0, waiting: 0, failed: 0, moving };
    for (const task of TASKS) {
      const n = task.kinds.length;
      for (const s of states) {
        if (!this.outOfDate(task, s, today)) continue;
        const key = `${task.name}:${s.stream}`;
        if (this.failedAt.get(key) === s.projectedVersion) continue;
        if (!settled.has(s.stream) || this.stopping || Date.now() >= deadline) {
          pass.waiting += n;
          continue;
        }
        try {
          const p = await this.compute(task, s, today);
          // Not stored when the read model moved meanwhile: the next pass sees the new version.
          if (p && (await this.answers.save(p))) pass.stored += p.answers.length;
          else pass.waiting += n;
          this.failedAt.delete(key);
        } catch (e) {
          this.failedAt.set(key, s.projectedVersion);
          pass.failed += n;
          this.logger.warn(
            `precomputing the ${task.name} answer of ${s.stream} at version ${s.projectedVersion} failed: ${(e as Error).message}`,
          );
        }
      }
    }
    return pass;
  }
}
