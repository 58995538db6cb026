import type { Branch, BranchType, NamespacePath, Pagination } from '../models';

export interface CreateBranchRequest {
  name: string;
  branchType: BranchType;
  fromBranch: string;
  /**
   * Assets to copy. Undefined copies every asset of `fromBranch` (copyAssetsBulk); a list copies exactly
   * those, still in one statement.
   */
  assets?: { namespace: NamespacePath; name: string }[];
}

export interface CreatedBranch {
  branch: Branch;
  /** Number of asset rows copied onto the new branch. */
  copied: number;
}

export abstract class BranchesPort {
  /**
   * Creates a branch whose head is the source branch's head and copies the selected asset rows onto it, in
   * ONE transaction. Throws NotFoundError('branch') when `fromBranch` is missing, NotFoundError('asset')
   * naming the first listed asset absent from the source, AlreadyExistsError('branch') when the name is
   * taken. On any error nothing is written (no branch, no rows). The NotFoundError's `resourceName` is the
   * asset's qualified name (`ns1.ns2.asset`). Copied rows keep their ids (see Asset).
   */
  abstract createBranch(tenantId: string, catalogName: string, request: CreateBranchRequest): Promise<CreatedBranch>;

  /** Returns the branch, or null. */
  abstract getBranch(tenantId: string, catalogName: string, name: string): Promise<Branch | null>;

  /** Branches of the catalog ordered by name, then paginated. */
  abstract listBranches(tenantId: string, catalogName: string, page?: Pagination): Promise<Branch[]>;

  /**
   * Qualified names (`ns1.ns2.asset`) of the asset rows on the branch, ordered. Used for the `assets` field
   * of branch responses. Ordered like listAssets (namespace level by level, then name), not by the joined
   * string. A missing branch gives [].
   */
  abstract listBranchAssetNames(tenantId: string, catalogName: string, branch: string): Promise<string[]>;

  /**
   * Deletes the branch and its asset rows atomically (commits and tags stay). Throws
   * NotFoundError('branch').
   */
  abstract deleteBranch(tenantId: string, catalogName: string, name: string): Promise<void>;
}
