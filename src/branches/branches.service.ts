import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { MAIN_BRANCH, type Branch, type BranchType, type Pagination } from '../persistence/models';
import { BranchesPort, CatalogsPort } from '../persistence/ports';
import { parseQualifiedAssetName, requireCatalogExists, validateName } from '../common/http/management-names';

export interface CreateBranchInput {
  name: string;
  catalog: string;
  branchType?: string | null;
  fromBranch?: string | null;
  assets?: string[] | null;
}

/** A branch with the qualified names of the assets it holds (the `assets` field of BranchResponse). */
export interface BranchWithAssets {
  branch: Branch;
  assets: string[];
}

/**
 * Branches of a catalog (contract management §1.3.1–1.3.4, DESIGN §2.5): a new branch starts at its source
 * branch's head and gets its assets in the same atomic store call.
 */
@Injectable()
export class BranchesService {
  constructor(
    private readonly catalogs: CatalogsPort,
    private readonly branches: BranchesPort,
  ) {}

  async create(principal: Principal, input: CreateBranchInput): Promise<BranchWithAssets> {
    validateName('branch', input.name);
    const tenantId = principal.tenantId;
    // Parse the whole list before touching the store: a malformed name fails the request with nothing written.
    const assets = input.assets == null ? undefined : uniqueAssets(input.assets);
    await requireCatalogExists(this.catalogs, tenantId, input.catalog);
    const created = await this.branches.createBranch(tenantId, input.catalog, {
      name: input.name,
      branchType: parseBranchType(input.branchType),
      fromBranch: input.fromBranch ?? MAIN_BRANCH,
      assets,
    });
    return this.withAssets(tenantId, input.catalog, created.branch);
  }

  /** Branches of the catalog by name. An unknown catalog has none (contract management §1.3.2). */
  async list(principal: Principal, catalog: string, page: Pagination): Promise<BranchWithAssets[]> {
    const branches = await this.branches.listBranches(principal.tenantId, catalog, page);
    return Promise.all(branches.map((branch) => this.withAssets(principal.tenantId, catalog, branch)));
  }

  async get(principal: Principal, catalog: string, name: string): Promise<BranchWithAssets> {
    const branch = await this.branches.getBranch(principal.tenantId, catalog, name);
    if (!branch) throw new NotFoundError('branch', name);
    return this.withAssets(principal.tenantId, catalog, branch);
  }

  /** Removes the branch and its asset rows; commits and tags stay. `main` is never deleted. */
  async delete(principal: Principal, catalog: string, name: string): Promise<void> {
    if (name === MAIN_BRANCH) throw new ValidationError('The main branch cannot be deleted');
    await requireCatalogExists(this.catalogs, principal.tenantId, catalog);
    await this.branches.deleteBranch(principal.tenantId, catalog, name);
  }

  private async withAssets(tenantId: string, catalog: string, branch: Branch): Promise<BranchWithAssets> {
    return { branch, assets: await this.branches.listBranchAssetNames(tenantId, catalog, branch.name) };
  }
}

/** `ingest` in any case is an ingest branch; anything else, or nothing, is experimental (contract §0.3). */
export function parseBranchType(raw: string | null | undefined): BranchType {
  return raw?.toLowerCase() === 'ingest' ? 'ingest' : 'experimental';
}

function uniqueAssets(qualifiedNames: string[]): { namespace: string[]; name: string }[] {
  const seen = new Set<string>();
  const assets: { namespace: string[]; name: string }[] = [];
  for (const qualified of qualifiedNames) {
    const asset = parseQualifiedAssetName(qualified);
    if (seen.has(qualified)) continue;
    seen.add(qualified);
    assets.push(asset);
  }
  return assets;
}
