import { initialStreamState, type StreamState } from '#domain/stream.js';
import { WriteModelCache, writeModelSize } from './write-model-cache.js';

/** A write model holding `spending` SpendingRecorded ids. */
function model(spending: number, version = spending): StreamState {
  const s = initialStreamState();
  s.version = version;
  for (let i = 0; i < spending; i++) s.spending.set(`r${i}`, 'l1');
  return s;
}

describe('WriteModelCache', () => {
  test('size counts every entry a write model keeps, plus one', () => {
    const s = model(3);
    s.units.add('u1');
    s.lines.set('l1', {} as never);
    s.tasks.set('t1', { completed: false, kind: 'key_work', unit: 'u1' });
    s.measures.set('m1', null);
    s.indicators.add('i1');
    expect(writeModelSize(s)).toBe(1 + 3 + 1 + 1 + 1 + 1 + 1);
  });

  test('bounded by stream count: the least recently used goes first', () => {
    const c = new WriteModelCache({ maxStreams: 3, maxEntries: 1_000_000 });
    for (const s of ['a', 'b', 'c']) c.set(s, model(1));
    c.get('a'); // a is now the most recently used
    c.set('d', model(1));
    expect(['a', 'b', 'c', 'd'].filter((s) => c.has(s))).toEqual(['a', 'c', 'd']);
    expect(c.size).toBe(3);
  });

  test('bounded by total entries: city-sized write models push out older ones', () => {
    const c = new WriteModelCache({ maxStreams: 2000, maxEntries: 25_000 });
    for (let i = 0; i < 10; i++) c.set(`city-${i}`, model(10_000));
    // 10,001 entries each: only two fit under 25,000.
    expect(c.size).toBe(2);
    expect(c.totalEntries).toBe(20_002);
    expect(c.has('city-8') && c.has('city-9')).toBe(true);
    // Small streams fill what is left.
    for (let i = 0; i < 100; i++) c.set(`small-${i}`, model(10));
    expect(c.totalEntries).toBeLessThanOrEqual(25_000);
    expect(c.has('small-99')).toBe(true);
  });

  test('a model stored again after evolving is re-counted', () => {
    const c = new WriteModelCache({ maxEntries: 100 });
    const s = model(10);
    c.set('a', s);
    expect(c.totalEntries).toBe(11);
    for (let i = 10; i < 50; i++) s.spending.set(`r${i}`, 'l1');
    c.set('a', s);
    expect(c.totalEntries).toBe(51);
    c.set('b', model(60));
    // b (61) pushed out a (51): 112 > 100.
    expect(c.has('a')).toBe(false);
    expect(c.totalEntries).toBe(61);
    c.delete('b');
    expect(c.totalEntries).toBe(0);
  });

  test('the model just stored stays even when it alone is over the limit', () => {
    const c = new WriteModelCache({ maxEntries: 100 });
    c.set('a', model(10));
    c.set('huge', model(500));
    expect(c.has('huge')).toBe(true);
    expect(c.has('a')).toBe(false);
    expect(c.get('huge')!.spending.size).toBe(500);
  });
});
