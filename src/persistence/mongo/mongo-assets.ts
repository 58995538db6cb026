import { ConflictError } from '../../common/errors';
import type { Asset, NamespacePath, Pagination } from '../models';
import { locationOverlapKeys } from '../location-keys';
import { AssetsPort } from '../ports';
import { MongoBranchCopy, isReservation, selectsNothing, type CopySelection } from './mongo-branch-copy';
import { assetFromDoc, namespaceKey, pageBounds, pageStages } from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import type { AssetDoc, BranchDoc } from './mongo-schemas';

export class MongoAssets extends AssetsPort {
  private readonly copier: MongoBranchCopy;

  constructor(private readonly ctx: MongoContext) {
    super();
    this.copier = new MongoBranchCopy(ctx);
  }

  getAsset(tenantId: string, catalogName: string, branch: string, namespace: NamespacePath, name: string): Promise<Asset | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.assets
        .findOne({ tenantId, catalogName, branch, namespaceKey: namespaceKey(namespace), name })
        .lean<AssetDoc>();
      return doc ? assetFromDoc(doc) : null;
    });
  }

  listAssets(
    tenantId: string,
    catalogName: string,
    branch: string,
    namespace?: NamespacePath,
    page?: Pagination,
  ): Promise<Asset[]> {
    if (pageBounds(page).empty) return Promise.resolve([]);
    const match: Record<string, unknown> = { tenantId, catalogName, branch };
    if (namespace) match.namespaceKey = namespaceKey(namespace);
    return guarded(async () => {
      const docs = await this.ctx.models.assets.aggregate<AssetDoc>([
        { $match: match },
        { $sort: { namespaceKey: 1, name: 1 } },
        ...pageStages(page),
      ]);
      return docs.map(assetFromDoc);
    });
  }

  findAssetsOverlappingLocation(tenantId: string, location: string): Promise<Asset[]> {
    const { sameOrAbove, belowPrefix } = locationOverlapKeys(location);
    const below = new RegExp(`^${belowPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    return guarded(async () => {
      const docs = await this.ctx.models.assets
        .find({ tenantId, $or: [{ location: { $in: sameOrAbove } }, { location: below }] })
        .lean<AssetDoc[]>();
      return docs.map(assetFromDoc);
    });
  }

  /**
   * A missing destination is created through the reservation protocol of MongoBranchCopy (all or nothing).
   * Onto an existing destination the copy is the single `$merge` pipeline, after every check that could
   * make it stop half-way.
   */
  copyAssetsBulk(
    tenantId: string,
    catalogName: string,
    srcBranch: string,
    destBranch: string,
    namespace?: NamespacePath,
  ): Promise<number> {
    const selection: CopySelection = namespace ? { namespace } : {};
    return guarded(async () => {
      await this.copier.requireBranch(tenantId, catalogName, srcBranch);
      const dest = await this.ctx.models.branches.findOne({ tenantId, catalogName, name: destBranch }).lean<BranchDoc>();
      if (!dest) {
        const { copied } = await this.copier.createBranchWithCopy({
          tenantId,
          catalogName,
          name: destBranch,
          branchType: 'experimental',
          fromBranch: srcBranch,
          selection,
          inheritHead: false,
        });
        return copied;
      }
      if (isReservation(dest)) throw new ConflictError(`Branch '${destBranch}' is being created`);
      if (selectsNothing(selection)) return 0;
      await this.copier.refuseIdClashes(tenantId, catalogName, srcBranch, destBranch, selection);
      const count = await this.ctx.models.assets.countDocuments(
        this.copier.sourceFilter(tenantId, catalogName, srcBranch, selection),
      );
      await this.copier.mergeRows(tenantId, catalogName, srcBranch, destBranch, selection);
      return count;
    });
  }
}
