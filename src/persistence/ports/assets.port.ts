import type { Asset, NamespacePath, Pagination } from '../models';

/** Read access to asset rows, and the bulk branch copy. Writes go through UnitOfWorkPort.commitChanges. */
export abstract class AssetsPort {
  /** Returns the asset row on that branch, or null. */
  abstract getAsset(
    tenantId: string,
    catalogName: string,
    branch: string,
    namespace: NamespacePath,
    name: string,
  ): Promise<Asset | null>;

  /**
   * Asset rows of one branch, optionally of one namespace only (exact match, not nested ones), ordered by
   * namespace then name, then paginated. A missing branch gives [].
   */
  abstract listAssets(
    tenantId: string,
    catalogName: string,
    branch: string,
    namespace?: NamespacePath,
    page?: Pagination,
  ): Promise<Asset[]>;

  /**
   * Asset rows of the tenant, on every branch of every catalog, whose location equals `location`, contains
   * it or lies inside it (compared segment-wise: `.../t` does not contain `.../t2`). `location` is canonical
   * (see normalizeLocation); stored rows match in their stored spelling, with or without a trailing `/`.
   * One query per backend.
   */
  abstract findAssetsOverlappingLocation(tenantId: string, location: string): Promise<Asset[]>;

  /**
   * Copies every asset row of `srcBranch` (or only those in `namespace`) onto `destBranch` with ONE
   * server-side statement: same namespace, name, id, kind, location and properties; a dest row with the same
   * key is overwritten. Creates `destBranch` (experimental, head null) when missing. All or nothing. Returns
   * the number of rows copied. Throws NotFoundError('branch') when `srcBranch` does not exist.
   * `namespace` matches exactly (nested namespaces are not copied). An existing `destBranch` keeps its head
   * and its rows whose keys the source does not have. No commit is written.
   */
  abstract copyAssetsBulk(
    tenantId: string,
    catalogName: string,
    srcBranch: string,
    destBranch: string,
    namespace?: NamespacePath,
  ): Promise<number>;
}
