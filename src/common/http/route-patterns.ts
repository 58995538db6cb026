/** A route pattern (`/v1/:prefix/config`) split into path segments: literals to compare, named parameters. */
export interface CompiledPattern {
  pattern: string;
  segments: readonly { literal?: string; param?: string }[];
}

export function compilePattern(pattern: string): CompiledPattern {
  return {
    pattern,
    segments: pattern
      .split('/')
      .slice(1)
      .map((segment) => (segment.startsWith(':') ? { param: segment.slice(1) } : { literal: segment })),
  };
}

/**
 * Matches the segments of a path (`path.split('/').slice(1)`) against a pattern. A parameter takes any
 * non-empty segment, passed through `readParam` (undefined refuses the match); literals compare with
 * `sameLiteral`. Returns the parameters, or undefined when the path does not match.
 */
export function matchPattern(
  compiled: CompiledPattern,
  parts: readonly string[],
  readParam: (segment: string) => string | undefined,
  sameLiteral: (part: string, literal: string) => boolean = (part, literal) => part === literal,
): Record<string, string> | undefined {
  if (compiled.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const segment = compiled.segments[i];
    if (part === '') return undefined;
    if (segment.literal !== undefined) {
      if (!sameLiteral(part, segment.literal)) return undefined;
      continue;
    }
    const value = readParam(part);
    if (value === undefined) return undefined;
    params[segment.param!] = value;
  }
  return params;
}

export interface RouteSignature {
  method: string;
  pattern: string;
}

/**
 * Which route pattern a request is for, when the router has not said so: a request answered before routing
 * (401 from authentication, 400/413 from a body parser, 503 while draining) is labelled in metrics and logs
 * with the route it was addressed to, as the lean path labels it, instead of `unmatched`. Routes are tried in
 * registration order, literals compare case-insensitively and one trailing slash is ignored, as the Express
 * router (non-strict, case-insensitive) matches them; HEAD falls back to GET, as Express answers HEAD.
 */
export class RoutePatternIndex {
  private readonly routes: { method: string; compiled: CompiledPattern }[];

  constructor(routes: readonly RouteSignature[]) {
    this.routes = routes.map((route) => ({ method: route.method.toUpperCase(), compiled: compilePattern(route.pattern) }));
  }

  /** The routes the Express application registered (see registeredRouteSignatures). */
  static fromExpressApplication(expressApp: unknown): RoutePatternIndex {
    return new RoutePatternIndex(registeredRouteSignatures(expressApp));
  }

  get size(): number {
    return this.routes.length;
  }

  match(method: string, path: string): string | undefined {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const parts = trimmed.split('/');
    if (parts[0] !== '') return undefined;
    const segments = parts.slice(1);
    const upper = method.toUpperCase();
    return this.find(upper, segments) ?? (upper === 'HEAD' ? this.find('GET', segments) : undefined);
  }

  private find(method: string, segments: readonly string[]): string | undefined {
    for (const { method: routeMethod, compiled } of this.routes) {
      if (routeMethod !== method) continue;
      if (matchPattern(compiled, segments, (s) => s, sameIgnoringCase) !== undefined) return compiled.pattern;
    }
    return undefined;
  }
}

/**
 * The routes an Express application registered: its router's route layers, in order, one signature per
 * method and path (methods in lower case, as Express keeps them). Catch-all routes (`*`, `{*path}`) are left
 * out: they answer only paths no route matched.
 */
export function registeredRouteSignatures(expressApp: unknown): RouteSignature[] {
  const app = expressApp as { router?: { stack?: unknown[] }; _router?: { stack?: unknown[] } };
  const stack = (app.router ?? app._router)?.stack ?? [];
  const routes: RouteSignature[] = [];
  for (const layer of stack) {
    const route = (layer as { route?: { path?: unknown; methods?: Record<string, boolean> } }).route;
    if (!route || !route.methods) continue;
    for (const path of Array.isArray(route.path) ? route.path : [route.path]) {
      if (typeof path !== 'string' || path.includes('*')) continue;
      for (const [method, enabled] of Object.entries(route.methods)) {
        if (enabled && method !== '_all') routes.push({ method, pattern: path });
      }
    }
  }
  return routes;
}

function sameIgnoringCase(part: string, literal: string): boolean {
  return part.length === literal.length && part.toLowerCase() === literal.toLowerCase();
}
