import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors';
import { qualifiedAssetName, type BranchType, type NamespacePath } from '../models';
import type { AssetKey } from '../ports';
import { namespaceKey } from './mongo-codec';
import { type MongoContext } from './mongo-context';
import { isDuplicateKeyError, translateMongoError } from './mongo-errors';
import { ASSET_KEY_FIELDS, COLLECTIONS, type AssetDoc, type BranchDoc } from './mongo-schemas';

/**
 * The bulk branch copy of the MongoDB backend.
 *
 * The copy itself is ONE aggregation run on the server: `$match` the source rows, `$project` them onto the
 * destination branch, `$merge` them into the assets collection on the unique asset key (whenMatched:
 * replace). No row travels through this process.
 *
 * MongoDB refuses `$merge` inside a multi-document transaction, so a new branch is not made atomic by a
 * transaction but by a reservation:
 *   1. every precondition is checked (source exists, listed assets exist, name free);
 *   2. the branch document is inserted as a reservation (`creationId` set): the unique index makes the name
 *      taken, but every reader ignores reserved branches and every writer refuses them;
 *   3. the rows are copied with the pipeline; if the source head moved meanwhile, the copy is redone so the
 *      new branch's rows are exactly the source's content at the head it starts from;
 *   4. one single-document update publishes the branch (head set, reservation cleared).
 * On any failure the copied rows and the reservation are removed, so nothing is left. A reservation whose
 * creator died (older than RESERVATION_STALE_MS) is cleared by the next creation of that name.
 */

/** A reservation older than this is considered abandoned (its creator crashed mid-copy). */
export const RESERVATION_STALE_MS = 10 * 60 * 1000;
/** Copies redone when the source branch keeps changing during the copy. */
const CONSISTENT_COPY_ATTEMPTS = 3;

export interface CopySelection {
  /** Only rows of exactly this namespace. */
  namespace?: NamespacePath;
  /** Only these rows (all must exist on the source). */
  assets?: AssetKey[];
}

export interface NewBranchSpec {
  tenantId: string;
  catalogName: string;
  name: string;
  branchType: BranchType;
  fromBranch: string;
  selection: CopySelection;
  /** Start the new branch at the source's head (createBranch) or with no head (copyAssetsBulk). */
  inheritHead: boolean;
}

/** Matches usable branches: reserved ones (being created) are invisible. `null` also matches a missing field. */
export const VISIBLE_BRANCH = { creationId: null } as const;

/** True for a branch document that is a reservation (a branch still being created). */
export function isReservation(branch: Pick<BranchDoc, 'creationId'>): boolean {
  return branch.creationId !== null && branch.creationId !== undefined;
}

export class MongoBranchCopy {
  constructor(private readonly ctx: MongoContext) {}

  /** The source rows a selection picks. Callers skip the query when `selectsNothing(selection)`. */
  sourceFilter(tenantId: string, catalogName: string, branch: string, selection: CopySelection): Record<string, unknown> {
    const filter: Record<string, unknown> = { tenantId, catalogName, branch };
    if (selection.namespace) filter.namespaceKey = namespaceKey(selection.namespace);
    if (selection.assets) {
      filter.$or = selection.assets.map((key) => ({ namespaceKey: namespaceKey(key.namespace), name: key.name }));
    }
    return filter;
  }

  /** ONE server-side statement: copies the selected rows of `srcBranch` onto `destBranch`. */
  async mergeRows(tenantId: string, catalogName: string, srcBranch: string, destBranch: string, selection: CopySelection) {
    if (selectsNothing(selection)) return;
    await this.ctx.models.assets.aggregate([
      { $match: this.sourceFilter(tenantId, catalogName, srcBranch, selection) },
      {
        $project: {
          // Without `_id` the server keeps a replaced row's own `_id` and mints one for an inserted row.
          _id: 0,
          id: 1,
          tenantId: 1,
          catalogName: 1,
          branch: { $literal: destBranch },
          namespace: 1,
          namespaceKey: 1,
          name: 1,
          kind: 1,
          location: 1,
          properties: 1,
        },
      },
      {
        $merge: {
          into: COLLECTIONS.assets,
          on: [...ASSET_KEY_FIELDS],
          whenMatched: 'replace',
          whenNotMatched: 'insert',
        },
      },
    ]);
  }

  /** The usable branch, or NotFoundError('branch'). */
  async requireBranch(tenantId: string, catalogName: string, name: string): Promise<BranchDoc> {
    const branch = await this.ctx.models.branches
      .findOne({ tenantId, catalogName, name, ...VISIBLE_BRANCH })
      .lean<BranchDoc>();
    if (!branch) throw new NotFoundError('branch', name);
    return branch;
  }

  /** NotFoundError('asset') naming the first listed asset the source does not hold. */
  async requireListedAssets(tenantId: string, catalogName: string, branch: string, assets: AssetKey[]): Promise<void> {
    if (assets.length === 0) return;
    const found = await this.ctx.models.assets
      .find(this.sourceFilter(tenantId, catalogName, branch, { assets }), { namespaceKey: 1, name: 1 })
      .lean<Pick<AssetDoc, 'namespaceKey' | 'name'>[]>();
    const present = new Set(found.map((row) => JSON.stringify([row.namespaceKey, row.name])));
    const missing = assets.find((key) => !present.has(JSON.stringify([namespaceKey(key.namespace), key.name])));
    if (missing) throw new NotFoundError('asset', qualifiedAssetName(missing.namespace, missing.name));
  }

