import { ValidationError } from '../common/errors';
import type { Asset, Catalog, NamespacePath, Warehouse } from '../persistence/models';
import type { AssetsPort } from '../persistence/ports';
import {
  assertRealPathInside,
  InvalidLocationError,
  isLocationUnder,
  joinLocation,
  locationsOverlap,
  normalizeLocation,
  ObjectStorage,
} from '../storage';

/**
 * Where a table's files live (DESIGN §2.10, contract iceberg-rest §7.1), and which locations a catalog may
 * use at all. Every location of a tenant stays inside that tenant's storage:
 *
 * The storage BASE of a catalog: its warehouse's root, or without a warehouse the tenant's default root
 * `<default warehouse root>/<tenant id>`. A catalog `storage_location` must lie strictly inside the base.
 *
 * The ROOT a catalog's tables must stay strictly under:
 *   - the catalog's warehouse root, when it has a warehouse (tables created earlier under
 *     `<root>/<catalog>` stay valid);
 *   - otherwise its `storage_location`, when it has one;
 *   - otherwise `<default warehouse root>/<tenant id>/<catalog>`.
 * The default location of a new table:
 *   `<storage_location or base/<tenant id>/<catalog> (warehouse) or base/<catalog> (default)>/<namespace levels>/<table>`,
 *   i.e. `<warehouse root>/<tenant id>/<catalog>/...` on both kinds of warehouse.
 * A table location (create, register, `set-location`) must also not be equal to, contain or lie inside the
 * location of any other asset of the tenant, on any branch of any catalog: purging one table must never
 * delete another's files. Rows of the same table on other branches are excepted — same asset id, or the
 * same catalog, namespace and name at exactly the same location (a table added on two branches
 * independently); a purge keeps files another branch still uses.
 */
export interface CatalogStorage {
  catalog: Catalog;
  warehouse: Warehouse | null;
}

const CATALOG_ROOT_RULE = "the catalog's storage location";

/** Where everything of the catalog lives: its warehouse root, or the tenant's default root. */
export function catalogStorageBase(storage: ObjectStorage, { catalog, warehouse }: CatalogStorage): string {
  return warehouse ? storage.warehouseRootLocation(warehouse) : storage.tenantDefaultLocation(catalog.tenantId);
}

/**
 * A catalog's `storage_location` (create and update): strictly inside its warehouse root, or without a
 * warehouse inside the tenant's default root, symbolic links resolved. InvalidLocationError (400).
 */
export async function assertCatalogStorageLocationAllowed(storage: ObjectStorage, target: CatalogStorage): Promise<void> {
  const location = target.catalog.storageLocation;
  if (!location) return;
  const base = catalogStorageBase(storage, target);
  const rule = target.warehouse ? `warehouse '${target.warehouse.name}'` : "this tenant's default storage";
  await assertRealPathInside(normalizeLocation(location), base, rule);
}

/** The root every table location of the catalog must lie strictly below. */
export function catalogStorageRoot(storage: ObjectStorage, target: CatalogStorage): string {
  const { catalog, warehouse } = target;
  if (warehouse) return storage.warehouseRootLocation(warehouse);
  if (catalog.storageLocation) {
    const root = normalizeLocation(catalog.storageLocation);
    // A storage_location stored before it was validated must not open the rest of the server.
    if (!isLocationUnder(root, catalogStorageBase(storage, target))) {
      throw new InvalidLocationError(
        catalog.storageLocation,
        "the catalog's storage_location is outside this tenant's storage; update the catalog",
      );
    }
    return root;
  }
  return joinLocation(storage.tenantDefaultLocation(catalog.tenantId), catalog.name);
}

/** Where a new table goes when the request names no location. */
export function defaultTableLocation(
  storage: ObjectStorage,
  target: CatalogStorage,
  namespace: NamespacePath,
  table: string,
): string {
  for (const segment of [...namespace, table]) {
    // Each level becomes one directory: a level that is not a plain directory name could reach another
    // table's files, so such a table needs an explicit location.
    if (segment.includes('/') || segment === '.' || segment === '..' || segment.includes('\0')) {
      throw new ValidationError(
        `Cannot derive a table location from '${segment}': give the table an explicit location`,
      );
    }
  }
  const { catalog, warehouse } = target;
  const base = catalog.storageLocation
    ? normalizeLocation(catalog.storageLocation)
    : warehouse
      ? joinLocation(storage.warehouseRootLocation(warehouse), catalog.tenantId, catalog.name)
      : joinLocation(storage.tenantDefaultLocation(catalog.tenantId), catalog.name);
  const location = joinLocation(base, ...namespace, table);
  assertTableLocationAllowed(storage, target, location);
  return location;
}

/**
 * The location as it will be stored (canonical spelling, no trailing `/`). InvalidLocationError (400) when
 * it is malformed, has `.`/`..` segments, or is not strictly inside the catalog's storage root. Lexical
 * only: assertTableLocationConfined adds the file-system and overlap checks.
 */
export function assertTableLocationAllowed(storage: ObjectStorage, target: CatalogStorage, location: string): string {
  const normalized = normalizeLocation(location);
  if (!isLocationUnder(normalized, catalogStorageRoot(storage, target))) {
    throw new InvalidLocationError(location, `it is not inside ${CATALOG_ROOT_RULE}`);
  }
  return normalized;
}

/**
 * A file the catalog may read (a registered metadata file) or a location it may write to: lexically inside
 * the catalog's root, and inside both the root and the storage base once symbolic links are resolved.
 * Returns the canonical location.
 */
export async function assertInsideCatalogStorage(storage: ObjectStorage, target: CatalogStorage, location: string): Promise<string> {
  const normalized = assertTableLocationAllowed(storage, target, location);
  await assertRealPathInside(normalized, catalogStorageRoot(storage, target), CATALOG_ROOT_RULE);
  await assertRealPathInside(normalized, catalogStorageBase(storage, target), CATALOG_ROOT_RULE);
  return normalized;
}

/** The table a location is checked for: its row on `branch`, and its id when it already has one. */
export interface TableIdentity {
  branch: string;
  namespace: NamespacePath;
  name: string;
  id: string | undefined;
}

/**
 * A new or changed table location: assertInsideCatalogStorage, and no other asset of the tenant (any
 * catalog, any branch) at, above or below it, except rows of the same table (see the module comment).
 * Returns the canonical location.
 */
export async function assertTableLocationConfined(
  storage: ObjectStorage,
  assets: AssetsPort,
  target: CatalogStorage,
  table: TableIdentity,
  location: string,
): Promise<string> {
  const normalized = await assertInsideCatalogStorage(storage, target, location);
  const rows = await assets.findAssetsOverlappingLocation(target.catalog.tenantId, normalized);
  if (rows.some((row) => locationsOverlap(row.location, normalized) && !isSameTable(row, target.catalog, table, normalized))) {
    throw new InvalidLocationError(location, 'it is, contains or lies inside the location of another table or asset');
  }
  return normalized;
}

function isSameTable(row: Asset, catalog: Catalog, table: TableIdentity, location: string): boolean {
  if (table.id !== undefined && row.id === table.id) return true;
  return (
    row.catalogName === catalog.name &&
    row.branch !== table.branch &&
    row.name === table.name &&
    row.namespace.length === table.namespace.length &&
    row.namespace.every((level, i) => level === table.namespace[i]) &&
    normalizeLocation(row.location) === location
  );
}
