import { ValidationError } from '../common/errors';
import type { Catalog, NamespacePath, Warehouse } from '../persistence/models';
import { InvalidLocationError, isLocationUnder, joinLocation, normalizeLocation, ObjectStorage } from '../storage';

/**
 * Where a table's files live (DESIGN §2.10, contract iceberg-rest §7.1), and which locations a catalog may
 * use at all.
 *
 * The root a catalog's tables must stay under:
 *   - the catalog's warehouse root, when it has a warehouse;
 *   - otherwise its `storage_location`, when it has one;
 *   - otherwise the server's default warehouse, `file://<data dir>/warehouse/<catalog>`.
 * The default location of a new table:
 *   `<storage_location or warehouse root/<catalog> or default root/<catalog>>/<namespace levels>/<table>`.
 */
export interface CatalogStorage {
  catalog: Catalog;
  warehouse: Warehouse | null;
}

/** The root every table location of the catalog must lie strictly below. */
export function catalogStorageRoot(storage: ObjectStorage, { catalog, warehouse }: CatalogStorage): string {
  if (warehouse) return storage.warehouseRootLocation(warehouse);
  if (catalog.storageLocation) return normalizeLocation(catalog.storageLocation);
  return joinLocation(storage.defaultWarehouseLocation, catalog.name);
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
  const base = target.catalog.storageLocation
    ? normalizeLocation(target.catalog.storageLocation)
    : target.warehouse
      ? joinLocation(storage.warehouseRootLocation(target.warehouse), target.catalog.name)
      : joinLocation(storage.defaultWarehouseLocation, target.catalog.name);
  const location = joinLocation(base, ...namespace, table);
  assertTableLocationAllowed(storage, target, location);
  return location;
}

/**
 * The location as it will be stored (canonical spelling, no trailing `/`). InvalidLocationError (400) when
 * it is malformed, has `.`/`..` segments, or is not strictly inside the catalog's storage root.
 */
export function assertTableLocationAllowed(storage: ObjectStorage, target: CatalogStorage, location: string): string {
  const normalized = normalizeLocation(location);
  const root = catalogStorageRoot(storage, target);
  if (!isLocationUnder(normalized, root)) {
    throw new InvalidLocationError(location, `it is not inside the catalog's storage location (${root})`);
  }
  return normalized;
}
