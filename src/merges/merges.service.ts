import { randomUUID } from 'node:crypto';
import { slicePage } from '../common/http/pagination';
import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { requireCatalogExists } from '../common/http/management-names';
import {
  MAIN_BRANCH,
  type Branch,
  type MergeConflict,
  type MergeOperation,
  type MergeStatus,
  type Pagination,
  type ResolutionStrategy,
} from '../persistence/models';
import { BranchesPort, CatalogsPort, MergeOperationsPort, UnitOfWorkPort } from '../persistence/ports';
import { mergeCommitMessage } from './commit-graph';
import { MergePlan, MergePlanner } from './merge-planner';
import { ConflictDecision, parseManualValue, SETTLING_STRATEGIES } from './three-way-merge';

export interface MergeRequest {
  catalog: string;
  sourceBranch: string;
  targetBranch: string;
}

export type MergeResult =
  | { status: 'completed'; operation: MergeOperation }
  | { status: 'conflicted'; operation: MergeOperation; conflictCount: number };

/** Statuses from which an operation may still be completed or aborted. */
const OPEN_STATUSES: MergeStatus[] = ['Pending', 'Conflicted', 'Ready'];
/**
 * While `complete` applies an operation it holds it in `Resolving` (a status v0.4.0 defines but never sets),
 * so a concurrent complete or abort cannot interleave with the write.
 */
const APPLYING: MergeStatus = 'Resolving';

export const CANNOT_COMPLETE_MESSAGE = 'Cannot complete merge: conflicts not resolved or operation not ready';

/**
 * Three-way merges between branches of a catalog (DESIGN §2.6) and the merge-operation lifecycle (contract
 * management §1.1, §1.3.5–1.3.14). The result is applied to the TARGET through UnitOfWorkPort.commitChanges
 * as ONE merge commit, guarded by the target head read when planning, so a concurrent change to the target
 * makes the merge fail cleanly (409) instead of overwriting it.
 */
@Injectable()
export class MergesService {
  constructor(
    private readonly catalogs: CatalogsPort,
    private readonly branches: BranchesPort,
    private readonly operations: MergeOperationsPort,
    private readonly unitOfWork: UnitOfWorkPort,
    private readonly planner: MergePlanner,
  ) {}

  /**
   * Merges `sourceBranch` into `targetBranch`. Without conflicts the merge is applied and the stored
   * operation is Completed; with conflicts nothing is applied and the operation (Conflicted) and its
   * conflicts are stored for resolution.
   */
  async merge(principal: Principal, request: MergeRequest): Promise<MergeResult> {
    const tenantId = principal.tenantId;
    if (request.sourceBranch === request.targetBranch) {
      throw new ValidationError('Source and target branch must differ');
    }
    await requireCatalogExists(this.catalogs, tenantId, request.catalog);
    const source = await this.requireBranch(tenantId, request.catalog, request.sourceBranch);
    const target = await this.requireBranch(tenantId, request.catalog, request.targetBranch);
    const plan = await this.planner.plan(tenantId, request.catalog, source, target);

    const now = new Date();
    const operation: MergeOperation = {
      id: randomUUID(),
      tenantId,
      catalogName: request.catalog,
      sourceBranch: source.name,
      targetBranch: target.name,
      baseCommitId: plan.baseCommitId,
      status: 'Pending',
      conflicts: [],
      initiatedBy: principal.userId,
      initiatedAt: now,
      completedAt: null,
      resultCommitId: null,
    };

    if (plan.outcome.conflicts.length > 0) {
      const conflicts: MergeConflict[] = plan.outcome.conflicts.map((conflict) => ({
        id: randomUUID(),
        tenantId,
        mergeOperationId: operation.id,
        conflictType: conflict.conflictType,
        assetId: conflict.assetId,
        description: conflict.description,
        resolution: null,
        createdAt: now,
      }));
      const stored = await this.operations.createMergeOperation(
        { ...operation, status: 'Conflicted', conflicts: conflicts.map((c) => c.id) },
        conflicts,
      );
      return { status: 'conflicted', operation: stored, conflictCount: conflicts.length };
    }

    // Stored before the write, so a failed merge still leaves its (Aborted) record.
    await this.operations.createMergeOperation(operation, []);
    let resultCommitId: string | null;
    try {
      resultCommitId = await this.apply(principal, request.catalog, source, target, plan);
    } catch (err) {
      await this.operations
        .updateMergeOperation(tenantId, operation.id, ['Pending'], { status: 'Aborted', completedAt: new Date() })
        .catch(() => undefined);
      throw err;
    }
    const completed = await this.operations.updateMergeOperation(tenantId, operation.id, ['Pending'], {
      status: 'Completed',
      completedAt: new Date(),
      resultCommitId,
    });
    return { status: 'completed', operation: completed };
  }

