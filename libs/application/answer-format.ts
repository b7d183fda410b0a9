/**
 * The format of precomputed answers (exec_answers.format, migration 0009). Bump it with any change
 * to what an execution or evaluation answer holds or how it is computed: answers stored by an
 * earlier release then stop matching and are computed again instead of being served.
 * test/stored-answers.test.ts pins the reference sample's answers to this number, so a change to
 * them that forgets the bump fails there.
 */
export const ANSWER_FORMAT = 1;
