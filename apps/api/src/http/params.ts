import { InvalidInputError } from '#application/common/errors.js';
import { isIsoDate } from '#domain/dates.js';

function bad(field: string, reason: string): never {
  throw new InvalidInputError(`${field}: ${reason}`, [{ index: 0, path: field, reason }]);
}

export function parseDepartment(value: string): string {
  if (!/^[a-z0-9-]{1,64}$/.test(value)) bad('department', `must match [a-z0-9-]{1,64}, got "${value}"`);
  return value;
}

export function parseYear(value: string): number {
  const n = Number(value);
  if (!/^\d{4}$/.test(value) || n < 2000 || n > 2100)
    bad('year', `must be a year between 2000 and 2100, got "${value}"`);
  return n;
}

export function parseIntParam(
  field: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    bad(field, `must be a whole number between ${min} and ${max}, got "${value}"`);
  return n;
}

export function parseDateParam(field: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isIsoDate(value)) bad(field, `must be a date YYYY-MM-DD, got "${value}"`);
  return value;
}
