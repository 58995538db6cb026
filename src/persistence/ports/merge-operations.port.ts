import type { ConflictResolution, MergeConflict, MergeOperation, MergeStatus, Pagination } from '../models';

/** An omitted (undefined) field keeps its stored value. */
export interface MergeOperationPatch {
  status?: MergeStatus;
  completedAt?: Date | null;
  resultCommitId?: string | null;
}

/** Merge operations and their conflicts. */
export abstract class MergeOperationsPort {
  /**
   * Stores the operation and its conflicts in one atomic write (`operation.conflicts` must list exactly the
   * conflicts' ids). Throws AlreadyExistsError('merge-operation') on a duplicate id; then none of the
   * conflicts is stored either.
   */
  abstract createMergeOperation(operation: MergeOperation, conflicts: MergeConflict[]): Promise<MergeOperation>;

  /** Returns the operation, or null. */
  abstract getMergeOperation(tenantId: string, id: string): Promise<MergeOperation | null>;

  /**
   * Operations of the catalog, newest `initiatedAt` first (ties by id ascending), then paginated. Operations
   * outlive their catalog (catalog delete keeps them).
   */
  abstract listMergeOperations(tenantId: string, catalogName: string, page?: Pagination): Promise<MergeOperation[]>;

  /**
   * Applies the patch only if the stored status is one of `expectedStatuses` (compare-and-swap), atomically.
   * Throws NotFoundError('merge-operation'); throws ConflictError when the status is not an expected one.
   */
  abstract updateMergeOperation(
    tenantId: string,
    id: string,
    expectedStatuses: MergeStatus[],
    patch: MergeOperationPatch,
  ): Promise<MergeOperation>;

  /** Returns the conflict, or null. */
  abstract getMergeConflict(tenantId: string, conflictId: string): Promise<MergeConflict | null>;

  /** Conflicts of one operation ordered by creation time (oldest first), then id ascending. */
  abstract listMergeConflicts(tenantId: string, operationId: string): Promise<MergeConflict[]>;

  /** Records (or replaces) a conflict's resolution. Throws NotFoundError('conflict'). */
  abstract resolveMergeConflict(tenantId: string, conflictId: string, resolution: ConflictResolution): Promise<MergeConflict>;
}
