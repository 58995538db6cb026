import type {
  Asset,
  Branch,
  Catalog,
  Commit,
  MergeConflict,
  MergeOperation,
  Namespace,
  NamespacePath,
  Pagination,
  Tag,
  Tenant,
  Warehouse,
} from '../models';

/**
 * Rows grouped by scope (a tenant, a catalog, a branch, ...), each group keyed by the row's own key. Scopes
 * make tenant-scoped reads and cascading deletes direct instead of a scan of every row.
 */
export class ScopedTable<T> {
  private readonly scopes = new Map<string, Map<string, T>>();

  get(scope: string, key: string): T | undefined {
    return this.scopes.get(scope)?.get(key);
  }

  has(scope: string, key: string): boolean {
    return this.scopes.get(scope)?.has(key) ?? false;
  }

  set(scope: string, key: string, row: T): void {
    let rows = this.scopes.get(scope);
    if (!rows) this.scopes.set(scope, (rows = new Map()));
    rows.set(key, row);
  }

  delete(scope: string, key: string): boolean {
    const rows = this.scopes.get(scope);
    if (!rows?.delete(key)) return false;
    if (rows.size === 0) this.scopes.delete(scope);
    return true;
  }

  /** The live rows of one scope (callers copy before handing them out). */
  rows(scope: string): T[] {
    return [...(this.scopes.get(scope)?.values() ?? [])];
  }

  /** The live rows of every scope (scans; callers copy before handing them out). */
  allRows(): T[] {
    return [...this.scopes.values()].flatMap((rows) => [...rows.values()]);
  }

  deleteScope(scope: string): void {
    this.scopes.delete(scope);
  }
}

/** Composite key of several parts; JSON keeps parts (and namespace levels) apart whatever they contain. */
export function key(...parts: unknown[]): string {
  return JSON.stringify(parts);
}

/** Everything the memory backend stores, plus the lock that serialises its writes. */
export class MemoryState {
  readonly tenants = new ScopedTable<Tenant>(); // scope: '' (tenants are global)
  readonly warehouses = new ScopedTable<Warehouse>(); // scope: tenant; key: name
  readonly catalogs = new ScopedTable<Catalog>(); // scope: tenant; key: name
  readonly namespaces = new ScopedTable<Namespace>(); // scope: (tenant, catalog); key: levels
  readonly branches = new ScopedTable<Branch>(); // scope: (tenant, catalog); key: name
  readonly assets = new ScopedTable<Asset>(); // scope: (tenant, catalog, branch); key: (namespace, name)
  readonly commits = new ScopedTable<Commit>(); // scope: tenant; key: id
  readonly tags = new ScopedTable<Tag>(); // scope: (tenant, catalog); key: name
  readonly mergeOperations = new ScopedTable<MergeOperation>(); // scope: tenant; key: id
  readonly mergeConflicts = new ScopedTable<MergeConflict>(); // scope: tenant; key: id

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Runs `work` alone: writes queue behind each other on one promise chain, so a unit of work (validate
   * everything, then apply) never interleaves with another, even if its body awaits.
   */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

export const catalogScope = (tenantId: string, catalogName: string): string => key(tenantId, catalogName);
export const branchScope = (tenantId: string, catalogName: string, branch: string): string =>
  key(tenantId, catalogName, branch);
export const assetKey = (namespace: NamespacePath, name: string): string => key(namespace, name);

/**
 * Deep copy, so callers can never mutate stored state (and stored state never aliases caller objects).
 * Records hold only JSON values and Dates. Hand-written rather than structuredClone, which builds its Dates
 * in the host realm: under a test runner's sandbox those would fail `instanceof Date`.
 */
export function copy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  // fromEntries defines each key as an own property: a map key named `__proto__` survives the copy.
  return Object.fromEntries(Object.entries(value).map(([field, fieldValue]) => [field, copy(fieldValue)])) as T;
}

/** Binary (Unicode code point) order, the order every backend lists names in. */
export function compareNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++; // skip the low surrogate of a character outside the BMP
  }
  return a.length - b.length;
}

/** Namespace paths level by level; a path sorts before its extensions. */
export function compareLevels(a: NamespacePath, b: NamespacePath): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compareNames(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

export function compareAssets(a: { namespace: NamespacePath; name: string }, b: { namespace: NamespacePath; name: string }) {
  return compareLevels(a.namespace, b.namespace) || compareNames(a.name, b.name);
}

export function paginate<T>(rows: T[], page: Pagination = {}): T[] {
  const offset = page.offset ?? 0;
  return page.limit === undefined ? rows.slice(offset) : rows.slice(offset, offset + page.limit);
}

/** Sorts, paginates and copies: the tail of every list method. */
export function listOf<T>(rows: T[], compare: (a: T, b: T) => number, page?: Pagination): T[] {
  return paginate(rows.sort(compare), page).map(copy);
}
