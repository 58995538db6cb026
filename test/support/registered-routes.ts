import type { INestApplication } from '@nestjs/common';
import { registeredRouteSignatures } from '../../src/common/http/route-patterns';

export interface RegisteredRoute {
  method: string;
  /** OpenAPI form: `/v1/{prefix}/namespaces/{namespace}`. */
  path: string;
}

/**
 * Every route the running application registered on its Express router, so tests that must cover "every
 * route" (OpenAPI document, hostile input, authorization) pick up a new route automatically. Catch-all
 * routes (`{*path}`) and the OpenAPI explorer's own routes are left out.
 */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const seen = new Set<string>();
  const routes: RegisteredRoute[] = [];
  for (const { method, pattern } of registeredRouteSignatures(app.getHttpAdapter().getInstance())) {
    if (pattern.startsWith('/swagger-ui') || pattern.startsWith('/api-docs')) continue;
    const route = { method: method.toUpperCase(), path: pattern.replace(/:([A-Za-z0-9_]+)/g, '{$1}') };
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push(route);
  }
  return routes;
}
