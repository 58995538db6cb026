/**
 * Paths that need no credential (contract management §4.4, iceberg-rest §2.1), matched by WHOLE route shape:
 * one regular expression per route, anchored at both ends, each parameter exactly one path segment. Never
 * a suffix or substring test, so a namespace or table named `config` or `oauth` stays protected.
 */
const SEGMENT = '[^/]+';

export const PUBLIC_ROUTE_SHAPES: readonly { shape: string; pattern: RegExp }[] = [
  '/health',
  '/health/live',
  '/health/ready',
  '/metrics',
  '/v1/config',
  '/v1/:prefix/config',
  '/v1/:prefix/v1/config',
  '/v1/oauth/tokens',
  '/v1/:prefix/oauth/tokens',
  '/v1/:prefix/v1/oauth/tokens',
  '/api/v1/iceberg/:prefix/oauth/tokens',
  '/api/v1/iceberg/:prefix/v1/oauth/tokens',
  '/api/v1/users/login',
  '/api/v1/app-config',
  '/swagger-ui',
  '/swagger-ui/',
  '/swagger-ui/:asset',
  '/swagger-ui/swagger-ui/:asset',
  '/api-docs/openapi.json',
].map((shape) => ({
  shape,
  pattern: new RegExp(`^${shape.replace(/[.]/g, '\\.').replace(/:[a-z]+/g, SEGMENT)}$`),
}));

/** The public route shape the path matches, or undefined. `path` is the URL path without the query. */
export function publicRouteOf(path: string): string | undefined {
  return PUBLIC_ROUTE_SHAPES.find((route) => route.pattern.test(path))?.shape;
}
