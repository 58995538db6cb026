import { NotFoundError } from '../../common/errors';
import type { Asset, NamespacePath, Pagination } from '../models';
import { locationOverlapKeys, matchesOverlapKeys } from '../location-keys';
import { AssetsPort } from '../ports';
import {
  assetKey,
  branchScope,
  catalogScope,
  compareAssets,
  compareLevels,
  copy,
  listOf,
  type MemoryState,
} from './memory-state';

export class MemoryAssets extends AssetsPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  async getAsset(
    tenantId: string,
    catalogName: string,
    branch: string,
    namespace: NamespacePath,
    name: string,
  ): Promise<Asset | null> {
    const asset = this.state.assets.get(branchScope(tenantId, catalogName, branch), assetKey(namespace, name));
    return asset ? copy(asset) : null;
  }

  async listAssets(
    tenantId: string,
    catalogName: string,
    branch: string,
    namespace?: NamespacePath,
    page?: Pagination,
  ): Promise<Asset[]> {
    let rows = this.state.assets.rows(branchScope(tenantId, catalogName, branch));
    if (namespace) rows = rows.filter((a) => compareLevels(a.namespace, namespace) === 0);
    return listOf(rows, compareAssets, page);
  }

  async findAssetsOverlappingLocation(tenantId: string, location: string): Promise<Asset[]> {
    const keys = locationOverlapKeys(location);
    return this.state.assets
      .allRows()
      .filter((a) => a.tenantId === tenantId && matchesOverlapKeys(a.location, keys))
      .map(copy);
  }

  copyAssetsBulk(
    tenantId: string,
    catalogName: string,
    srcBranch: string,
    destBranch: string,
    namespace?: NamespacePath,
  ): Promise<number> {
    return this.state.exclusive(() => {
      const scope = catalogScope(tenantId, catalogName);
      if (!this.state.branches.has(scope, srcBranch)) throw new NotFoundError('branch', srcBranch);
      let rows = this.state.assets.rows(branchScope(tenantId, catalogName, srcBranch));
      if (namespace) rows = rows.filter((a) => compareLevels(a.namespace, namespace) === 0);
      if (!this.state.branches.has(scope, destBranch)) {
        this.state.branches.set(scope, destBranch, {
          tenantId,
          catalogName,
          name: destBranch,
          headCommitId: null,
          branchType: 'experimental',
        });
      }
      writeCopies(this.state, rows, destBranch);
      return rows.length;
    });
  }
}

/** Writes a copy of each row onto `destBranch` (same id and key), overwriting a row with the same key. */
export function writeCopies(state: MemoryState, rows: Asset[], destBranch: string): void {
  for (const row of rows) {
    const scope = branchScope(row.tenantId, row.catalogName, destBranch);
    state.assets.set(scope, assetKey(row.namespace, row.name), { ...copy(row), branch: destBranch });
  }
}
