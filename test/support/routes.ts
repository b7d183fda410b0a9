/**
 * Every route of the running application, found from the controllers Nest discovered (their
 * metadata), never from a hand-kept list: the OpenAPI and query-parameter tests walk them all.
 */
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ACCESS } from '#api/src/access/access.js';
import type { AccessRule } from '#domain/access.js';
import type { TestApp } from './app.js';

export interface Route {
  method: string;
  /** As Express matches it, e.g. /api/v1/departments/:department/years/:year/execution */
  path: string;
  /** As OpenAPI writes it, e.g. /api/v1/departments/{department}/years/{year}/execution */
  openApiPath: string;
  handler: string;
  isPublic: boolean;
  /** Path and query parameters the handler reads (validated by their pipes). */
  params: { in: 'path' | 'query'; name: string }[];
  /** Takes a path parameter, a query parameter or a body. */
  takesInput: boolean;
}

const joinPath = (...parts: string[]) =>
  `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;

/** Every route of every controller Nest discovered, from its metadata. */
export function nestRoutes(t: TestApp): Route[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper as { instance: Record<string, unknown>; metatype: object };
    if (!instance || !metatype) continue;
    const prefixes = [Reflect.getMetadata(PATH_METADATA, metatype) as string | string[]].flat();
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = instance[name] as object;
      const own = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (own === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
      const rule = (Reflect.getMetadata(ACCESS, handler) ?? Reflect.getMetadata(ACCESS, metatype)) as
        AccessRule | undefined;
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, name) ?? {}) as Record<
        string,
        { index: number; data?: unknown }
      >;
      const params: Route['params'] = [];
      let takesInput = false;
      for (const [key, arg] of Object.entries(args)) {
        const type = Number(key.split(':')[0]);
        if (type === RouteParamtypes.BODY) takesInput = true;
        if (type === RouteParamtypes.PARAM || type === RouteParamtypes.QUERY) {
          takesInput = true;
          if (typeof arg.data === 'string')
            params.push({ in: type === RouteParamtypes.PARAM ? 'path' : 'query', name: arg.data });
        }
      }
      for (const prefix of prefixes)
        for (const methodPath of [own].flat()) {
          const path = joinPath(prefix, methodPath);
          for (const token of path.matchAll(/:(\w+)/g)) {
            takesInput = true;
            const name = token[1] as string;
            if (!params.some((p) => p.in === 'path' && p.name === name)) params.push({ in: 'path', name });
          }
          routes.push({
            method,
            path,
            openApiPath: path.replace(/:(\w+)/g, '{$1}'),
            handler: `${(metatype as { name: string }).name}.${name}`,
            isPublic: rule?.kind === 'public',
            params,
            takesInput,
          });
        }
    }
  }
  return routes;
}