  /**
   * Fails before writing anything when a selected source row's id is already used on `destBranch` by a row
   * with another key (ids are unique per branch): the copy would otherwise stop half-way on the index.
   */
  async refuseIdClashes(tenantId: string, catalogName: string, srcBranch: string, destBranch: string, selection: CopySelection) {
    if (selectsNothing(selection)) return;
    const clashes = await this.ctx.models.assets.aggregate<{ namespace: string[]; name: string }>([
      { $match: this.sourceFilter(tenantId, catalogName, srcBranch, selection) },
      {
        $lookup: {
          from: COLLECTIONS.assets,
          let: { id: '$id', namespaceKey: '$namespaceKey', name: '$name' },
          pipeline: [
            { $match: { tenantId, catalogName, branch: destBranch } },
            {
              $match: {
                $expr: {
                  $and: [
                    { $eq: ['$id', '$$id'] },
                    { $or: [{ $ne: ['$namespaceKey', '$$namespaceKey'] }, { $ne: ['$name', '$$name'] }] },
                  ],
                },
              },
            },
            { $limit: 1 },
          ],
          as: 'clash',
        },
      },
      { $match: { 'clash.0': { $exists: true } } },
      { $limit: 1 },
      { $project: { _id: 0, namespace: 1, name: 1 } },
    ]);
    if (clashes.length > 0) {
      const { namespace, name } = clashes[0];
      throw new ConflictError(
        `Asset '${qualifiedAssetName(namespace, name)}' cannot be copied onto branch '${destBranch}': its id is used there by another asset`,
      );
    }
  }

  /** Creates a branch holding a copy of the selected source rows; see the file comment. */
  async createBranchWithCopy(spec: NewBranchSpec): Promise<{ branch: BranchDoc; copied: number }> {
    const { tenantId, catalogName, name, fromBranch, selection } = spec;
    await this.requireBranch(tenantId, catalogName, fromBranch);
    if (selection.assets) await this.requireListedAssets(tenantId, catalogName, fromBranch, selection.assets);

    const creationId = await this.reserve(spec);
    try {
      const head = await this.copyConsistently(spec);
      const copied = await this.ctx.models.assets.countDocuments({ tenantId, catalogName, branch: name });
      const headCommitId = spec.inheritHead ? head : null;
      const published = await this.ctx.models.branches.updateOne(
        { tenantId, catalogName, name, creationId },
        { $set: { headCommitId, creationId: null, creationStartedAt: null } },
      );
      if (published.matchedCount !== 1) {
        throw new ConflictError(`Branch '${name}' was removed while it was being created (was its catalog deleted?)`);
      }
      const branch: BranchDoc = {
        tenantId,
        catalogName,
        name,
        headCommitId,
        branchType: spec.branchType,
        creationId: null,
        creationStartedAt: null,
      };
      return { branch, copied };
    } catch (error) {
      await this.discardReservation(tenantId, catalogName, name, creationId).catch(() => undefined);
      throw translateMongoError(error);
    }
  }

  /** Inserts the reservation; AlreadyExistsError('branch') when the name is taken. Returns its creation id. */
  private async reserve(spec: NewBranchSpec): Promise<string> {
    const { tenantId, catalogName, name } = spec;
    const { branches } = this.ctx.models;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const existing = await branches.findOne({ tenantId, catalogName, name }).lean<BranchDoc>();
      if (existing) {
        const abandoned =
          isReservation(existing) &&
          existing.creationStartedAt !== null &&
          Date.now() - new Date(existing.creationStartedAt).getTime() > RESERVATION_STALE_MS;
        if (!abandoned || attempt > 1) throw new AlreadyExistsError('branch', name);
        await this.discardReservation(tenantId, catalogName, name, existing.creationId!);
        continue;
      }
      const creationId = randomUUID();
      const reservation: BranchDoc = {
        tenantId,
        catalogName,
        name,
        headCommitId: null,
        branchType: spec.branchType,
        creationId,
        creationStartedAt: new Date(),
      };
      try {
        await branches.insertMany([reservation]);
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new AlreadyExistsError('branch', name);
        throw error;
      }
      return creationId;
    }
    throw new AlreadyExistsError('branch', name);
  }

  /**
   * Copies the rows and returns the source head they correspond to. A commit on the source during the copy
   * would leave rows newer than that head, so the copy is redone until the head is the same before and after.
   */
  private async copyConsistently(spec: NewBranchSpec): Promise<string | null> {
    const { tenantId, catalogName, name, fromBranch, selection } = spec;
    for (let attempt = 1; attempt <= CONSISTENT_COPY_ATTEMPTS; attempt++) {
      const before = (await this.requireBranch(tenantId, catalogName, fromBranch)).headCommitId;
      await this.mergeRows(tenantId, catalogName, fromBranch, name, selection);
      const after = (await this.requireBranch(tenantId, catalogName, fromBranch)).headCommitId;
      if (before === after) return before;
      await this.ctx.models.assets.deleteMany({ tenantId, catalogName, branch: name });
    }
    throw new ConflictError(`Branch '${fromBranch}' kept changing while it was being copied; try again`);
  }

  /**
   * Removes a reservation and the rows copied under it (rows first, so the name frees up last). When the
   * reservation is already gone (its catalog was deleted) the rows are orphans and are removed too, unless
   * the name has meanwhile been taken by another branch.
   */
  private async discardReservation(tenantId: string, catalogName: string, name: string, creationId: string) {
    const { branches, assets } = this.ctx.models;
    const current = await branches.findOne({ tenantId, catalogName, name }).lean<BranchDoc>();
    if (current && current.creationId !== creationId) return;
    await assets.deleteMany({ tenantId, catalogName, branch: name });
    if (current) await branches.deleteOne({ tenantId, catalogName, name, creationId });
  }
}

/** An explicit, empty asset list: nothing to read or copy. */
export function selectsNothing(selection: CopySelection): boolean {
  return selection.assets !== undefined && selection.assets.length === 0;
}
