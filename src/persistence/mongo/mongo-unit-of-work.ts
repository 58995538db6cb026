import { assetRowKey, checkChanges, planCommit } from '../unit-of-work-rules';
import type { AnyBulkWriteOperation, ClientSession } from 'mongoose';
import { ConflictError, NotFoundError } from '../../common/errors';
import type { Asset, Commit } from '../models';
import {
  UnitOfWorkPort,
  type AssetKey,
  type BranchChanges,
  type CommitChangesOptions,
  type CommitInfo,
} from '../ports';
import { isReservation } from './mongo-branch-copy';
import { assetFromDoc, assetToDoc, commitToDoc, namespaceKey } from './mongo-codec';
import type { MongoContext } from './mongo-context';
import { RetryTransaction } from './mongo-transactions';
import type { AssetDoc, BranchDoc } from './mongo-schemas';

/**
 * Attempts of one commitChanges before ConflictError. Every attempt but one of a round of concurrent writers
 * on a branch loses, so this bounds how many writers can queue up on one branch at once.
 */
const COMMIT_MAX_ATTEMPTS = 64;

export class MongoUnitOfWork extends UnitOfWorkPort {
  constructor(private readonly ctx: MongoContext) {
    super();
  }

  /**
   * One MongoDB transaction: read the branch and every row the call touches, check the expectations, move
   * the head with a compare-and-swap on the previous head, write the rows, insert the commit.
   *
   * Moving the head is the first write on purpose: concurrent transactions on the branch then collide on the
   * branch document at once (a write conflict, retried by re-running everything, so a stale expectation is
   * reported as such), and on a server without transaction isolation the compare-and-swap alone still lets
   * exactly one of several concurrent writers through before anything else is written.
   */
  async commitChanges(
    tenantId: string,
    catalogName: string,
    branchName: string,
    changes: BranchChanges,
    info: CommitInfo,
    options: CommitChangesOptions = {},
  ): Promise<Commit> {
    const { branches, catalogs, assets, commits } = this.ctx.models;
    const checked = checkChanges(changes);
    // Fixed once, so every attempt of the transaction records the same time.
    const timestamp = info.timestamp ?? Date.now();

    return this.ctx.transactions.run(
      async (session) => {
        const branchKey = { tenantId, catalogName, name: branchName };
        const branch = await branches.findOne(branchKey).session(session).lean<BranchDoc>();
        if (branch && isReservation(branch)) {
          throw new ConflictError(`Branch '${branchName}' is being created; try again`);
        }
        if (!branch) {
          if (!(await catalogs.exists({ tenantId, name: catalogName }).session(session))) {
            throw new NotFoundError('catalog', catalogName);
          }
          if (!options.createBranchIfMissing) throw new NotFoundError('branch', branchName);
        }
        const previousHead = branch?.headCommitId ?? null;

        // Every check comes before the first write, so a failed call writes nothing even where a server
        // does not roll transactions back.
        const current = await this.loadRows(tenantId, catalogName, branchName, checked.keys, session);
        const { removed, written, commit } = planCommit(
          tenantId,
          { name: branchName, head: previousHead, row: (key) => current.get(assetRowKey(key)) },
          checked,
          { ...info, timestamp },
        );

        if (!branch) {
          const created: BranchDoc = {
            ...branchKey,
            headCommitId: null,
            branchType: 'experimental',
            creationId: null,
            creationStartedAt: null,
          };
          // A concurrent creator of the same branch makes this fail (duplicate key / write conflict): retried.
          await branches.insertMany([created], { session });
        }

        const moved = await branches.updateOne(
          { ...branchKey, headCommitId: previousHead, creationId: null },
          { $set: { headCommitId: commit.id } },
          { session },
        );
        if (moved.matchedCount !== 1) throw new RetryTransaction(`head of branch '${branchName}' moved`);

        // In the plan's order, removals first: a rename deletes the old key and puts the new one with the same
        // id, which the (branch, id) unique index only accepts in that order.
        const rowFilter = (key: AssetKey) => ({
          tenantId,
          catalogName,
          branch: branchName,
          namespaceKey: namespaceKey(key.namespace),
          name: key.name,
        });
        const writes: AnyBulkWriteOperation<AssetDoc>[] = [
          ...removed.map((key) => ({ deleteOne: { filter: rowFilter(key) } })),
          ...written.map((put) => ({
            replaceOne: {
              filter: rowFilter(put),
              replacement: assetToDoc({ ...put, tenantId, catalogName, branch: branchName }),
              upsert: true,
            },
          })),
        ];
        if (writes.length > 0) await assets.bulkWrite(writes, { session, ordered: true });
        await commits.insertMany([commitToDoc(commit)], { session });
        return commit;
      },
      { maxAttempts: COMMIT_MAX_ATTEMPTS },
    );
  }

  /** The rows of `keys`, in one query, by assetRowKey. */
  private async loadRows(
    tenantId: string,
    catalogName: string,
    branch: string,
    keys: readonly AssetKey[],
    session: ClientSession,
  ): Promise<Map<string, Asset>> {
    const rows = new Map<string, Asset>();
    if (keys.length === 0) return rows;
    const docs = await this.ctx.models.assets
      .find({
        tenantId,
        catalogName,
        branch,
        $or: keys.map((key) => ({ namespaceKey: namespaceKey(key.namespace), name: key.name })),
      })
      .session(session)
      .lean<AssetDoc[]>();
    for (const doc of docs) {
      const asset = assetFromDoc(doc);
      rows.set(assetRowKey(asset), asset);
    }
    return rows;
  }
}
