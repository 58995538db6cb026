import { LRUCache } from 'lru-cache';
import type { Catalog, Pagination, Warehouse } from './models';
import { CatalogPatch, CatalogsPort, WarehousesPort } from './ports';
import type { WarehousePatch } from './ports/warehouses.port';
import type { PersistencePorts } from './persistence-ports';

/**
 * A short-lived cache of the two lookups every Iceberg request makes before it reaches its table: the
 * catalog (prefix) and its warehouse. On a networked database each lookup is a round trip whose cost
 * dominates a loadTable of a small table (measured: three round trips per request, catalog + warehouse +
 * table pointer, held loadTable to ~860 requests/s against PostgreSQL on 2 cores).
 *
 * What is cached, and why it is safe:
 * - Only found rows, for at most `ttlMs`. A catalog created on another replica is seen at once (a miss is
 *   never cached); one changed or deleted on another replica is seen after at most `ttlMs`.
 * - Every write through this instance's port drops the tenant's cached entries before it returns, so this
 *   instance reads its own writes.
 * - Table pointers, branches and everything a commit checks are never cached: a commit re-checks the
 *   catalog and the branch inside its transaction, so a stale entry cannot make a write land in a deleted
 *   catalog; it can only answer a read or a 404 up to `ttlMs` late.
 * - Entries are copies: callers may mutate what they get.
 */
export function withLookupCache(ports: PersistencePorts, ttlMs: number, now: () => number = Date.now): PersistencePorts {
  if (ttlMs <= 0) return ports;
  return {
    ...ports,
    catalogs: new CachedCatalogs(ports.catalogs, new TtlCache<Catalog>(ttlMs, now)),
    warehouses: new CachedWarehouses(ports.warehouses, new TtlCache<Warehouse>(ttlMs, now)),
  };
}

/** Bounded so a scan over many names cannot grow it without limit; least recently used entries go first. */
const MAX_ENTRIES = 10_000;

class TtlCache<V extends object> {
  private readonly entries: LRUCache<string, V>;
  /** Bumped by every write of the tenant: a load that overlapped a write does not store its result. */
  private readonly generations = new Map<string, number>();

  constructor(ttlMs: number, now: () => number) {
    // ttlResolution 0: read the clock on every check rather than reuse a reading for a millisecond (which
    // would start a timer per lookup).
    this.entries = new LRUCache<string, V>({ max: MAX_ENTRIES, ttl: ttlMs, ttlResolution: 0, perf: { now } });
  }

  async get(tenantId: string, name: string, load: () => Promise<V | null>): Promise<V | null> {
    const key = `${tenantId}\u0000${name}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) return structuredClone(hit);
    const generation = this.generations.get(tenantId) ?? 0;
    const value = await load();
    if (value === null) {
      this.entries.delete(key);
      return null;
    }
    if ((this.generations.get(tenantId) ?? 0) !== generation) return value;
    this.entries.set(key, structuredClone(value));
    return value;
  }

  /** Drops every entry of the tenant (called around writes, so concurrent loads cannot re-add a stale row). */
  forgetTenant(tenantId: string): void {
    this.generations.set(tenantId, (this.generations.get(tenantId) ?? 0) + 1);
    const prefix = `${tenantId}\u0000`;
    // Collected first: deleting while walking the cache's own list would skip entries.
    const keys = [...this.entries.keys()].filter((key) => key.startsWith(prefix));
    for (const key of keys) this.entries.delete(key);
  }

  async writing<T>(tenantId: string, write: () => Promise<T>): Promise<T> {
    this.forgetTenant(tenantId);
    try {
      return await write();
    } finally {
      this.forgetTenant(tenantId);
    }
  }
}

class CachedCatalogs extends CatalogsPort {
  constructor(
    private readonly inner: CatalogsPort,
    private readonly cache: TtlCache<Catalog>,
  ) {
    super();
  }

  getCatalog(tenantId: string, name: string): Promise<Catalog | null> {
    return this.cache.get(tenantId, name, () => this.inner.getCatalog(tenantId, name));
  }

  listCatalogs(tenantId: string, page?: Pagination): Promise<Catalog[]> {
    return this.inner.listCatalogs(tenantId, page);
  }

  createCatalog(catalog: Catalog): Promise<Catalog> {
    return this.cache.writing(catalog.tenantId, () => this.inner.createCatalog(catalog));
  }

  updateCatalog(tenantId: string, name: string, patch: CatalogPatch): Promise<Catalog> {
    return this.cache.writing(tenantId, () => this.inner.updateCatalog(tenantId, name, patch));
  }

  deleteCatalog(tenantId: string, name: string): Promise<void> {
    return this.cache.writing(tenantId, () => this.inner.deleteCatalog(tenantId, name));
  }
}

class CachedWarehouses extends WarehousesPort {
  constructor(
    private readonly inner: WarehousesPort,
    private readonly cache: TtlCache<Warehouse>,
  ) {
    super();
  }

  getWarehouse(tenantId: string, name: string): Promise<Warehouse | null> {
    return this.cache.get(tenantId, name, () => this.inner.getWarehouse(tenantId, name));
  }

  listWarehouses(tenantId: string, page?: Pagination): Promise<Warehouse[]> {
    return this.inner.listWarehouses(tenantId, page);
  }

  listAllWarehouses(): Promise<Warehouse[]> {
    return this.inner.listAllWarehouses();
  }

  createWarehouse(warehouse: Warehouse): Promise<Warehouse> {
    return this.cache.writing(warehouse.tenantId, () => this.inner.createWarehouse(warehouse));
  }

  updateWarehouse(tenantId: string, name: string, patch: WarehousePatch): Promise<Warehouse> {
    return this.cache.writing(tenantId, () => this.inner.updateWarehouse(tenantId, name, patch));
  }

  deleteWarehouse(tenantId: string, name: string): Promise<void> {
    return this.cache.writing(tenantId, () => this.inner.deleteWarehouse(tenantId, name));
  }
}
