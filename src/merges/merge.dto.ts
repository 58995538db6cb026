import { IsDefined, IsIn, IsOptional, IsString } from 'class-validator';
import { timestampOffset, timestampZ } from '../common/wire-timestamp';
import type { ConflictType, MergeConflict, MergeOperation, MergeStatus, ResolutionStrategy } from '../persistence/models';

/** `POST /api/v1/branches/merge` body (contract management §1.3.5). */
export class MergeBranchesDto {
  @IsString()
  source_branch!: string;

  @IsString()
  target_branch!: string;

  @IsString()
  catalog!: string;
}

/** `POST /api/v1/branches/:name/rebase` body: only `catalog` is required (contract §1.3.6, CLIENT note). */
export class RebaseBranchDto {
  @IsString()
  catalog!: string;
}

/** Wire strategies, with the aliases the UI sends (contract §1.3.12). Anything else is 422. */
export const WIRE_STRATEGIES = ['AutoMerge', 'TakeSource', 'TakeTarget', 'Manual', 'ThreeWayMerge', 'source', 'target', 'manual'];

/** `POST /api/v1/conflicts/:id/resolve` body. */
export class ResolveConflictDto {
  @IsDefined()
  @IsIn(WIRE_STRATEGIES)
  strategy!: string;

  /** Any JSON; for Manual, null or `{kind?, location?, properties?}`. */
  @IsOptional()
  resolved_value?: unknown;
}

export interface MergeOperationResponse {
  id: string;
  tenant_id: string;
  catalog_name: string;
  source_branch: string;
  target_branch: string;
  base_commit_id: string | null;
  status: MergeStatus;
  conflicts: string[];
  initiated_by: string;
  initiated_at: string;
  completed_at: string | null;
  result_commit_id: string | null;
}

export function toMergeOperationResponse(op: MergeOperation): MergeOperationResponse {
  return {
    id: op.id,
    tenant_id: op.tenantId,
    catalog_name: op.catalogName,
    source_branch: op.sourceBranch,
    target_branch: op.targetBranch,
    base_commit_id: op.baseCommitId,
    status: op.status,
    conflicts: [...op.conflicts],
    initiated_by: op.initiatedBy,
    initiated_at: timestampZ(op.initiatedAt),
    completed_at: op.completedAt ? timestampZ(op.completedAt) : null,
    result_commit_id: op.resultCommitId,
  };
}

export interface MergeOperationSummaryResponse {
  id: string;
  status: MergeStatus;
  source_branch: string;
  target_branch: string;
  conflicts_count: number;
  initiated_at: string;
  completed_at: string | null;
}

export function toMergeOperationSummary(op: MergeOperation): MergeOperationSummaryResponse {
  return {
    id: op.id,
    status: op.status,
    source_branch: op.sourceBranch,
    target_branch: op.targetBranch,
    conflicts_count: op.conflicts.length,
    initiated_at: timestampOffset(op.initiatedAt),
    completed_at: op.completedAt ? timestampOffset(op.completedAt) : null,
  };
}

export interface MergeConflictResponse {
  id: string;
  merge_operation_id: string;
  conflict_type: ConflictType;
  asset_id: string | null;
  description: string;
  resolution: {
    conflict_id: string;
    strategy: ResolutionStrategy;
    resolved_value: unknown;
    resolved_by: string;
    resolved_at: string;
  } | null;
  created_at: string;
}

export function toMergeConflictResponse(conflict: MergeConflict): MergeConflictResponse {
  const resolution = conflict.resolution;
  return {
    id: conflict.id,
    merge_operation_id: conflict.mergeOperationId,
    conflict_type: conflict.conflictType,
    asset_id: conflict.assetId,
    description: conflict.description,
    resolution: resolution
      ? {
          conflict_id: resolution.conflictId,
          strategy: resolution.strategy,
          resolved_value: resolution.resolvedValue ?? null,
          resolved_by: resolution.resolvedBy,
          resolved_at: timestampZ(resolution.resolvedAt),
        }
      : null,
    created_at: timestampZ(conflict.createdAt),
  };
}

/** The merge-conflict 409 body: data the client needs (it takes `operation_id` from it), four fields. */
export function mergeConflictBody(operationId: string, count: number): Record<string, unknown> {
  return {
    status: 'conflicted',
    operation_id: operationId,
    conflicts: count,
    message: `Merge has ${count} conflicts that need resolution`,
  };
}
