import { randomUUID } from 'node:crypto';
import { withLookupCache } from './lookup-cache';
import { openMemoryPersistence } from './memory/memory-persistence';
import type { Catalog } from './models';
import type { PersistencePorts } from './persistence-ports';

/** The lookup cache over real (memory) ports, with a clock the test moves. */
describe('withLookupCache', () => {
  const tenantId = randomUUID();
  let inner: PersistencePorts;
  let cached: PersistencePorts;
  /** Starts well after 0, as a real clock does (the cache takes a start time of 0 for "no time to live"). */
  const START = 1_700_000_000_000;
  let clock: number;
  let catalogReads: number;

  const catalog = (name: string, storageLocation: string | null = null): Catalog => ({
    id: randomUUID(),
    tenantId,
    name,
    catalogType: 'Local',
    warehouseName: null,
    storageLocation,
    federatedConfig: null,
    properties: {},
  });

  beforeEach(async () => {
    inner = await openMemoryPersistence();
    clock = START;
    catalogReads = 0;
    const getCatalog = inner.catalogs.getCatalog.bind(inner.catalogs);
    inner.catalogs.getCatalog = (t, n) => {
      catalogReads++;
      return getCatalog(t, n);
    };
    cached = withLookupCache(inner, 1000, () => clock);
  });

  it('answers repeated lookups from memory until the entry expires', async () => {
    await inner.catalogs.createCatalog(catalog('sales'));
    expect((await cached.catalogs.getCatalog(tenantId, 'sales'))?.name).toBe('sales');
    expect((await cached.catalogs.getCatalog(tenantId, 'sales'))?.name).toBe('sales');
    expect(catalogReads).toBe(1);
    clock = START + 1001;
    await cached.catalogs.getCatalog(tenantId, 'sales');
    expect(catalogReads).toBe(2);
  });

  it('sees a change made elsewhere (another replica) only after the time to live', async () => {
    await inner.catalogs.createCatalog(catalog('sales', 'file:///a'));
    await cached.catalogs.getCatalog(tenantId, 'sales');
    await inner.catalogs.updateCatalog(tenantId, 'sales', { storageLocation: 'file:///b' });
    expect((await cached.catalogs.getCatalog(tenantId, 'sales'))?.storageLocation).toBe('file:///a');
    clock = START + 1001;
    expect((await cached.catalogs.getCatalog(tenantId, 'sales'))?.storageLocation).toBe('file:///b');
  });

  it('never caches a miss: a catalog created elsewhere is found at once', async () => {
    expect(await cached.catalogs.getCatalog(tenantId, 'late')).toBeNull();
    await inner.catalogs.createCatalog(catalog('late'));
    expect((await cached.catalogs.getCatalog(tenantId, 'late'))?.name).toBe('late');
  });

  it("reads this instance's own writes at once", async () => {
    await cached.catalogs.createCatalog(catalog('sales', 'file:///a'));
    await cached.catalogs.getCatalog(tenantId, 'sales');
    await cached.catalogs.updateCatalog(tenantId, 'sales', { storageLocation: 'file:///b' });
    expect((await cached.catalogs.getCatalog(tenantId, 'sales'))?.storageLocation).toBe('file:///b');
    await cached.catalogs.deleteCatalog(tenantId, 'sales');
    expect(await cached.catalogs.getCatalog(tenantId, 'sales')).toBeNull();
  });

  it('does not store a row read while a write of the tenant was under way', async () => {
    await cached.catalogs.createCatalog(catalog('sales', 'file:///a'));
    // The read starts, the write completes, then the read's (old) result arrives.
    let releaseRead!: () => void;
    const readGate = new Promise<void>((resolve) => (releaseRead = resolve));
    const getCatalog = inner.catalogs.getCatalog;
    const oldRow = await inner.catalogs.getCatalog(tenantId, 'sales');
    inner.catalogs.getCatalog = async () => {
      await readGate;
      return oldRow;
    };
    const slowRead = cached.catalogs.getCatalog(tenantId, 'sales');
    inner.catalogs.getCatalog = getCatalog;
    await cached.catalogs.updateCatalog(tenantId, 'sales', { storageLocation: 'file:///b' });
    releaseRead();
    expect((await slowRead)?.storageLocation).toBe('file:///a');
    expect((await cached.catalogs.getCatalog(tenantId, 'sales'))?.storageLocation).toBe('file:///b');
  });

  it("a write drops its tenant's entries only", async () => {
    const otherTenant = randomUUID();
    await inner.catalogs.createCatalog(catalog('sales'));
    await inner.catalogs.createCatalog({ ...catalog('sales'), tenantId: otherTenant });
    await cached.catalogs.getCatalog(tenantId, 'sales');
    await cached.catalogs.getCatalog(otherTenant, 'sales');
    await cached.catalogs.createCatalog({ ...catalog('hr'), tenantId: otherTenant });
    await cached.catalogs.getCatalog(tenantId, 'sales');
    expect(catalogReads).toBe(2);
    await cached.catalogs.getCatalog(otherTenant, 'sales');
    expect(catalogReads).toBe(3);
  });

  it('hands out copies: a caller mutating its result does not change the cache', async () => {
    await inner.catalogs.createCatalog(catalog('sales'));
    const first = await cached.catalogs.getCatalog(tenantId, 'sales');
    first!.properties.mutated = 'yes';
    expect((await cached.catalogs.getCatalog(tenantId, 'sales'))?.properties).toEqual({});
  });

  it('is off with a time to live of 0', async () => {
    expect(withLookupCache(inner, 0)).toBe(inner);
  });
});
