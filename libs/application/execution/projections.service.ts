import type { AnswerStore } from '../answers/answer-store.js';
import type { ExecutionProjector } from './execution.projector.js';

/** How current the read side is: the projector's position and lag, and how many default answers are precomputed. */
export class ProjectionsService {
  constructor(
    private readonly projector: ExecutionProjector,
    private readonly answers: AnswerStore,
  ) {}

  async status() {
    const [projection, answers] = await Promise.all([this.projector.status(), this.answers.coverage()]);
    return { projections: [projection], answers };
  }
}
