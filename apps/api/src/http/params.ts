/**
 * Route and query parameters, each parsed by a pipe (a bad value is a 400 naming the parameter, so
 * a handler only ever sees valid, typed values) and described in the OpenAPI document by the same
 * decorator, so the documented parameters are exactly the validated ones.
 */
import { Param, Query, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ApiParam, ApiQuery } from '@nestjs/swagger';
import { InvalidInputError } from '#application/common/errors.js';
import { isIsoDate } from '#domain/dates.js';

function bad(field: string, reason: string): never {
  throw new InvalidInputError(`${field}: ${reason}`, [{ index: 0, path: field, reason }]);
}

/** Parses one parameter's raw text (undefined when absent or empty). */
type Parser<T> = (field: string, raw: string | undefined) => T;

class ParsePipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly parse: Parser<T>) {}

  transform(value: unknown, meta: ArgumentMetadata): T {
    const field = meta.data ?? meta.type;
    if (value !== undefined && typeof value !== 'string') bad(field, 'must be given once, as text');
    return this.parse(field, value === '' ? undefined : value);
  }
}

interface Doc {
  description: string;
  schema: Record<string, unknown>;
  example?: unknown;
}

/** A validated query parameter (always optional: absent means its default), documented. */
function queryParam<T>(name: string, parse: Parser<T>, doc: Doc): ParameterDecorator {
  return (target, key, index) => {
    Query(name, new ParsePipe(parse))(target, key, index);
    const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (key !== undefined && descriptor) ApiQuery({ name, required: false, ...doc })(target, key, descriptor);
  };
}

/** A validated path parameter, documented. */
function pathParam<T>(name: string, parse: Parser<T>, doc: Doc): ParameterDecorator {
  return (target, key, index) => {
    Param(name, new ParsePipe(parse))(target, key, index);
    const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (key !== undefined && descriptor) ApiParam({ name, required: true, ...doc })(target, key, descriptor);
  };
}

export function parseDepartment(field: string, value: string | undefined): string {
  if (value === undefined || !/^[a-z0-9-]{1,64}$/.test(value))
    bad(field, `must match [a-z0-9-]{1,64}, got "${value ?? ''}"`);
  return value;
}

export function parseYear(field: string, value: string | undefined): number {
  if (value === undefined || !/^\d{4}$/.test(value) || Number(value) < 2000 || Number(value) > 2100)
    bad(field, `must be a year between 2000 and 2100, got "${value ?? ''}"`);
  return Number(value);
}

function parseDate(field: string, value: string | undefined): string | undefined {
  if (value !== undefined && !isIsoDate(value)) bad(field, `must be a date YYYY-MM-DD, got "${value}"`);
  return value;
}

function wholeNumber(min: number, max: number): Parser<number | undefined> {
  return (field, value) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      bad(field, `must be a whole number between ${min} and ${max}, got "${value}"`);
    return n;
  };
}

/** `"a" or "b"`, `"a", "b" or "c"`. */
function alternatives(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function oneOf<V extends string>(values: readonly V[]): Parser<V | undefined> {
  return (field, value) => {
    if (value === undefined) return undefined;
    if (!values.includes(value as V)) bad(field, `must be ${alternatives(values)}, got "${value}"`);
    return value as V;
  };
}

function flag(field: string, value: string | undefined): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  bad(field, `must be true or false, got "${value}"`);
}

function text(max: number): Parser<string | undefined> {
  return (field, value) => {
    if (value !== undefined && value.length > max) bad(field, `must be at most ${max} characters`);
    return value;
  };
}

export const DepartmentParam = (name = 'department') =>
  pathParam(name, parseDepartment, {
    description: 'Department id (slug)',
    schema: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' },
    example: 'yantian-emergency',
  });

export const YearParam = (name = 'year') =>
  pathParam(name, parseYear, {
    description: 'Fiscal (calendar) year',
    schema: { type: 'integer', minimum: 2000, maximum: 2100 },
    example: 2023,
  });

export const MonthParam = () =>
  pathParam('month', (field, value) => wholeNumber(1, 12)(field, value ?? 'missing') as number, {
    description: 'Month of the year, 1–12',
    schema: { type: 'integer', minimum: 1, maximum: 12 },
    example: 3,
  });

/** A positive id in the path (subscriptions). */
export const IdParam = () =>
  pathParam('id', (field, value) => wholeNumber(1, 2 ** 31 - 1)(field, value ?? 'missing') as number, {
    description: 'Id',
    schema: { type: 'integer', minimum: 1 },
  });

/** A unit id or "department" in the path (notices). */
export const SubjectParam = () =>
  pathParam('subject', text(64) as Parser<string>, {
    description: 'A unit id, or "department" for the department summary',
    schema: { type: 'string', maxLength: 64 },
    example: 'department',
  });

export const DateQuery = (name: string, description: string) =>
  queryParam(name, parseDate, { description, schema: { type: 'string', format: 'date' }, example: '2023-06-30' });

export const IntQuery = (name: string, min: number, max: number, description: string) =>
  queryParam(name, wholeNumber(min, max), { description, schema: { type: 'integer', minimum: min, maximum: max } });

export const EnumQuery = <V extends string>(name: string, values: readonly V[], description: string) =>
  queryParam(name, oneOf(values), { description, schema: { type: 'string', enum: values } });

export const FlagQuery = (name: string, description: string) =>
  queryParam(name, flag, { description, schema: { type: 'boolean', default: false } });

export const TextQuery = (name: string, max: number, description: string) =>
  queryParam(name, text(max), { description, schema: { type: 'string', maxLength: max } });

export const DepartmentQuery = (description: string) =>
  queryParam('department', (field, value) => (value === undefined ? undefined : parseDepartment(field, value)), {
    description,
    schema: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' },
  });

export const YearQuery = (description: string) =>
  queryParam('year', (field, value) => (value === undefined ? undefined : parseYear(field, value)), {
    description,
    schema: { type: 'integer', minimum: 2000, maximum: 2100 },
  });

/** The fund source filter of execution figures. */
export const SOURCES = ['fiscal', 'all'] as const;
export const SourceQuery = () =>
  EnumQuery('source', SOURCES, 'Fund source: "fiscal" (财政资金, default) or "all" (全部资金)');
