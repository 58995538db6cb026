import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors';
import type { ConflictResolution, MergeConflict, MergeOperation, MergeStatus, Pagination } from '../models';
import { MergeOperationsPort, type MergeOperationPatch } from '../ports';
import {
  conflictResolutionToDoc,
  mergeConflictFromDoc,
  mergeConflictToDoc,
  mergeOperationFromDoc,
  mergeOperationToDoc,
  pageBounds,
  pageStages,
} from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import type { MergeConflictDoc, MergeOperationDoc } from './mongo-schemas';

export class MongoMergeOperations extends MergeOperationsPort {
  constructor(private readonly ctx: MongoContext) {
    super();
  }

  async createMergeOperation(operation: MergeOperation, conflicts: MergeConflict[]): Promise<MergeOperation> {
    const { mergeOperations, mergeConflicts } = this.ctx.models;
    const doc = mergeOperationToDoc(operation);
    return this.ctx.transactions.run(
      async (session) => {
        if (await mergeOperations.exists({ tenantId: operation.tenantId, id: operation.id }).session(session)) {
          throw new AlreadyExistsError('merge-operation', operation.id);
        }
        await mergeOperations.insertMany([doc], { session });
        if (conflicts.length > 0) {
          await mergeConflicts.insertMany(
            conflicts.map((conflict) => mergeConflictToDoc({ ...conflict, tenantId: operation.tenantId })),
            { session, ordered: true },
          );
        }
        return mergeOperationFromDoc(doc);
      },
      { onDuplicateKey: () => new AlreadyExistsError('merge-operation', operation.id) },
    );
  }

  getMergeOperation(tenantId: string, id: string): Promise<MergeOperation | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.mergeOperations.findOne({ tenantId, id }).lean<MergeOperationDoc>();
      return doc ? mergeOperationFromDoc(doc) : null;
    });
  }

  listMergeOperations(tenantId: string, catalogName: string, page?: Pagination): Promise<MergeOperation[]> {
    if (pageBounds(page).empty) return Promise.resolve([]);
    return guarded(async () => {
      const docs = await this.ctx.models.mergeOperations.aggregate<MergeOperationDoc>([
        { $match: { tenantId, catalogName } },
        { $sort: { initiatedAt: -1, id: 1 } },
        ...pageStages(page),
      ]);
      return docs.map(mergeOperationFromDoc);
    });
  }

  /** One atomic single-document compare-and-swap: the filter carries the expected statuses. */
  updateMergeOperation(
    tenantId: string,
    id: string,
    expectedStatuses: MergeStatus[],
    patch: MergeOperationPatch,
  ): Promise<MergeOperation> {
    const changes: Partial<MergeOperationDoc> = {};
    if (patch.status !== undefined) changes.status = patch.status;
    if (patch.completedAt !== undefined) changes.completedAt = patch.completedAt;
    if (patch.resultCommitId !== undefined) changes.resultCommitId = patch.resultCommitId;
    return guarded(async () => {
      const { mergeOperations } = this.ctx.models;
      const updated = await mergeOperations
        .findOneAndUpdate({ tenantId, id, status: { $in: expectedStatuses } }, { $set: changes }, { returnDocument: 'after' })
        .lean<MergeOperationDoc>();
      if (updated) return mergeOperationFromDoc(updated);
      const current = await mergeOperations.findOne({ tenantId, id }, { status: 1 }).lean<Pick<MergeOperationDoc, 'status'>>();
      if (!current) throw new NotFoundError('merge-operation', id);
      throw new ConflictError(
        `Merge operation '${id}' is ${current.status}, expected ${expectedStatuses.join(' or ') || 'no status'}`,
      );
    });
  }

  getMergeConflict(tenantId: string, conflictId: string): Promise<MergeConflict | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.mergeConflicts.findOne({ tenantId, id: conflictId }).lean<MergeConflictDoc>();
      return doc ? mergeConflictFromDoc(doc) : null;
    });
  }

  listMergeConflicts(tenantId: string, operationId: string): Promise<MergeConflict[]> {
    return guarded(async () => {
      const docs = await this.ctx.models.mergeConflicts.aggregate<MergeConflictDoc>([
        { $match: { tenantId, mergeOperationId: operationId } },
        { $sort: { createdAt: 1, id: 1 } },
      ]);
      return docs.map(mergeConflictFromDoc);
    });
  }

  resolveMergeConflict(tenantId: string, conflictId: string, resolution: ConflictResolution): Promise<MergeConflict> {
    const resolutionDoc = conflictResolutionToDoc(resolution);
    return guarded(async () => {
      const updated = await this.ctx.models.mergeConflicts
        .findOneAndUpdate({ tenantId, id: conflictId }, { $set: { resolution: resolutionDoc } }, { returnDocument: 'after' })
        .lean<MergeConflictDoc>();
      if (!updated) throw new NotFoundError('conflict', conflictId);
      return mergeConflictFromDoc(updated);
    });
  }
}
