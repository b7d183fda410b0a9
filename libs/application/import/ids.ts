/**
 * Deterministic ids. An event's id comes from the identity of what a row states (department, year,
 * kind, line, month, source), never from its amount, so importing the same file again finds the
 * same ids; corrections add how many corrections came before and the new figure.
 */
import { createHash } from 'node:crypto';
import { nameKey } from './text.js';

function hash(parts: (string | number)[], length: number): string {
  return createHash('sha256').update(parts.map(String).join('\u001f')).digest('hex').slice(0, length);
}

export function importEventId(kind: string, parts: (string | number)[]): string {
  return `imp-${kind}-${hash([kind, ...parts], 32)}`;
}

/** Unit id for a 科室 name when neither the sheet nor the mapping gives one: u-<10 hex>. */
export function derivedUnitId(name: string): string {
  return `u-${hash(['unit', nameKey(name)], 10)}`;
}

/** Line id for a 预算项目 name of a unit and fund source when none is given: l-<10 hex>. */
export function derivedLineId(unit: string, name: string, source: string): string {
  return `l-${hash(['line', unit, nameKey(name), source], 10)}`;
}
