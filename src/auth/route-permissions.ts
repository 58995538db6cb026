import { ValidationError } from '../common/errors';
import { validateNamespaceLevel } from '../common/http/resource-name';
import { parseNamespaceSegment, parseTableSegment, resolveBranch, splitNamespaceLevels } from '../iceberg/http/iceberg-paths';
import { MAIN_BRANCH } from '../persistence/models';
import type { Action } from '../persistence/ports/identity.port';

/**
 * THE authorization table: every routed (method, route pattern) of the application and what it requires.
 * The global AuthorizationGuard consults it for every request and DENIES a route that is absent, so a new
 * route cannot be reached until someone decides here who may call it; the authorization matrix test is
 * generated from the registered routes and fails for any route missing from this table.
 *
 * Patterns are Express route paths as Nest registers them (`/api/v1/catalogs/:name`). Iceberg routes are
 * declared once and expanded to both URL styles (`/v1/:prefix/...` and `/v1/:prefix/v1/...`).
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
  /** No credential needed (matched by exact route shape in public-routes.ts as well). */
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

export interface RouteRule {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  access: Access;
}

const PUBLIC: Access = { kind: 'public' };
const AUTHENTICATED: Access = { kind: 'authenticated' };
const ADMIN: Access = { kind: 'admin' };
const ROOT: Access = { kind: 'root', noAuthHandledByEndpoint: true };
const TENANT_ADMIN: Access = { kind: 'tenant-admin' };

const TENANT = (): RequestTarget => ({ level: 'tenant' });

function resource(
  action: Action | ((req: RouteRequest) => Action),
  target: (req: RouteRequest) => RequestTarget,
  forks?: (req: RouteRequest) => { catalog: string; branch: string },
): Access {
  return forks ? { kind: 'resource', action, target, forks } : { kind: 'resource', action, target };
}

