import { ConflictError, NotFoundError } from '../../common/errors';
import type { ConflictResolution, MergeConflict, MergeOperation, MergeStatus, Pagination } from '../models';
import { MergeOperationPatch, MergeOperationsPort } from '../ports';
import { MergeConflictEntity, MergeOperationEntity } from './entities';
import {
  findPage,
  mergeConflictEntity,
  mergeOperationEntity,
  toMergeConflict,
  toMergeOperation,
} from './mappers';
import type { SqlDatabase } from './sql-database';

export class TypeormMergeOperations extends MergeOperationsPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createMergeOperation(operation: MergeOperation, conflicts: MergeConflict[]): Promise<MergeOperation> {
    return this.db.write(
      async (s) => {
        await s.repo(MergeOperationEntity).insert(mergeOperationEntity(operation));
        if (conflicts.length > 0) {
          // Conflicts belong to the operation's tenant (their key and foreign key include it).
          await s.repo(MergeConflictEntity).insert(conflicts.map((c) => mergeConflictEntity(operation.tenantId, c)));
        }
        return structuredClone(operation);
      },
      { 'merge-operation': operation.id, conflict: conflicts[0]?.id },
    );
  }

  async getMergeOperation(tenantId: string, id: string): Promise<MergeOperation | null> {
    const row = await this.db.read((s) => s.repo(MergeOperationEntity).findOneBy({ tenantId, id }));
    return row ? toMergeOperation(row) : null;
  }

  async listMergeOperations(tenantId: string, catalogName: string, page?: Pagination): Promise<MergeOperation[]> {
    const options = findPage(page);
    if (!options) return [];
    const rows = await this.db.read((s) =>
      s.repo(MergeOperationEntity).find({
        where: { tenantId, catalogName },
        order: { initiatedAt: 'DESC', id: 'ASC' },
        ...options,
      }),
    );
    return rows.map(toMergeOperation);
  }

  async updateMergeOperation(
    tenantId: string,
    id: string,
    expectedStatuses: MergeStatus[],
    patch: MergeOperationPatch,
  ): Promise<MergeOperation> {
    return this.db.write(async (s) => {
      const row = await s.findForUpdate(MergeOperationEntity, { tenantId, id });
      if (!row) throw new NotFoundError('merge-operation', id);
      if (!expectedStatuses.includes(row.status as MergeStatus)) {
        throw new ConflictError(`Merge operation '${id}' is ${row.status}`);
      }
      const updated: MergeOperation = {
        ...toMergeOperation(row),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.completedAt !== undefined && { completedAt: patch.completedAt }),
        ...(patch.resultCommitId !== undefined && { resultCommitId: patch.resultCommitId }),
      };
      const { status, completedAt, resultCommitId } = mergeOperationEntity(updated);
      await s.repo(MergeOperationEntity).update({ tenantId, id }, { status, completedAt, resultCommitId });
      return updated;
    });
  }

  async getMergeConflict(tenantId: string, conflictId: string): Promise<MergeConflict | null> {
    const row = await this.db.read((s) => s.repo(MergeConflictEntity).findOneBy({ tenantId, id: conflictId }));
    return row ? toMergeConflict(row) : null;
  }

  async listMergeConflicts(tenantId: string, operationId: string): Promise<MergeConflict[]> {
    const rows = await this.db.read((s) =>
      s.repo(MergeConflictEntity).find({
        where: { tenantId, mergeOperationId: operationId },
        order: { createdAt: 'ASC', id: 'ASC' },
      }),
    );
    return rows.map(toMergeConflict);
  }

  async resolveMergeConflict(
    tenantId: string,
    conflictId: string,
    resolution: ConflictResolution,
  ): Promise<MergeConflict> {
    return this.db.write(async (s) => {
      const row = await s.findForUpdate(MergeConflictEntity, { tenantId, id: conflictId });
      if (!row) throw new NotFoundError('conflict', conflictId);
      const resolved = { ...toMergeConflict(row), resolution: { ...resolution, conflictId } };
      const { resolutionStrategy, resolvedValue, resolvedBy, resolvedAt } = mergeConflictEntity(tenantId, resolved);
      await s
        .repo(MergeConflictEntity)
        .update({ tenantId, id: conflictId }, { resolutionStrategy, resolvedValue, resolvedBy, resolvedAt });
      return resolved;
    });
  }
}