  /** Brings `main`'s changes into `branch` (contract management §1.3.6): a merge with main as the source. */
  async rebase(principal: Principal, catalog: string, branch: string): Promise<MergeResult> {
    if (branch === MAIN_BRANCH) throw new ValidationError('The main branch cannot be rebased onto itself');
    return this.merge(principal, { catalog, sourceBranch: MAIN_BRANCH, targetBranch: branch });
  }

  /** Operations of the catalog, newest first. An unknown catalog has none. */
  async list(principal: Principal, catalog: string, page: Pagination): Promise<MergeOperation[]> {
    return this.operations.listMergeOperations(principal.tenantId, catalog, page);
  }

  /** The operation, in the caller's tenant only (another tenant's operation is 404). */
  async get(principal: Principal, operationId: string): Promise<MergeOperation> {
    const operation = await this.operations.getMergeOperation(principal.tenantId, operationId);
    if (!operation) throw new NotFoundError('merge-operation', operationId, 'Merge operation not found');
    return operation;
  }

  async conflicts(principal: Principal, operationId: string, page: Pagination): Promise<MergeConflict[]> {
    await this.get(principal, operationId);
    const conflicts = await this.operations.listMergeConflicts(principal.tenantId, operationId);
    return slicePage(conflicts, page);
  }

  /**
   * Records how a conflict is to be settled: TakeSource, TakeTarget or Manual (with `resolvedValue`: null
   * for "absent after the merge", or the asset's kind / location / properties). When every conflict of the
   * operation has a resolution, the operation becomes Ready.
   */
  async resolve(
    principal: Principal,
    conflictId: string,
    strategy: ResolutionStrategy,
    resolvedValue: unknown,
  ): Promise<MergeConflict> {
    const tenantId = principal.tenantId;
    const conflict = await this.operations.getMergeConflict(tenantId, conflictId);
    if (!conflict) throw new NotFoundError('conflict', conflictId, 'Conflict not found');
    if (!SETTLING_STRATEGIES.includes(strategy)) {
      throw new ValidationError(`Strategy ${strategy} cannot settle a conflict: use TakeSource, TakeTarget or Manual`);
    }
    if (strategy === 'Manual') {
      if (resolvedValue === undefined) throw new ValidationError('A Manual resolution needs a resolved_value');
      parseManualValue(resolvedValue);
    }
    const operation = await this.get(principal, conflict.mergeOperationId);
    if (!['Conflicted', 'Ready'].includes(operation.status)) {
      throw new ConflictError(`Cannot resolve a conflict of a merge operation that is ${operation.status}`);
    }
    const resolved = await this.operations.resolveMergeConflict(tenantId, conflictId, {
      conflictId,
      strategy,
      resolvedValue: resolvedValue === undefined ? null : resolvedValue,
      resolvedBy: principal.userId,
      resolvedAt: new Date(),
    });
    // Each resolver writes its resolution before reading them all, so the last one always sees every one.
    const all = await this.operations.listMergeConflicts(tenantId, operation.id);
    if (all.every((c) => c.resolution !== null)) {
      await this.operations
        .updateMergeOperation(tenantId, operation.id, ['Conflicted'], { status: 'Ready' })
        .catch((err: unknown) => {
          if (!(err instanceof ConflictError)) throw err;
        });
    }
    return resolved;
  }