function stringField(source: unknown, field: string): string | undefined {
  if (!source || typeof source !== 'object' || Buffer.isBuffer(source)) return undefined;
  const value = (source as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The catalog named by a query parameter or body field. When it is absent the endpoint answers 400, but the
 * decision is made first, against the whole tenant (the strictest target), never skipped.
 */
function catalogFrom(source: 'query' | 'body', field = 'catalog', fallback?: string) {
  return (req: RouteRequest): RequestTarget => {
    const catalog = stringField(source === 'query' ? req.query : req.body, field) ?? fallback;
    return catalog === undefined ? { level: 'tenant' } : { level: 'catalog', catalog };
  };
}

const catalogParam =
  (param: string) =>
  (req: RouteRequest): RequestTarget => ({ level: 'catalog', catalog: req.params[param] });

/** Management routes name namespaces dot-joined (DESIGN §2.2). */
function dottedNamespace(segment: string): string[] {
  const levels = segment.split('.');
  if (levels.some((level) => level === '')) throw new ValidationError(`Malformed namespace '${segment}'`);
  levels.forEach(validateNamespaceLevel);
  return levels;
}

// --- Iceberg targets (the prefix is the catalog; namespace levels joined by U+001F) ----------------------

const icebergCatalog = (req: RouteRequest): RequestTarget => ({ level: 'catalog', catalog: req.params.prefix });

function icebergNamespace(req: RouteRequest): RequestTarget {
  return { level: 'namespace', catalog: req.params.prefix, namespace: parseNamespaceSegment(req.params.namespace).levels };
}

function icebergTable(req: RouteRequest): RequestTarget {
  const namespace = parseNamespaceSegment(req.params.namespace);
  const table = parseTableSegment(req.params.table);
  return {
    level: 'asset',
    catalog: req.params.prefix,
    namespace: namespace.levels,
    asset: table.name,
    branch: resolveBranch({ table: table.branch, namespace: namespace.branch, query: req.query.branch }),
  };
}

/** Listing namespaces: under `parent` when given (a grant on that namespace suffices), else the catalog. */
function icebergNamespaceList(req: RouteRequest): RequestTarget {
  const parent = typeof req.query.parent === 'string' ? splitNamespaceLevels(req.query.parent) : [];
  return parent.length > 0 ? { level: 'namespace', catalog: req.params.prefix, namespace: parent } : icebergCatalog(req);
}

/** The raw Iceberg body of a rename, parsed only to find the source table (ids in it are irrelevant here). */
function renameSource(req: RouteRequest): RequestTarget {
  const body = parseRawJson(req.body) as { source?: { namespace?: unknown; name?: unknown } } | undefined;
  const namespace = body?.source?.namespace;
  const name = body?.source?.name;
  if (!Array.isArray(namespace) || !namespace.every((l) => typeof l === 'string') || typeof name !== 'string') {
    // Malformed: the endpoint answers 400; decide against the catalog as a whole.
    return icebergCatalog(req);
  }
  const table = parseTableSegment(name);
  return {
    level: 'asset',
    catalog: req.params.prefix,
    namespace: namespace as string[],
    asset: table.name,
    branch: table.branch ?? MAIN_BRANCH,
  };
}

function parseRawJson(body: unknown): unknown {
  try {
    if (Buffer.isBuffer(body)) return JSON.parse(body.toString('utf8'));
    return body;
  } catch {
    return undefined;
  }
}

/**
 * The branch an Iceberg create or register writes to: the body name's `@branch`, then the namespace
 * segment's, then `?branch=`, then main (contract iceberg-rest §1.5).
 */
function icebergWriteBranch(req: RouteRequest): { catalog: string; branch: string } {
  const body = parseRawJson(req.body) as { name?: unknown } | undefined;
  const nameBranch = typeof body?.name === 'string' ? parseTableSegment(body.name).branch : undefined;
  const namespace = parseNamespaceSegment(req.params.namespace);
  return {
    catalog: req.params.prefix,
    branch: resolveBranch({ table: nameBranch, namespace: namespace.branch, query: req.query.branch }),
  };
}

/** Branch creation checks the action of the branch type it creates (contract §0.3: `ingest`, any case). */
function branchingAction(req: RouteRequest): Action {
  const type = stringField(req.body, 'branch_type');
  return type !== undefined && type.toLowerCase() === 'ingest' ? 'ingest-branching' : 'experimental-branching';
}

/** Iceberg sub-routes, declared once; expanded below to both URL styles. */
const ICEBERG_RULES: { method: RouteRule['method']; path: string; access: Access }[] = [
  { method: 'GET', path: 'namespaces', access: resource('list', icebergNamespaceList) },
  { method: 'POST', path: 'namespaces', access: resource('create', icebergCatalog) },
  { method: 'GET', path: 'namespaces/:namespace', access: resource('read', icebergNamespace) },
  { method: 'HEAD', path: 'namespaces/:namespace', access: resource('read', icebergNamespace) },
  { method: 'DELETE', path: 'namespaces/:namespace', access: resource('delete', icebergNamespace) },
  { method: 'POST', path: 'namespaces/:namespace/properties', access: resource('update', icebergNamespace) },
  { method: 'GET', path: 'namespaces/:namespace/tables', access: resource('list', icebergNamespace) },
  { method: 'POST', path: 'namespaces/:namespace/tables', access: resource('create', icebergNamespace, icebergWriteBranch) },
  { method: 'POST', path: 'namespaces/:namespace/register', access: resource('create', icebergNamespace, icebergWriteBranch) },
  { method: 'GET', path: 'namespaces/:namespace/tables/:table', access: resource('read', icebergTable) },
  { method: 'HEAD', path: 'namespaces/:namespace/tables/:table', access: resource('read', icebergTable) },
  { method: 'POST', path: 'namespaces/:namespace/tables/:table', access: resource('write', icebergTable) },
  { method: 'DELETE', path: 'namespaces/:namespace/tables/:table', access: resource('delete', icebergTable) },
  { method: 'POST', path: 'namespaces/:namespace/tables/:table/metrics', access: resource('read', icebergTable) },
  { method: 'POST', path: 'namespaces/:namespace/tables/:table/maintenance', access: resource('write', icebergTable) },
  { method: 'GET', path: 'namespaces/:namespace/tables/:table/credentials', access: resource('read', icebergTable) },
  { method: 'GET', path: 'namespaces/:namespace/tables/:table/presign', access: resource('read', icebergTable) },
  // A rename removes the source table: `delete` on it (the destination is in the same catalog).
  { method: 'POST', path: 'tables/rename', access: resource('delete', renameSource) },
  { method: 'GET', path: 'namespaces/:namespace/views', access: resource('list', icebergNamespace) },
  { method: 'POST', path: 'namespaces/:namespace/views', access: resource('create', icebergNamespace) },
  { method: 'GET', path: 'namespaces/:namespace/views/:view', access: resource('read', icebergNamespace) },
  { method: 'HEAD', path: 'namespaces/:namespace/views/:view', access: resource('read', icebergNamespace) },
  { method: 'DELETE', path: 'namespaces/:namespace/views/:view', access: resource('delete', icebergNamespace) },
  { method: 'POST', path: 'oauth/tokens', access: PUBLIC },
  { method: 'GET', path: 'config', access: PUBLIC },
];

const ICEBERG_PREFIXES = ['/v1/:prefix', '/v1/:prefix/v1'];

const assetsBase = '/api/v1/catalogs/:catalog_name/namespaces/:namespace/assets';
const assetNamespace = (req: RouteRequest): RequestTarget => ({
  level: 'namespace',
  catalog: req.params.catalog_name,
  namespace: dottedNamespace(req.params.namespace),
});

const mergeOperation = (req: RouteRequest): RequestTarget => ({ level: 'merge-operation', operationId: req.params.operation_id });

export const ROUTE_RULES: readonly RouteRule[] = [
  // Probes, metrics, API documentation, Iceberg configuration and token exchange.
  { method: 'GET', path: '/health', access: PUBLIC },
  { method: 'GET', path: '/health/live', access: PUBLIC },
  { method: 'GET', path: '/health/ready', access: PUBLIC },
  { method: 'GET', path: '/metrics', access: PUBLIC },
  { method: 'GET', path: '/v1/config', access: PUBLIC },
  { method: 'POST', path: '/v1/oauth/tokens', access: PUBLIC },
  { method: 'POST', path: '/api/v1/iceberg/:prefix/oauth/tokens', access: PUBLIC },
  { method: 'POST', path: '/api/v1/iceberg/:prefix/v1/oauth/tokens', access: PUBLIC },
  ...ICEBERG_PREFIXES.flatMap((prefix) => ICEBERG_RULES.map((r) => ({ ...r, path: `${prefix}/${r.path}` }))),

  // Tenants (contract §2.3): root only; a member may read its own tenant.
  { method: 'GET', path: '/api/v1/tenants', access: ROOT },
  { method: 'POST', path: '/api/v1/tenants', access: ROOT },
  { method: 'GET', path: '/api/v1/tenants/:id', access: { kind: 'own-tenant' } },
  { method: 'PUT', path: '/api/v1/tenants/:id', access: ROOT },
  { method: 'DELETE', path: '/api/v1/tenants/:id', access: ROOT },

  // Warehouses belong to the tenant as a whole (they are not a grant scope); they hold storage credentials,
  // so only the tenant's admins change them.
  { method: 'GET', path: '/api/v1/warehouses', access: resource('list', TENANT) },
  { method: 'POST', path: '/api/v1/warehouses', access: TENANT_ADMIN },
  { method: 'GET', path: '/api/v1/warehouses/:name', access: resource('read', TENANT) },
  { method: 'PUT', path: '/api/v1/warehouses/:name', access: TENANT_ADMIN },
  { method: 'DELETE', path: '/api/v1/warehouses/:name', access: TENANT_ADMIN },

  // Catalogs.
  // Every caller may ask; a tenant user's list holds only the catalogs its grants show (CatalogsService.list).
  { method: 'GET', path: '/api/v1/catalogs', access: AUTHENTICATED },
  { method: 'POST', path: '/api/v1/catalogs', access: resource('create', TENANT) },
  { method: 'GET', path: '/api/v1/catalogs/:name', access: resource('read', catalogParam('name')) },
  { method: 'PUT', path: '/api/v1/catalogs/:name', access: resource('update', catalogParam('name')) },
  { method: 'DELETE', path: '/api/v1/catalogs/:name', access: resource('delete', catalogParam('name')) },
  { method: 'GET', path: '/api/v1/catalogs/:name/summary', access: resource('read', catalogParam('name')) },
  { method: 'GET', path: '/api/v1/catalogs/:prefix/namespaces/tree', access: resource('list', catalogParam('prefix')) },

  // Generic assets.
  { method: 'POST', path: assetsBase, access: resource('create', assetNamespace) },
  // Every caller may ask; a tenant user's list holds only the assets its grants show (AssetsService.list).
  { method: 'GET', path: assetsBase, access: AUTHENTICATED },
  {
    method: 'GET',
    path: `${assetsBase}/:asset`,
    access: resource('read', (req) => ({
      level: 'asset',
      catalog: req.params.catalog_name,
      namespace: dottedNamespace(req.params.namespace),
      asset: req.params.asset,
      branch: stringField(req.query, 'branch') ?? MAIN_BRANCH,
    })),
  },

  // Branches, commits, tags, merges (contract §9 #9: merge, rebase and tags need write on the catalog).
  { method: 'POST', path: '/api/v1/branches', access: resource(branchingAction, catalogFrom('body')) },
  { method: 'GET', path: '/api/v1/branches', access: resource('list', catalogFrom('query')) },
  { method: 'GET', path: '/api/v1/branches/:name', access: resource('read', catalogFrom('query')) },
  { method: 'DELETE', path: '/api/v1/branches/:name', access: resource('delete', catalogFrom('query')) },
  { method: 'GET', path: '/api/v1/branches/:name/commits', access: resource('read', catalogFrom('query')) },
  { method: 'POST', path: '/api/v1/branches/merge', access: resource('write', catalogFrom('body')) },
  { method: 'POST', path: '/api/v1/branches/:name/rebase', access: resource('write', catalogFrom('body')) },
  { method: 'POST', path: '/api/v1/tags', access: resource('write', catalogFrom('body', 'catalog', 'default')) },
  { method: 'GET', path: '/api/v1/tags', access: resource('list', catalogFrom('query')) },
  { method: 'DELETE', path: '/api/v1/tags/:name', access: resource('write', catalogFrom('query')) },
  {
    method: 'GET',
    path: '/api/v1/catalogs/:catalog_name/merge-operations',
    access: resource('read', catalogParam('catalog_name')),
  },
  { method: 'GET', path: '/api/v1/merge-operations/:operation_id', access: resource('read', mergeOperation) },
  { method: 'GET', path: '/api/v1/merge-operations/:operation_id/conflicts', access: resource('read', mergeOperation) },
  { method: 'POST', path: '/api/v1/merge-operations/:operation_id/complete', access: resource('write', mergeOperation) },
  { method: 'POST', path: '/api/v1/merge-operations/:operation_id/abort', access: resource('write', mergeOperation) },
  {
    method: 'POST',
    path: '/api/v1/conflicts/:conflict_id/resolve',
    access: resource('write', (req) => ({ level: 'conflict', conflictId: req.params.conflict_id })),
  },

  // Login, session, users (contract §4.9). "Self or admin" is decided by the endpoint.
  { method: 'POST', path: '/api/v1/users/login', access: PUBLIC },
  { method: 'GET', path: '/api/v1/app-config', access: PUBLIC },
  { method: 'GET', path: '/api/v1/users/me', access: AUTHENTICATED },
  { method: 'POST', path: '/api/v1/users/logout', access: AUTHENTICATED },
  { method: 'POST', path: '/api/v1/users', access: ADMIN },
  { method: 'GET', path: '/api/v1/users', access: ADMIN },
  { method: 'GET', path: '/api/v1/users/:id', access: AUTHENTICATED },
  { method: 'PUT', path: '/api/v1/users/:id', access: AUTHENTICATED },
  { method: 'DELETE', path: '/api/v1/users/:id', access: ADMIN },

  // Tokens (contract §4.9, with the §9 #26/#27 fixes).
  { method: 'POST', path: '/api/v1/tokens', access: ADMIN },
  { method: 'POST', path: '/api/v1/tokens/rotate', access: AUTHENTICATED },
  { method: 'DELETE', path: '/api/v1/tokens/:token_id', access: ADMIN },
  { method: 'POST', path: '/api/v1/auth/revoke', access: AUTHENTICATED },
  { method: 'POST', path: '/api/v1/auth/revoke/:token_id', access: ADMIN },
  { method: 'POST', path: '/api/v1/auth/cleanup-tokens', access: ADMIN },
  { method: 'GET', path: '/api/v1/users/me/tokens', access: AUTHENTICATED },
  { method: 'GET', path: '/api/v1/users/:user_id/tokens', access: ADMIN },

  // Roles and grants (contract §4.11): changes are admin-only, so nobody grants themselves anything.
  { method: 'POST', path: '/api/v1/roles', access: ADMIN },
  { method: 'GET', path: '/api/v1/roles', access: AUTHENTICATED },
  { method: 'GET', path: '/api/v1/roles/:id', access: AUTHENTICATED },
  { method: 'PUT', path: '/api/v1/roles/:id', access: ADMIN },
  { method: 'DELETE', path: '/api/v1/roles/:id', access: ADMIN },
  { method: 'POST', path: '/api/v1/users/:id/roles', access: ADMIN },
  { method: 'GET', path: '/api/v1/users/:id/roles', access: AUTHENTICATED },
  { method: 'DELETE', path: '/api/v1/users/:id/roles/:role_id', access: ADMIN },
  { method: 'POST', path: '/api/v1/permissions', access: ADMIN },
  { method: 'GET', path: '/api/v1/permissions', access: AUTHENTICATED },
  { method: 'DELETE', path: '/api/v1/permissions/:id', access: ADMIN },

  // Service users (contract §4.12): admin only.
  { method: 'GET', path: '/api/v1/service-users', access: ADMIN },
  { method: 'POST', path: '/api/v1/service-users', access: ADMIN },
  { method: 'GET', path: '/api/v1/service-users/:id', access: ADMIN },
  { method: 'PUT', path: '/api/v1/service-users/:id', access: ADMIN },
  { method: 'DELETE', path: '/api/v1/service-users/:id', access: ADMIN },
  { method: 'POST', path: '/api/v1/service-users/:id/rotate', access: ADMIN },
];

const RULES_BY_KEY = new Map(ROUTE_RULES.map((rule) => [`${rule.method} ${rule.path}`, rule]));

/** The rule of a routed request; HEAD falls back to GET (Express answers HEAD with a GET route). */
export function ruleFor(method: string, routePath: string): RouteRule | undefined {
  const upper = method.toUpperCase();
  return RULES_BY_KEY.get(`${upper} ${routePath}`) ?? (upper === 'HEAD' ? RULES_BY_KEY.get(`GET ${routePath}`) : undefined);
}
