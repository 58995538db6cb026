import { randomUUID } from 'node:crypto';
import { checkAssetExpectation } from '../unit-of-work-rules';
import type { AnyBulkWriteOperation, ClientSession } from 'mongoose';
import { ConflictError, ExpectationFailedError, NotFoundError } from '../../common/errors';
import {
  qualifiedAssetName,
  type Asset,
  type Commit,
  type CommitOperation,
} from '../models';
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

function rowKey(key: AssetKey): string {
  return JSON.stringify([namespaceKey(key.namespace), key.name]);
}

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
        if (changes.expectedHeadCommitId !== undefined && changes.expectedHeadCommitId !== previousHead) {
          throw new ExpectationFailedError(branchName, 'head-moved');
        }

        // Every check comes before the first write, so a failed call writes nothing even where a server
        // does not roll transactions back.
        const current = await this.loadRows(tenantId, catalogName, branchName, changes, session);
        for (const expectation of changes.expectations) checkAssetExpectation(expectation, current.get(rowKey(expectation)));

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

        const commitId = randomUUID();
        const moved = await branches.updateOne(
          { ...branchKey, headCommitId: previousHead, creationId: null },
          { $set: { headCommitId: commitId } },
          { session },
        );
        if (moved.matchedCount !== 1) throw new RetryTransaction(`head of branch '${branchName}' moved`);

        const operations: CommitOperation[] = [];
        const writes: AnyBulkWriteOperation<AssetDoc>[] = [];
        const deletions: CommitOperation[] = [];
        // Deletes go first: a rename deletes the old key and puts the new one with the same id, which the
        // (branch, id) unique index only accepts in that order.
        for (const key of changes.deletes) {
          if (!current.has(rowKey(key))) continue;
          writes.push({ deleteOne: { filter: { tenantId, catalogName, branch: branchName, namespaceKey: namespaceKey(key.namespace), name: key.name } } });
          deletions.push({ Delete: { name: qualifiedAssetName(key.namespace, key.name) } });
        }
        for (const put of changes.puts) {
          const existing = current.get(rowKey(put));
          const row: Asset = {
            id: put.id ?? existing?.id ?? randomUUID(),
            tenantId,
            catalogName,
            branch: branchName,
            namespace: [...put.namespace],
            name: put.name,
            kind: put.kind,
            location: put.location,
            properties: { ...put.properties },
          };
          const doc = assetToDoc(row);
          writes.push({
            replaceOne: {
              filter: { tenantId, catalogName, branch: branchName, namespaceKey: doc.namespaceKey, name: put.name },
              replacement: doc,
              upsert: true,
            },
          });
          operations.push({
            Put: {
              asset: {
                id: row.id,
                name: row.name,
                namespace: [...row.namespace],
                kind: row.kind,
                location: row.location,
                properties: { ...row.properties },
              },
            },
          });
        }
        if (writes.length > 0) await assets.bulkWrite(writes, { session, ordered: true });

        const commit: Commit = {
          id: commitId,
          tenantId,
          parentId: previousHead,
          timestamp,
          author: info.author,
          message: info.message,
          operations: [...operations, ...deletions],
        };
        await commits.insertMany([commitToDoc(commit)], { session });
        return commit;
      },
      { maxAttempts: COMMIT_MAX_ATTEMPTS },
    );
  }

  /** Every row named by a put, delete or expectation, in one query, by row key. */
  private async loadRows(
    tenantId: string,
    catalogName: string,
    branch: string,
    changes: BranchChanges,
    session: ClientSession,
  ): Promise<Map<string, Asset>> {
    const keys = new Map<string, AssetKey>();
    for (const key of [...changes.puts, ...changes.deletes, ...changes.expectations]) keys.set(rowKey(key), key);
    const rows = new Map<string, Asset>();
    if (keys.size === 0) return rows;
    const docs = await this.ctx.models.assets
      .find({
        tenantId,
        catalogName,
        branch,
        $or: [...keys.values()].map((key) => ({ namespaceKey: namespaceKey(key.namespace), name: key.name })),
      })
      .session(session)
      .lean<AssetDoc[]>();
    for (const doc of docs) {
      const asset = assetFromDoc(doc);
      rows.set(rowKey(asset), asset);
    }
    return rows;
  }
}

