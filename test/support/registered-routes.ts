import type { INestApplication } from '@nestjs/common';

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
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: any[] }; _router?: { stack: any[] } };
  const stack = (express.router ?? express._router)?.stack ?? [];
  const routes: RegisteredRoute[] = [];
  for (const layer of stack) {
    const route = layer.route as { path: string | string[]; methods: Record<string, boolean> } | undefined;
    if (!route) continue;
    for (const rawPath of Array.isArray(route.path) ? route.path : [route.path]) {
      if (rawPath.includes('{*') || rawPath.includes('*')) continue;
      if (rawPath.startsWith('/swagger-ui') || rawPath.startsWith('/api-docs')) continue;
      const path = rawPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const [method, enabled] of Object.entries(route.methods)) {
        if (enabled && method !== '_all') routes.push({ method: method.toUpperCase(), path });
      }
    }
  }
  const seen = new Set<string>();
  return routes.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
