import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors';
import type { ConflictResolution, MergeConflict, MergeOperation, MergeStatus, Pagination } from '../models';
import { MergeOperationsPort, type MergeOperationPatch } from '../ports';
import { compareNames, copy, listOf, type MemoryState } from './memory-state';

export class MemoryMergeOperations extends MergeOperationsPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  createMergeOperation(operation: MergeOperation, conflicts: MergeConflict[]): Promise<MergeOperation> {
    return this.state.exclusive(() => {
      const { tenantId } = operation;
      if (this.state.mergeOperations.has(tenantId, operation.id)) {
        throw new AlreadyExistsError('merge-operation', operation.id);
      }
      for (const conflict of conflicts) {
        if (this.state.mergeConflicts.has(tenantId, conflict.id)) throw new AlreadyExistsError('conflict', conflict.id);
      }
      this.state.mergeOperations.set(tenantId, operation.id, copy(operation));
      for (const conflict of conflicts) this.state.mergeConflicts.set(tenantId, conflict.id, copy(conflict));
      return copy(operation);
    });
  }

  async getMergeOperation(tenantId: string, id: string): Promise<MergeOperation | null> {
    const operation = this.state.mergeOperations.get(tenantId, id);
    return operation ? copy(operation) : null;
  }

  async listMergeOperations(tenantId: string, catalogName: string, page?: Pagination): Promise<MergeOperation[]> {
    const rows = this.state.mergeOperations.rows(tenantId).filter((op) => op.catalogName === catalogName);
    const newestFirst = (a: MergeOperation, b: MergeOperation) =>
      b.initiatedAt.getTime() - a.initiatedAt.getTime() || compareNames(a.id, b.id);
    return listOf(rows, newestFirst, page);
  }

  updateMergeOperation(
    tenantId: string,
    id: string,
    expectedStatuses: MergeStatus[],
    patch: MergeOperationPatch,
  ): Promise<MergeOperation> {
    return this.state.exclusive(() => {
      const stored = this.state.mergeOperations.get(tenantId, id);
      if (!stored) throw new NotFoundError('merge-operation', id);
      if (!expectedStatuses.includes(stored.status)) {
        throw new ConflictError(`Merge operation '${id}' is ${stored.status}, expected ${expectedStatuses.join(' or ')}`);
      }
      const updated: MergeOperation = {
        ...stored,
        status: patch.status ?? stored.status,
        completedAt: patch.completedAt === undefined ? stored.completedAt : patch.completedAt,
        resultCommitId: patch.resultCommitId === undefined ? stored.resultCommitId : patch.resultCommitId,
      };
      this.state.mergeOperations.set(tenantId, id, copy(updated));
      return copy(updated);
    });
  }

  async getMergeConflict(tenantId: string, conflictId: string): Promise<MergeConflict | null> {
    const conflict = this.state.mergeConflicts.get(tenantId, conflictId);
    return conflict ? copy(conflict) : null;
  }

  async listMergeConflicts(tenantId: string, operationId: string): Promise<MergeConflict[]> {
    const rows = this.state.mergeConflicts.rows(tenantId).filter((c) => c.mergeOperationId === operationId);
    const byCreation = (a: MergeConflict, b: MergeConflict) =>
      a.createdAt.getTime() - b.createdAt.getTime() || compareNames(a.id, b.id);
    return listOf(rows, byCreation);
  }

  resolveMergeConflict(tenantId: string, conflictId: string, resolution: ConflictResolution): Promise<MergeConflict> {
    return this.state.exclusive(() => {
      const stored = this.state.mergeConflicts.get(tenantId, conflictId);
      if (!stored) throw new NotFoundError('conflict', conflictId);
      const updated: MergeConflict = { ...stored, resolution: copy(resolution) };
      this.state.mergeConflicts.set(tenantId, conflictId, updated);
      return copy(updated);
    });
  }
}
