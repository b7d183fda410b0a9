/**
 * Test support (not production code): given/when/then specs of the write model without a database,
 * shaped like Emmett's DeciderSpecification (`DeciderSpecification.for(decider)` returns `given`).
 * Unlike Emmett, where decide turns a command into events, here the "command" is the event itself
 * and decide answers with the reasons it is refused, so the outcomes are thenAccepts / thenRejects
 * (and thenConflicts for an expectedVersion that does not match, which decide leaves to its caller).
 *
 *   const given = DeciderSpecification.for({ decide, evolve, initialState: initialStreamState });
 *   given([opened, office]).when(allocated).thenAccepts().thenState((s) => expect(s.lines.size).toBe(1));
 *   given([]).when(office).thenRejects([{ path: 'type', reason: /has no YearOpened yet/ }]);
 *
 * Every given event must itself be accepted by decide (and by `validate`, when given) at its place
 * in the history, so a spec cannot start from a state the service would never reach.
 */
import { expect } from '@jest/globals';
import type { EventInput } from '../events.js';
import type { FieldError } from '../validation.js';

export interface SpecifiedDecider<State extends { version: number }> {
  decide: (state: State, event: EventInput) => FieldError[];
  evolve: (state: State, event: EventInput) => State;
  initialState: () => State;
  /** Field validation that every given and `when` event must pass first (e.g. validateEvent's errors). */
  validate?: (event: EventInput) => FieldError[];
}

/** A jest asymmetric matcher such as `expect.stringContaining('…')`. */
export interface AsymmetricMatcher {
  asymmetricMatch(actual: unknown): boolean;
}

/** One expected error: the path exactly, the reason exactly (string), by RegExp or by an asymmetric matcher. */
export interface ExpectedError {
  path?: string;
  reason?: string | RegExp | AsymmetricMatcher;
}

export interface Accepted<State> {
  /** Runs `check` (assertions) on the state after the `when` event was folded in. */
  thenState(check: (state: State) => void): void;
}

export interface WhenSpecification<State> {
  /** decide finds nothing against the event and its expectedVersion (if any) matches; evolves it in. */
  thenAccepts(): Accepted<State>;
  /** decide refuses the event with exactly these errors, in this order. */
  thenRejects(expected: readonly ExpectedError[]): void;
  /** The event's expectedVersion is not the stream's version: a conflict for the caller (409), no decide errors. */
  thenConflicts(): void;
}

export interface GivenSpecification<State> {
  when(event: EventInput): WhenSpecification<State>;
  /** Runs `check` on the state folded from the given events alone. */
  thenState(check: (state: State) => void): void;
}

export type Given<State> = (events: readonly EventInput[]) => GivenSpecification<State>;

const describeEvent = (e: EventInput) => `${e.type} "${e.id}"`;
const list = (errors: readonly FieldError[]) => errors.map((e) => `${e.path || '(event)'}: ${e.reason}`).join('; ');
const conflicts = (version: number, e: EventInput) => e.expectedVersion !== undefined && e.expectedVersion !== version;

function specificationFor<State extends { version: number }>(decider: SpecifiedDecider<State>): Given<State> {
  const validated = (event: EventInput, role: string) => {
    const errors = decider.validate?.(event) ?? [];
    if (errors.length > 0) throw new Error(`${role} (${describeEvent(event)}) fails field validation: ${list(errors)}`);
  };

  /** decide on `state`, checking that it left the state alone (decide must be pure). */
  const decide = (state: State, event: EventInput) => {
    const version = state.version;
    const errors = decider.decide(state, event);
    if (state.version !== version) throw new Error(`decide changed the state's version on ${describeEvent(event)}`);
    return errors;
  };

  /** Folds the given events into a fresh state, failing on the first one the decider would refuse. */
  const fold = (events: readonly EventInput[]): State => {
    let state = decider.initialState();
    events.forEach((event, i) => {
      const role = `given event ${i + 1} of ${events.length}`;
      validated(event, role);
      if (conflicts(state.version, event)) {
        throw new Error(
          `${role} (${describeEvent(event)}) is refused: expectedVersion ${event.expectedVersion}, stream at ${state.version}`,
        );
      }
      const errors = decide(state, event);
      if (errors.length > 0) throw new Error(`${role} (${describeEvent(event)}) is refused by decide: ${list(errors)}`);
      state = decider.evolve(state, event);
    });
    return state;
  };

  return (givenEvents) => ({
    thenState: (check) => check(fold(givenEvents)),
    when: (event) => {
      const run = () => {
        const state = fold(givenEvents);
        validated(event, 'the when event');
        return { state, errors: decide(state, event), conflict: conflicts(state.version, event) };
      };
      return {
        thenAccepts: () => {
          const { state, errors, conflict } = run();
          if (conflict) {
            throw new Error(
              `expected ${describeEvent(event)} to be accepted, but its expectedVersion ${event.expectedVersion} conflicts with version ${state.version}`,
            );
          }
          if (errors.length > 0) {
            throw new Error(`expected ${describeEvent(event)} to be accepted, but decide refused it: ${list(errors)}`);
          }
          const evolved = decider.evolve(state, event);
          return { thenState: (check) => check(evolved) };
        },
        thenRejects: (expected) => {
          if (expected.length === 0)
            throw new Error('thenRejects needs at least one expected error (else thenAccepts)');
          const { errors } = run();
          if (errors.length === 0)
            throw new Error(`expected ${describeEvent(event)} to be refused, but decide accepted it`);
          expect(errors).toEqual(expected.map(matcherOf));
        },
        thenConflicts: () => {
          const { state, errors, conflict } = run();
          if (!conflict) {
            throw new Error(
              `expected a version conflict, but ${describeEvent(event)} has expectedVersion ${event.expectedVersion} and the stream is at ${state.version}`,
            );
          }
          expect(errors).toEqual([]);
        },
      };
    },
  });
}

function matcherOf(e: ExpectedError) {
  return expect.objectContaining({
    ...(e.path !== undefined ? { path: e.path } : {}),
    ...(e.reason !== undefined
      ? { reason: e.reason instanceof RegExp ? expect.stringMatching(e.reason) : e.reason }
      : {}),
  });
}

export const DeciderSpecification = { for: specificationFor };