  /**
   * Applies a merge whose conflicts are all resolved, as one merge commit on the target, and marks the
   * operation Completed with that commit. The merge is planned again from the branches as they are now,
   * with the recorded resolutions deciding the conflicted assets; if the branches changed so that an asset
   * now conflicts without a resolution, nothing is applied (409: abort and merge again).
   */
  async complete(principal: Principal, operationId: string): Promise<MergeOperation> {
    const tenantId = principal.tenantId;
    const operation = await this.get(principal, operationId);
    const conflicts = await this.operations.listMergeConflicts(tenantId, operationId);
    if (!OPEN_STATUSES.includes(operation.status) || conflicts.some((c) => c.resolution === null)) {
      throw new ConflictError(CANNOT_COMPLETE_MESSAGE);
    }
    await this.operations.updateMergeOperation(tenantId, operationId, [operation.status], { status: APPLYING });
    let resultCommitId: string | null;
    try {
      const source = await this.requireBranch(tenantId, operation.catalogName, operation.sourceBranch);
      const target = await this.requireBranch(tenantId, operation.catalogName, operation.targetBranch);
      const plan = await this.planner.plan(tenantId, operation.catalogName, source, target, decisionsOf(conflicts));
      if (plan.outcome.conflicts.length > 0) {
        const names = plan.outcome.conflicts.map((c) => `'${c.key}'`).join(', ');
        throw new ConflictError(
          `The branches changed since the merge started: ${names} now conflict without a resolution; abort this merge and merge again`,
        );
      }
      resultCommitId = await this.apply(principal, operation.catalogName, source, target, plan);
    } catch (err) {
      await this.operations
        .updateMergeOperation(tenantId, operationId, [APPLYING], { status: operation.status })
        .catch(() => undefined);
      throw err;
    }
    return this.operations.updateMergeOperation(tenantId, operationId, [APPLYING], {
      status: 'Completed',
      completedAt: new Date(),
      resultCommitId,
    });
  }

  /** Aborts an open operation; a completed, aborted or currently applying one is 409. */
  async abort(principal: Principal, operationId: string): Promise<MergeOperation> {
    const operation = await this.get(principal, operationId);
    const refusal = new ConflictError(`Cannot abort a merge operation that is ${operation.status}`);
    if (!OPEN_STATUSES.includes(operation.status)) throw refusal;
    try {
      return await this.operations.updateMergeOperation(principal.tenantId, operationId, OPEN_STATUSES, {
        status: 'Aborted',
        completedAt: new Date(),
      });
    } catch (err) {
      if (err instanceof ConflictError) {
        const now = await this.get(principal, operationId);
        throw new ConflictError(`Cannot abort a merge operation that is ${now.status}`);
      }
      throw err;
    }
  }

  /**
   * Writes the plan onto the target as one merge commit (guarded by the target head the plan was made from)
   * and returns its id. When the source is already part of the target's history there is nothing to record:
   * the result is the target's head.
   */
  private async apply(
    principal: Principal,
    catalog: string,
    source: Branch,
    target: Branch,
    plan: MergePlan,
  ): Promise<string | null> {
    const { puts, deletes } = plan.outcome;
    if (plan.alreadyMerged && puts.length === 0 && deletes.length === 0) return target.headCommitId;
    const commit = await this.unitOfWork.commitChanges(
      principal.tenantId,
      catalog,
      target.name,
      {
        puts: puts.map((state) => ({ ...state })),
        deletes,
        expectations: [],
        expectedHeadCommitId: plan.targetHeadCommitId,
      },
      {
        author: principal.username,
        message: mergeCommitMessage(`Merge branch '${source.name}' into '${target.name}'`, plan.sourceHeadCommitId),
      },
    );
    return commit.id;
  }

  private async requireBranch(tenantId: string, catalog: string, name: string): Promise<Branch> {
    const branch = await this.branches.getBranch(tenantId, catalog, name);
    if (!branch) throw new NotFoundError('branch', name);
    return branch;
  }
}

/** The recorded resolutions, keyed by the conflicted asset's qualified name. */
function decisionsOf(conflicts: MergeConflict[]): Map<string, ConflictDecision> {
  const decisions = new Map<string, ConflictDecision>();
  for (const conflict of conflicts) {
    const key = conflictAssetName(conflict);
    const resolution = conflict.resolution;
    if (!key || !resolution) continue;
    decisions.set(key, {
      strategy: resolution.strategy,
      manual: resolution.strategy === 'Manual' ? parseManualValue(resolution.resolvedValue) : undefined,
    });
  }
  return decisions;
}

/** `asset_name` inside the externally tagged conflict type. */
export function conflictAssetName(conflict: MergeConflict): string | null {
  const inner = Object.values(conflict.conflictType)[0] as { asset_name?: unknown } | undefined;
  return typeof inner?.asset_name === 'string' ? inner.asset_name : null;
}
