import { AlreadyExistsError, NotFoundError } from '../../common/errors';
import { qualifiedAssetName, type Asset, type Branch, type Pagination } from '../models';
import { BranchesPort, type CreateBranchRequest, type CreatedBranch } from '../ports';
import { writeCopies } from './memory-assets';
import { assetKey, branchScope, catalogScope, compareAssets, compareNames, copy, listOf, type MemoryState } from './memory-state';

export class MemoryBranches extends BranchesPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  createBranch(tenantId: string, catalogName: string, request: CreateBranchRequest): Promise<CreatedBranch> {
    return this.state.exclusive(() => {
      // Validate everything first, then apply: a failed request leaves no branch and no rows.
      const scope = catalogScope(tenantId, catalogName);
      const source = this.state.branches.get(scope, request.fromBranch);
      if (!source) throw new NotFoundError('branch', request.fromBranch);
      if (this.state.branches.has(scope, request.name)) throw new AlreadyExistsError('branch', request.name);

      const sourceScope = branchScope(tenantId, catalogName, request.fromBranch);
      let rows: Asset[];
      if (request.assets === undefined) {
        rows = this.state.assets.rows(sourceScope);
      } else {
        const selected = new Map<string, Asset>();
        for (const { namespace, name } of request.assets) {
          const row = this.state.assets.get(sourceScope, assetKey(namespace, name));
          if (!row) throw new NotFoundError('asset', qualifiedAssetName(namespace, name));
          selected.set(assetKey(namespace, name), row);
        }
        rows = [...selected.values()];
      }

      const branch: Branch = {
        tenantId,
        catalogName,
        name: request.name,
        headCommitId: source.headCommitId,
        branchType: request.branchType,
      };
      this.state.branches.set(scope, branch.name, copy(branch));
      writeCopies(this.state, rows, branch.name);
      return { branch: copy(branch), copied: rows.length };
    });
  }

  async getBranch(tenantId: string, catalogName: string, name: string): Promise<Branch | null> {
    const branch = this.state.branches.get(catalogScope(tenantId, catalogName), name);
    return branch ? copy(branch) : null;
  }

  async listBranches(tenantId: string, catalogName: string, page?: Pagination): Promise<Branch[]> {
    return listOf(this.state.branches.rows(catalogScope(tenantId, catalogName)), (a, b) => compareNames(a.name, b.name), page);
  }

  async listBranchAssetNames(tenantId: string, catalogName: string, branch: string): Promise<string[]> {
    return this.state.assets
      .rows(branchScope(tenantId, catalogName, branch))
      .sort(compareAssets)
      .map((a) => qualifiedAssetName(a.namespace, a.name));
  }

  deleteBranch(tenantId: string, catalogName: string, name: string): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.branches.delete(catalogScope(tenantId, catalogName), name)) throw new NotFoundError('branch', name);
      this.state.assets.deleteScope(branchScope(tenantId, catalogName, name));
    });
  }
}
