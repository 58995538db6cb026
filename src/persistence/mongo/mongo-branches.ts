import { NotFoundError } from '../../common/errors';
import { qualifiedAssetName, type Branch, type Pagination } from '../models';
import { BranchesPort, type CreateBranchRequest, type CreatedBranch } from '../ports';
import { MongoBranchCopy, VISIBLE_BRANCH } from './mongo-branch-copy';
import { branchFromDoc, pageBounds, pageStages } from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import type { AssetDoc, BranchDoc } from './mongo-schemas';

export class MongoBranches extends BranchesPort {
  private readonly copier: MongoBranchCopy;

  constructor(private readonly ctx: MongoContext) {
    super();
    this.copier = new MongoBranchCopy(ctx);
  }

  /** Head = source head, rows copied server-side; atomic through a reservation (see MongoBranchCopy). */
  createBranch(tenantId: string, catalogName: string, request: CreateBranchRequest): Promise<CreatedBranch> {
    return guarded(async () => {
      const { branch, copied } = await this.copier.createBranchWithCopy({
        tenantId,
        catalogName,
        name: request.name,
        branchType: request.branchType,
        fromBranch: request.fromBranch,
        selection: request.assets ? { assets: request.assets } : {},
        inheritHead: true,
      });
      return { branch: branchFromDoc(branch), copied };
    });
  }

  getBranch(tenantId: string, catalogName: string, name: string): Promise<Branch | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.branches.findOne({ tenantId, catalogName, name, ...VISIBLE_BRANCH }).lean<BranchDoc>();
      return doc ? branchFromDoc(doc) : null;
    });
  }

  listBranches(tenantId: string, catalogName: string, page?: Pagination): Promise<Branch[]> {
    if (pageBounds(page).empty) return Promise.resolve([]);
    return guarded(async () => {
      const docs = await this.ctx.models.branches.aggregate<BranchDoc>([
        { $match: { tenantId, catalogName, ...VISIBLE_BRANCH } },
        { $sort: { name: 1 } },
        ...pageStages(page),
      ]);
      return docs.map(branchFromDoc);
    });
  }

  listBranchAssetNames(tenantId: string, catalogName: string, branch: string): Promise<string[]> {
    return guarded(async () => {
      if (!(await this.ctx.models.branches.exists({ tenantId, catalogName, name: branch, ...VISIBLE_BRANCH }))) return [];
      const rows = await this.ctx.models.assets.aggregate<Pick<AssetDoc, 'namespace' | 'name'>>([
        { $match: { tenantId, catalogName, branch } },
        { $sort: { namespaceKey: 1, name: 1 } },
        { $project: { _id: 0, namespace: 1, name: 1 } },
      ]);
      return rows.map((row) => qualifiedAssetName(row.namespace, row.name));
    });
  }

  async deleteBranch(tenantId: string, catalogName: string, name: string): Promise<void> {
    const { branches, assets } = this.ctx.models;
    await this.ctx.transactions.run(async (session) => {
      const deleted = await branches.deleteOne({ tenantId, catalogName, name, ...VISIBLE_BRANCH }, { session });
      if (deleted.deletedCount === 0) throw new NotFoundError('branch', name);
      await assets.deleteMany({ tenantId, catalogName, branch: name }, { session });
    });
  }
}
