import { gunzipSync, gzipSync } from 'node:zlib';
import { AnswerCache, GZIP_MIN_BYTES, GzipJson } from './answer-cache.js';

const value = (n: number, pad = 0) => ({ n, pad: 'x'.repeat(pad) });
/** Approximate bytes of an entry of ASCII JSON: 3 per character for the object plus its bytes (answer-cache.ts). */
const bytesOf = (v: unknown) => 4 * JSON.stringify(v).length;

describe('AnswerCache', () => {
  test('computes once per key and answers repeats with the same frozen object and its JSON', async () => {
    const cache = new AnswerCache<{ n: number; pad: string; list: number[] }>();
    let computed = 0;
    const compute = async () => ((computed += 1), { ...value(1), list: [1, 2] });
    const a = await cache.get('k', compute);
    const b = await cache.get('k', compute);
    expect(b.value).toBe(a.value);
    expect(b.json).toBe(JSON.stringify({ n: 1, pad: '', list: [1, 2] }));
    expect(computed).toBe(1);
    expect(Object.isFrozen(a.value) && Object.isFrozen(a.value.list)).toBe(true);
    expect(() => ((a as { json: string }).json = 'changed')).toThrow(TypeError);
    expect(cache.stats()).toEqual({ entries: 1, bytes: bytesOf(a.value), hits: 1, misses: 1 });
  });

  test('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new AnswerCache<ReturnType<typeof value>>({ maxEntries: 2 });
    await cache.get('a', async () => value(1));
    await cache.get('b', async () => value(2));
    await cache.get('a', async () => value(-1)); // a hit: 'a' is now the most recent
    await cache.get('c', async () => value(3)); // evicts 'b'
    expect((await cache.get('a', async () => value(-1))).value).toEqual(value(1));
    expect((await cache.get('b', async () => value(22))).value).toEqual(value(22));
    expect(cache.stats().entries).toBe(2);
  });

  test('evicts by approximate size and keeps nothing larger than maxBytes', async () => {
    const one = bytesOf(value(1, 100));
    const cache = new AnswerCache<ReturnType<typeof value>>({ maxBytes: 2 * one + 10 });
    await cache.get('a', async () => value(1, 100));
    await cache.get('b', async () => value(2, 100));
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 2 * one });
    await cache.get('c', async () => value(3, 100));
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 2 * one });
    expect((await cache.get('a', async () => value(11, 100))).value).toEqual(value(11, 100)); // 'a' was evicted
    const huge = await cache.get('huge', async () => value(4, 10 * one));
    expect(huge.value).toEqual(value(4, 10 * one)); // answered, not kept
    expect(cache.stats().bytes).toBeLessThanOrEqual(2 * one + 10);
    let computed = 0;
    await cache.get('huge', async () => ((computed += 1), value(4, 10 * one)));
    expect(computed).toBe(1);
  });

  test('concurrent misses of one key share the computation; a failure is not kept', async () => {
    const cache = new AnswerCache<ReturnType<typeof value>>();
    let computed = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      computed += 1;
      await gate;
      return value(1);
    };
    const both = Promise.all([cache.get('k', slow), cache.get('k', slow)]);
    release();
    const [a, b] = await both;
    expect(a.value).toBe(b.value);
    expect(computed).toBe(1);
    await expect(cache.get('bad', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await cache.get('bad', async () => value(2))).value).toEqual(value(2));
  });

  test('an answer given compressed is kept so only; its bytes and value are made (value frozen) when asked for, not kept', async () => {
    const cache = new AnswerCache<{ n: number; list: number[]; name: string }>();
    const text = JSON.stringify({ n: 7, list: [1, 2, 3], name: '应急管理局' });
    const gz = gzipSync(text);
    const a = await cache.get('k', async () => new GzipJson(gz));
    expect(a.gzip).toBe(gz);
    expect(a.json).toBe(text);
    expect(a.body.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(cache.stats()).toEqual({ entries: 1, bytes: gz.length, hits: 0, misses: 1 });
    const b = await cache.get('k', async () => new GzipJson(gzipSync('{"n":0,"list":[],"name":""}')));
    expect(b.gzip).toBe(gz);
    expect(b.value).toEqual({ n: 7, list: [1, 2, 3], name: '应急管理局' });
    expect(Object.isFrozen(b.value) && Object.isFrozen(b.value.list)).toBe(true);
    expect(b.value).not.toBe(a.value);
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1 });
  });

  test('a computed answer keeps its UTF-8 bytes, and compressed bytes once it is large', async () => {
    const cache = new AnswerCache<{ name: string; pad?: string }>();
    const small = await cache.get('small', async () => ({ name: '盐田区' }));
    expect(small.body.toString('utf8')).toBe('{"name":"盐田区"}');
    expect(small.json).toBe('{"name":"盐田区"}');
    expect(small.gzip).toBeNull();
    expect(cache.stats().bytes).toBe(3 * small.json.length + small.body.length);
    const large = await cache.get('large', async () => ({ name: '盐田区', pad: 'x'.repeat(GZIP_MIN_BYTES) }));
    expect(large.gzip).not.toBeNull();
    expect(gunzipSync(large.gzip!).equals(large.body)).toBe(true);
    expect(large.gzip!.length).toBeLessThan(large.body.length / 20);
  });

  test('getMany: cached keys as they are; the rest prefetched in one call, then computed with what was read for each; a failure in its place', async () => {
    const cache = new AnswerCache<ReturnType<typeof value>>();
    await cache.get('b', async () => value(2));
    const prefetched: number[][] = [];
    const computed: [number, string][] = [];
    let inFlight = 0;
    let most = 0;
    const got = await cache.getMany(
      ['a', 'b', 'c', 'd', 'e'],
      async (missing) => {
        prefetched.push(missing);
        // 'a' stored, 'c' known to have nothing stored, 'd' and 'e' not read.
        return new Map([
          [0, gzipSync(JSON.stringify(value(10)))],
          [2, null],
        ]);
      },
      async (n, body) => {
        computed.push([n, body === undefined ? 'unread' : body === null ? 'none' : 'stored']);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
        if (n === 3) throw new Error('stream gone');
        return body ? new GzipJson(body) : value(n * 100);
      },
      2,
    );
    expect(prefetched).toEqual([[0, 2, 3, 4]]);
    expect(computed.sort()).toEqual([
      [0, 'stored'],
      [2, 'none'],
      [3, 'unread'],
      [4, 'unread'],
    ]);
    expect(most).toBe(2);
    expect(got.slice(0, 3)).toEqual([value(10), value(2), value(200)]);
    expect(got[3]).toEqual(new Error('stream gone'));
    expect(got[4]).toEqual(value(400));
    // Kept: a second call prefetches only the failed key.
    prefetched.length = 0;
    await cache.getMany(
      ['a', 'b', 'c', 'd', 'e'],
      async (missing) => (prefetched.push(missing), new Map()),
      async (n) => value(n),
      4,
    );
    expect(prefetched).toEqual([[3]]);
  });
});
