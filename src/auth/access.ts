import type { Action } from '../persistence/ports';

/**
 * Who may call a route, declared ON the controller method: `@Public()` or `@Access(...)`. This metadata is the
 * one source of a route's access rule: the global AuthorizationGuard enforces it, the authentication middleware
 * lets the public routes' path shapes through without a credential (RouteAccessIndex, built at boot), the lean
 * path and the OpenAPI document read it, and the application refuses to start while a routed handler has
 * neither decorator.
 *
 * This module imports no feature folder, so every controller can use it without import cycles; target
 * functions of a surface live next to its controllers (e.g. src/iceberg/http/iceberg-access.ts).
 */

/** The request fields a target is derived from (the JSON body is parsed on management routes). */
export interface RouteRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

/** What a resource route touches, by name; the guard resolves names to ids inside the caller's tenant. */
export type RequestTarget =
  | { level: 'tenant' }
  | { level: 'catalog'; catalog: string }
  | { level: 'namespace'; catalog: string; namespace: string[] }
  | { level: 'asset'; catalog: string; namespace: string[]; asset: string; branch: string }
  | { level: 'merge-operation'; operationId: string }
  | { level: 'conflict'; conflictId: string };

export type Access =
  /** No credential needed (the authentication middleware lets the route's path shape through). */
  | { kind: 'public' }
  /** Any authenticated caller; the endpoint itself distinguishes "self" from "admin" (users, tokens). */
  | { kind: 'authenticated' }
  /** Root or a tenant admin (of the effective tenant). */
  | { kind: 'admin' }
  /**
   * A tenant admin only, not root (contract §4.8: root manages tenants, a tenant's admin its storage). Used
   * for warehouse changes, whose storage credentials a tenant user never manages.
   */
  | { kind: 'tenant-admin' }
  /**
   * Root only. In NO-AUTH mode the credential-less synthetic admin is passed to the endpoint, which
   * answers NO-AUTH mode's documented bodies itself (tenants: list allowed, create 403 with a hint).
   */
  | { kind: 'root'; noAuthHandledByEndpoint: true }
  /** Root, or a member of the tenant named by `:id`; anyone else gets 404 (other tenants are invisible). */
  | { kind: 'own-tenant' }
  /**
   * Root and tenant admins always; a tenant user needs a grant of `action` covering the target. `forks`
   * names the branch a write creates when it does not exist yet (Iceberg fork-on-write): creating it also
   * needs `experimental-branching` on the catalog, as `POST /api/v1/branches` would.
   */
  | {
      kind: 'resource';
      action: Action | ((req: RouteRequest) => Action);
      target: (req: RouteRequest) => RequestTarget;
      forks?: (req: RouteRequest) => { catalog: string; branch: string };
    };

export const PUBLIC: Access = { kind: 'public' };
export const AUTHENTICATED: Access = { kind: 'authenticated' };
export const ADMIN: Access = { kind: 'admin' };
export const ROOT: Access = { kind: 'root', noAuthHandledByEndpoint: true };
export const TENANT_ADMIN: Access = { kind: 'tenant-admin' };
export const OWN_TENANT: Access = { kind: 'own-tenant' };

/** The metadata key of a handler's access rule. */
export const ROUTE_ACCESS = 'pangolin:route-access';

/** No credential needed to call this handler. */
export function Public(): MethodDecorator {
  return defineAccess(PUBLIC);
}

/** Who may call this handler (see the Access union). */
export function Access(access: Access): MethodDecorator {
  return defineAccess(access);
}

function defineAccess(access: Access): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const handler = descriptor.value as object;
    // Two rules on one handler would leave the effective one to decorator order: refused when the class loads.
    if (Reflect.getMetadata(ROUTE_ACCESS, handler) !== undefined) {
      throw new Error(`${handlerName(target, propertyKey)} has more than one @Public/@Access decorator`);
    }
    Reflect.defineMetadata(ROUTE_ACCESS, access, handler);
    return descriptor;
  };
}

/** The access rule declared on a handler, or undefined when it has none. */
export function accessOf(handler: object): Access | undefined {
  return Reflect.getMetadata(ROUTE_ACCESS, handler) as Access | undefined;
}

function handlerName(target: object, propertyKey: string | symbol): string {
  const owner = typeof target === 'function' ? target.name : target.constructor.name;
  return `${owner}.${String(propertyKey)}`;
}

// --- Building blocks of resource rules ------------------------------------------------------------------

export const TENANT = (): RequestTarget => ({ level: 'tenant' });

export function resource(
  action: Action | ((req: RouteRequest) => Action),
  target: (req: RouteRequest) => RequestTarget,
  forks?: (req: RouteRequest) => { catalog: string; branch: string },
): Access {
  return forks ? { kind: 'resource', action, target, forks } : { kind: 'resource', action, target };
}

/** A non-empty string field of a parsed query or JSON body. */
export function stringField(source: unknown, field: string): string | undefined {
  if (!source || typeof source !== 'object' || Buffer.isBuffer(source)) return undefined;
  const value = (source as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The catalog named by a query parameter or body field. When it is absent the endpoint answers 400, but the
 * decision is made first, against the whole tenant (the strictest target), never skipped.
 */
export function catalogFrom(source: 'query' | 'body', field = 'catalog', fallback?: string) {
  return (req: RouteRequest): RequestTarget => {
    const catalog = stringField(source === 'query' ? req.query : req.body, field) ?? fallback;
    return catalog === undefined ? { level: 'tenant' } : { level: 'catalog', catalog };
  };
}

/** The catalog named by a route parameter. */
export const catalogParam =
  (param: string) =>
  (req: RouteRequest): RequestTarget => ({ level: 'catalog', catalog: req.params[param] });
