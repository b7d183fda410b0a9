import { mulberry32 } from '#test/support/event-generator.js';
import { SpendingIndex } from './spending-index.js';

/** Deterministic 32-bit words. */
function rng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => Math.floor(next() * 4294967296) >>> 0;
}

function uuid(next: () => number): string {
  const hex = [next(), next(), next(), next()].map((w) => w.toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('SpendingIndex', () => {
  it('answers nothing before anything is recorded', () => {
    const index = new SpendingIndex();
    expect(index.size).toBe(0);
    expect(index.get('dd514433-7c68-f415-d5c8-a03f83f21924')).toBeUndefined();
    expect(index.get('r1')).toBeUndefined();
    expect(index.has('r1')).toBe(false);
  });

  it('keeps 30,000 UUID ids and their lines through every growth of the table, as a Map does', () => {
    const next = rng(42);
    const index = new SpendingIndex();
    const reference = new Map<string, string>();
    for (let i = 0; i < 30_000; i++) {
      const id = uuid(next);
      const line = `line-${i % 42}`;
      index.set(id, line);
      reference.set(id, line);
    }
    expect(index.size).toBe(30_000);
    for (const [id, line] of reference) expect(index.get(id)).toBe(line);
    // Ids never recorded, including ones a single digit away from a recorded one.
    const misses = rng(7);
    for (let i = 0; i < 5_000; i++) expect(index.get(uuid(misses))).toBeUndefined();
    const [first] = reference.keys();
    const flipped = first!.slice(0, 35) + (first!.endsWith('0') ? '1' : '0');
    expect(index.get(flipped)).toBeUndefined();
  });

  it('tells apart ids that differ in one 32-bit word only (same hash neighbourhood)', () => {
    const index = new SpendingIndex();
    const ids = Array.from(
      { length: 64 },
      (_, i) => `00000000-0000-0000-0000-0000000000${i.toString(16).padStart(2, '0')}`,
    );
    ids.forEach((id, i) => index.set(id, `l${i}`));
    ids.forEach((id, i) => expect(index.get(id)).toBe(`l${i}`));
    expect(index.size).toBe(64);
  });

  it('keeps any other id exactly as written: upper-case UUIDs, short ids, 128 characters', () => {
    const index = new SpendingIndex();
    const lower = 'dd514433-7c68-f415-d5c8-a03f83f21924';
    const upper = lower.toUpperCase();
    const long = 'x'.repeat(128);
    index.set(lower, 'safety');
    index.set(upper, 'rescue');
    index.set('r1', 'safety');
    index.set(long, 'training');
    index.set('dd514433-7c68-f415-d5c8-a03f83f2192g', 'rescue'); // not hex: not a UUID
    index.set('dd5144337c68f415d5c8a03f83f21924xxxx', 'rescue'); // 36 characters, no dashes
    expect(index.size).toBe(6);
    expect(index.get(lower)).toBe('safety');
    expect(index.get(upper)).toBe('rescue');
    expect(index.get('r1')).toBe('safety');
    expect(index.get('R1')).toBeUndefined();
    expect(index.get(long)).toBe('training');
    expect(index.get('dd514433-7c68-f415-d5c8-a03f83f2192g')).toBe('rescue');
    expect(index.get('dd5144337c68f415d5c8a03f83f21924xxxx')).toBe('rescue');
  });

  it('records an id again on another line without counting it twice', () => {
    const index = new SpendingIndex();
    index.set('dd514433-7c68-f415-d5c8-a03f83f21924', 'safety');
    index.set('dd514433-7c68-f415-d5c8-a03f83f21924', 'rescue');
    index.set('r1', 'safety');
    index.set('r1', 'rescue');
    expect(index.size).toBe(2);
    expect(index.get('dd514433-7c68-f415-d5c8-a03f83f21924')).toBe('rescue');
    expect(index.get('r1')).toBe('rescue');
  });

  it('agrees with a Map over a mixed random sequence of records and lookups', () => {
    const next = rng(2023);
    const index = new SpendingIndex();
    const reference = new Map<string, string>();
    const seen: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = next() % 10;
      if (r < 5 || seen.length === 0) {
        const id = r % 2 === 0 ? uuid(next) : `spend-${next() % 100_000}`;
        const line = `l${next() % 7}`;
        index.set(id, line);
        reference.set(id, line);
        seen.push(id);
      } else {
        const id = r < 8 ? seen[next() % seen.length]! : uuid(next);
        expect(index.get(id)).toBe(reference.get(id));
      }
    }
    expect(index.size).toBe(reference.size);
  });
});
