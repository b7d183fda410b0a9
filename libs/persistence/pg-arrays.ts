/**
 * PostgreSQL array literals built in one pass, for the array parameters of the append
 * statements. The drivers (node-pg, PGlite) would build the same literal from a JS array, but
 * with a value conversion and two regex replacements per element, a visible share of the API's
 * CPU on the ingest hot path. A string parameter is sent as is and cast by the statement
 * (`$1::text[]`).
 */

const NEEDS_ESCAPE = /["\\]/;
const ESCAPE = /["\\]/g;

/** `{"a","b"}`: every element quoted (so NULL, empty strings, spaces, braces and commas stay text). */
export function textArrayLiteral(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += NEEDS_ESCAPE.test(v) ? `"${v.replace(ESCAPE, '\\$&')}"` : `"${v}"`;
  }
  return `${out}}`;
}

/** Like textArrayLiteral, with NULL for null elements. */
export function nullableTextArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null ? 'NULL' : NEEDS_ESCAPE.test(v) ? `"${v.replace(ESCAPE, '\\$&')}"` : `"${v}"`;
  }
  return `${out}}`;
}

/** `{1,2,3}` of whole numbers. */
export function intArrayLiteral(values: readonly number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new Error(`not a whole number: ${v}`);
  return `{${values.join(',')}}`;
}

/** `[t1,t2]`: a JSON array of JSON texts (each already valid JSON), for jsonb_array_elements. */
export function jsonArrayText(texts: readonly string[]): string {
  return `[${texts.join(',')}]`;
}
