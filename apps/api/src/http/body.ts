import { Body, type PipeTransform } from '@nestjs/common';

/** A JSON body turned into a checked command by `parse` (which throws a 400 naming the field). */
export function ParsedBody<T>(parse: (body: unknown) => T): ParameterDecorator {
  const pipe: PipeTransform<unknown, T> = { transform: (value) => parse(value) };
  return Body(pipe);
}
