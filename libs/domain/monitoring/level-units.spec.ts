import fc from 'fast-check';
import { Decimal, fromUnits, roundRate } from '../decimal.js';
import { standing } from '../execution/execution.js';
import type { StreamMeta } from '../execution/facts.js';
import { hundredths, hundredthsUp, levelOfUnits } from './level-units.js';

const meta = (yellow: string, red: string) =>
  ({ thresholds: { yellow, red, divergence: '10' }, year: 2025 }) as unknown as StreamMeta;

describe('alert levels in integer units', () => {
  test('given the edges of a 5/10 threshold, then the same levels as execution', () => {
    // 1000.00 budget (units of 0.01: 100000): spent 533.30 is 53.33 against 58.33: lag 5.00, yellow;
    // 533.31 is 53.3310 → 53.33 (half-up at the third decimal does not move it): yellow;
    // 533.35 is 53.335 → 53.34: lag 4.99, green; 483.30 is 48.33: lag 10.00, red.
    const t = { yellow: hundredthsUp(new Decimal(5)), red: hundredthsUp(new Decimal(10)) };
    const s = hundredths(new Decimal('58.33'));
    expect([53330n, 53331n, 53335n, 48330n, 48331n].map((spent) => levelOfUnits(spent, 100000n, s, t))).toEqual([
      'yellow',
      'yellow',
      'green',
      'red',
      'red',
    ]);
    expect(levelOfUnits(0n, 0n, s, t)).toBeNull(); // no budget: the Decimal path says null
    expect(levelOfUnits(-1n, 100n, s, t)).toBeNull();
  });

  test('for any spending, budget, schedule and thresholds, the level execution computes', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 14n }),
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 3 }),
        (spent, budget, scheduleH, yellowH, redExtra, scale) => {
          const schedule = new Decimal(scheduleH).div(100);
          // Thresholds with up to 3 decimals (yellow) to exercise the rounding up.
          const yellow = new Decimal(yellowH).div(1000).times(10 ** (3 - Math.min(scale, 3)));
          const red = yellow.plus(new Decimal(redExtra).div(100));
          const m = meta(yellow.toFixed(), red.toFixed());
          const expected = standing(
            m,
            { spent: fromUnits(spent, 2), budget: fromUnits(budget, 2) },
            roundRate(schedule),
          ).level;
          const got = levelOfUnits(spent, budget, hundredths(schedule), {
            yellow: hundredthsUp(yellow),
            red: hundredthsUp(red),
          });
          expect(got).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
