import { Global, Injectable, Module, OnModuleInit, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { accessOf, type Access } from './access';

/** One routed (method, path pattern) of a controller method, with the access rule declared on it. */
export interface RoutedHandler {
  /** Upper case: GET, POST, ... */
  method: string;
  /** The Express route pattern Nest registers: `/v1/:prefix/config`. */
  pattern: string;
  controller: Type<unknown>;
  /** The controller method (the function the metadata is attached to). */
  handler: object;
  /** `Controller.method`, for messages. */
  name: string;
  access: Access;
}

/**
 * The routes of every controller method, read once from the handlers' metadata (the route decorators and
 * @Public/@Access). Building it is the boot check: a routed handler without an access rule stops the start,
 * naming the handler. It also answers, before routing, whether a path is public (the authentication
 * middleware runs before the router, so it cannot read the handler it will reach).
 */
@Injectable()
export class RouteAccessIndex implements OnModuleInit {
  private built?: { routes: readonly RoutedHandler[]; publicPaths: PublicPaths };
  /** Public paths served by something other than a controller (the OpenAPI explorer), added where mounted. */
  private readonly mountedPublicShapes: string[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    this.index();
  }

  /** Every routed handler, in controller registration order. Throws when a handler has no access rule. */
  get routes(): readonly RoutedHandler[] {
    return this.index().routes;
  }

  /**
   * The access rule of a routed (method, pattern); HEAD falls back to GET, as Express answers HEAD with the
   * GET route when no HEAD route is declared.
   */
  accessFor(method: string, pattern: string): Access | undefined {
    const upper = method.toUpperCase();
    const find = (m: string) => this.routes.find((route) => route.method === m && route.pattern === pattern)?.access;
    return find(upper) ?? (upper === 'HEAD' ? find('GET') : undefined);
  }

  /** True when `path` (the URL path without its query) has the whole shape of a public route. */
  isPublicPath(path: string): boolean {
    return this.index().publicPaths.matches(path);
  }

  /** Declares public path shapes served outside the controllers (e.g. the API explorer where it is mounted). */
  addMountedPublicPaths(shapes: readonly string[]): void {
    this.mountedPublicShapes.push(...shapes);
    if (this.built) this.built = { ...this.built, publicPaths: this.publicPathsOf(this.built.routes) };
  }

  private index(): { routes: readonly RoutedHandler[]; publicPaths: PublicPaths } {
    if (!this.built) {
      const routes = routedHandlers(
        this.discovery.getControllers().flatMap((wrapper) => (wrapper.metatype ? [wrapper.metatype as Type<unknown>] : [])),
        this.scanner,
      );
      this.built = { routes, publicPaths: this.publicPathsOf(routes) };
    }
    return this.built;
  }

  private publicPathsOf(routes: readonly RoutedHandler[]): PublicPaths {
    const controllerShapes = routes.filter((route) => route.access.kind === 'public').map((route) => route.pattern);
    return new PublicPaths([...new Set([...controllerShapes, ...this.mountedPublicShapes])]);
  }
}

/**
 * The routed handlers of the given controllers: each method carrying a route decorator, once per path of
 * the controller and of the method (both may be lists). Fails naming every handler that has no access rule.
 */
export function routedHandlers(controllers: readonly Type<unknown>[], scanner: MetadataScanner): RoutedHandler[] {
  const routes: RoutedHandler[] = [];
  const unruled: string[] = [];
  for (const controller of controllers) {
    const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
    const prototype = controller.prototype as Record<string, object>;
    for (const methodName of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[methodName];
      const methodPaths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (methodPaths === undefined) continue; // not a route handler
      const requestMethod = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const name = `${controller.name}.${methodName}`;
      const access = accessOf(handler);
      if (!access) {
        unruled.push(name);
        continue;
      }
      for (const controllerPath of controllerPaths) {
        for (const methodPath of asList(methodPaths)) {
          const pattern = joinRoutePath(controllerPath, methodPath);
          routes.push({ method: requestMethod, pattern, controller, handler, name, access });
        }
      }
    }
  }
  if (unruled.length > 0) {
    throw new Error(
      `Routed handler(s) without an access rule: ${unruled.join(', ')}. Decorate each with @Public() or @Access(...) ` +
        '(src/auth/access.ts) to say who may call it.',
    );
  }
  return routes;
}

function asList(paths: string | string[] | undefined): string[] {
  if (paths === undefined) return ['/'];
  return Array.isArray(paths) ? paths : [paths];
}

/** `('v1/:prefix', 'config')` -> `/v1/:prefix/config`; `('health', '/')` -> `/health`, as Nest joins them. */
export function joinRoutePath(controllerPath: string, methodPath: string): string {
  const parts = [controllerPath, methodPath].map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

/**
 * Public path shapes, matched by WHOLE shape: one regular expression per route pattern, anchored at both ends,
 * each parameter exactly one path segment. Never a suffix or substring test, so a namespace or table named
 * `config` or `oauth` stays protected.
 */
export class PublicPaths {
  /**
   * All shapes in one expression (each anchored at both ends): every request that is not public is tested
   * against all of them, and one test of an alternation costs a fraction of one test per shape.
   */
  private readonly pattern: RegExp | undefined;

  constructor(readonly shapes: readonly string[]) {
    const alternatives = shapes.map((shape) => `(?:${shape.replace(/[.]/g, '\\.').replace(/:[A-Za-z0-9_]+/g, '[^/]+')})`);
    this.pattern = alternatives.length === 0 ? undefined : new RegExp(`^(?:${alternatives.join('|')})$`);
  }

  matches(path: string): boolean {
    return this.pattern !== undefined && this.pattern.test(path);
  }
}

/**
 * Provides the RouteAccessIndex everywhere (the authentication middleware, the lean path, the OpenAPI
 * document); its start-up hook runs the boot check.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [RouteAccessIndex],
  exports: [RouteAccessIndex],
})
export class RouteAccessModule {}
