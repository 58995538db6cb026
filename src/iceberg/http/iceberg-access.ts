import { resource, type Access, type RequestTarget, type RouteRequest } from '../../auth/access';
import { MAIN_BRANCH } from '../../persistence/models';
import { parseNamespaceSegment, parseTableSegment, resolveBranch, splitNamespaceLevels } from './iceberg-paths';

/**
 * What an Iceberg route touches, for the @Access rules of the Iceberg controllers: the prefix is the catalog,
 * namespace levels are joined by U+001F.
 */

export const icebergCatalog = (req: RouteRequest): RequestTarget => ({ level: 'catalog', catalog: req.params.prefix });

export function icebergNamespace(req: RouteRequest): RequestTarget {
  return { level: 'namespace', catalog: req.params.prefix, namespace: parseNamespaceSegment(req.params.namespace).levels };
}

export function icebergTable(req: RouteRequest): RequestTarget {
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
export function icebergNamespaceList(req: RouteRequest): RequestTarget {
  const parent = typeof req.query.parent === 'string' ? splitNamespaceLevels(req.query.parent) : [];
  return parent.length > 0 ? { level: 'namespace', catalog: req.params.prefix, namespace: parent } : icebergCatalog(req);
}

/** The raw Iceberg body of a rename, parsed only to find the source table (ids in it are irrelevant here). */
export function renameSource(req: RouteRequest): RequestTarget {
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
export function icebergWriteBranch(req: RouteRequest): { catalog: string; branch: string } {
  const body = parseRawJson(req.body) as { name?: unknown } | undefined;
  const nameBranch = typeof body?.name === 'string' ? parseTableSegment(body.name).branch : undefined;
  const namespace = parseNamespaceSegment(req.params.namespace);
  return {
    catalog: req.params.prefix,
    branch: resolveBranch({ table: nameBranch, namespace: namespace.branch, query: req.query.branch }),
  };
}

/**
 * Who may commit to a table: the rule of the commit route, also asked by loadTable to decide which storage
 * credentials its caller gets (table-access.ts).
 */
export const TABLE_WRITE_ACCESS: Access = resource('write', icebergTable);
