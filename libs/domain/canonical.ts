/**
 * Canonical JSON: object keys sorted, no whitespace. Equal content gives equal text.
 *
 * Stored content hashes are sha256 of this text, so its output must never change: it is
 * byte-identical to the first implementation (`[…].map(canonicalJson).join(',')` and
 * `Object.keys(o).filter(defined).sort().map(k => JSON.stringify(k) + ':' + …)`), checked against
 * it by test/canonical.int.test.ts on the sample and on generated JSON. This version appends to one
 * string instead of building an array per object and per array, which is most of its cost on the
 * ingest hot path.
 */
export function canonicalJson(value: unknown): string {
  return write(value) as string;
}

/**
 * `value` as canonical JSON, leaving out the top-level key `omit`: the same text as
 * canonicalJson of a copy of `value` without that key, without making the copy. With `known`,
 * the text of the top-level key `known.key` is `known.text`, which must be canonicalJson of its
 * value (a caller that needs that text anyway serializes it once).
 */
export function canonicalJsonWithout(
  value: Record<string, unknown>,
  omit: string,
  known?: { key: string; text: string },
): string {
  return writeObject(value, omit, known);
}

/** Keys seen so far, JSON-quoted (keys repeat on every event; quoting them is JSON.stringify work). */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (k.length <= 64 && quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(k, q);
  }
  return q;
}

/** undefined where JSON.stringify gives undefined (undefined, functions, symbols), as before. */
function write(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // An element without JSON text joined as '' in the original (Array.prototype.join).
      const w = write(value[i]);
      if (w !== undefined) out += w;
    }
    return `${out}]`;
  }
  return writeObject(value as Record<string, unknown>, undefined, undefined);
}

function writeObject(
  value: Record<string, unknown>,
  omit: string | undefined,
  known: { key: string; text: string } | undefined,
): string {
  const keys = Object.keys(value).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = value[k];
    if (v === undefined || k === omit) continue;
    if (!first) out += ',';
    first = false;
    // A value without JSON text (a function) was written as "undefined" by the template literal.
    out += `${quoteKey(k)}:${known !== undefined && k === known.key ? known.text : write(v)}`;
  }
  return `${out}}`;
}
