/**
 * Content hashes are stored with every event and compared on every re-send, so the canonical
 * serializer behind them must never change its output. The current one (single string, no arrays)
 * is checked against the first implementation, kept here verbatim, on the sample and on generated
 * JSON; the hashes of the sample against values computed by the first implementation.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson, canonicalJsonWithout } from '#domain/canonical.js';
import { contentHash, prepareEvent } from '#application/ingest/ingest-prepare.js';
import { goodEvent, modelOf, openCopy } from './support/bad-input.js';
import { sampleEvents } from './support/sample.js';

/** The first implementation of canonicalJson (commit 756089d), unchanged. */
function referenceCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${referenceCanonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The first contentHash: sha256 of the canonical JSON of the event without expectedVersion. */
function referenceContentHash(e: Record<string, unknown>): string {
  const { expectedVersion: _ignored, ...content } = e;
  return createHash('sha256').update(referenceCanonicalJson(content)).digest('hex');
}

const SEED = Number(process.env.PROPERTY_SEED ?? 20240808);

describe('canonical JSON', () => {
  const sample = sampleEvents();

  test('the sample: every event and its data serialize exactly as before', () => {
    for (const e of sample) {
      expect(canonicalJson(e)).toBe(referenceCanonicalJson(e));
      expect(canonicalJson(e.data)).toBe(referenceCanonicalJson(e.data));
    }
  });

  test('the sample: content hashes are the stored ones (values of the first implementation)', () => {
    const hashes = sample.map((e) => contentHash(e as never));
    expect(hashes).toEqual(sample.map(referenceContentHash));
    // Computed once with the first implementation: a change of the serializer or the hash shows here.
    expect(hashes[0]).toBe('9d86a4e18a92bdaa2185622eb96b003bc9f5c2a12e89b9a122c4adcc25818ff6');
    expect(hashes[100]).toBe('9d3210feb9c80ea2ff0eb583079c9279b83bb5052e9ef17ea601d5213f8beb9a');
    expect(createHash('sha256').update(hashes.join('\n')).digest('hex')).toBe(
      'b00a5b4f3f6c3b19af3ff5ad8165e83a22b618561c5a08357a03037c5de31f8e',
    );
  });

  test('prepareEvent hashes with the data text it stores: same hash, and the text is the canonical data', () => {
    for (const e of [...sample, { ...sample[1]!, expectedVersion: 1 }]) {
      const p = prepareEvent(e);
      if (!p.ok) throw new Error(JSON.stringify(p.errors));
      expect(p.prepared.contentHash).toBe(referenceContentHash(e));
      expect(p.prepared.data).toBe(referenceCanonicalJson(e.data));
      expect(JSON.parse(p.prepared.data)).toEqual(e.data);
    }
  });

  test('generated valid events of every kind, in any key order, with and without expectedVersion: the stored hash', () => {
    const open = openCopy(sample);
    const model = modelOf(open, sample);
    const shuffled = (o: Record<string, unknown>, seed: number): Record<string, unknown> => {
      const keys = Object.keys(o);
      for (let i = keys.length - 1; i > 0; i--) {
        const j = (seed * (i + 7)) % (i + 1);
        [keys[i], keys[j]] = [keys[j]!, keys[i]!];
      }
      return Object.fromEntries(
        keys.map((k) => [
          k,
          o[k] !== null && typeof o[k] === 'object' ? shuffled(o[k] as Record<string, unknown>, seed + 1) : o[k],
        ]),
      );
    };
    fc.assert(
      fc.property(goodEvent(model), fc.nat(), fc.option(fc.nat({ max: 1000 })), (g, seed, expectedVersion) => {
        const e = shuffled(expectedVersion === null ? g.event : { ...g.event, expectedVersion }, seed);
        const p = prepareEvent(e);
        if (!p.ok) throw new Error(JSON.stringify(p.errors));
        expect(p.prepared.contentHash).toBe(referenceContentHash(e));
        expect(p.prepared.data).toBe(referenceCanonicalJson(e.data));
      }),
      { numRuns: 2000, seed: SEED },
    );
    // Every event of the sample and of its open copy, shuffled the same way.
    for (const [i, e] of [...sample, ...open].entries()) {
      const p = prepareEvent(shuffled(e, i));
      if (!p.ok) throw new Error(JSON.stringify(p.errors));
      expect(p.prepared.contentHash).toBe(referenceContentHash(e));
    }
  });

  test('generated JSON values (any nesting, unicode, numbers, -0, exotic keys) serialize exactly as before', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
      }),
      { numRuns: 3000, seed: SEED },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 3 })), (o) => {
        expect(canonicalJson(o)).toBe(referenceCanonicalJson(o));
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  test('edge cases: -0, integer-like keys, __proto__ as a key, escapes, lone surrogates, NaN, nested empties', () => {
    const cases: unknown[] = [
      -0,
      [-0, 0, 1e21, 1e-7, NaN, Infinity],
      JSON.parse('{"__proto__": {"b": 1, "a": 2}, "10": 1, "9": 2, "a": 3, "": 4}'),
      { é: 1, e: 2, E: 3, 'e\u0301': 4, '\ud800': '\udc00', 'a\u0000b': '\u2028\u2029"\\' },
      { z: [], y: {}, x: [[]], w: [{}, { b: [undefined, null] }] },
      [undefined, () => 1, Symbol('s'), { f: () => 1 }],
      { emoji: '😀', cjk: '应急管理局', ctrl: '\b\f\n\r\t\u0001' },
    ];
    for (const c of cases) expect(canonicalJson(c)).toBe(referenceCanonicalJson(c));
  });

  test('generated objects with undefined values and array holes serialize as before', () => {
    const withUndefined = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(undefined),
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.sparseArray(fc.integer(), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(fc.string(), withUndefined, { maxKeys: 5 }), (o) => {
        expect(canonicalJson(o)).toBe(referenceCanonicalJson(o));
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  test('canonicalJsonWithout leaves out one top-level key and may take a known text for another', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
        fc.string(),
        fc.string(),
        (o, omit, key) => {
          const { [omit]: _dropped, ...rest } = o;
          expect(canonicalJsonWithout(o, omit)).toBe(referenceCanonicalJson(rest));
          if (key !== omit && o[key] !== undefined) {
            expect(canonicalJsonWithout(o, omit, { key, text: referenceCanonicalJson(o[key]) })).toBe(
              referenceCanonicalJson(rest),
            );
          }
        },
      ),
      { numRuns: 2000, seed: SEED },
    );
  });
});
