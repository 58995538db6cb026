import type { Catalog, Pagination, StringMap } from '../models';

/** An omitted (undefined) field keeps its stored value; null clears a nullable field. */
export interface CatalogPatch {
  warehouseName?: string | null;
  storageLocation?: string | null;
  federatedConfig?: { properties: StringMap } | null;
  /** Merged into the stored map: keys are added or overwritten, never removed. */
  properties?: StringMap;
}

export abstract class CatalogsPort {
  /**
   * Inserts the catalog together with its namespace `["default"]` and its branch `main` (type ingest,
   * head null), in one atomic write. Throws AlreadyExistsError('catalog') when the name is taken in the
   * tenant (and then writes nothing).
   */
  abstract createCatalog(catalog: Catalog): Promise<Catalog>;

  /** Returns the catalog, or null. */
  abstract getCatalog(tenantId: string, name: string): Promise<Catalog | null>;

  /** The tenant's catalogs ordered by name, then paginated. */
  abstract listCatalogs(tenantId: string, page?: Pagination): Promise<Catalog[]>;

  /** Applies the patch atomically and returns the result. Throws NotFoundError('catalog'). */
  abstract updateCatalog(tenantId: string, name: string, patch: CatalogPatch): Promise<Catalog>;

  /**
   * Deletes the catalog and, in the same atomic write, its namespaces, asset rows on every branch, branches
   * and tags (commits and merge operations are kept). Throws NotFoundError('catalog').
   */
  abstract deleteCatalog(tenantId: string, name: string): Promise<void>;
}
