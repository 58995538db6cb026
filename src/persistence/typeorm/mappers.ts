import type {
  Asset,
  AssetKind,
  Branch,
  BranchType,
  Catalog,
  CatalogType,
  Commit,
  CommitOperation,
  MergeConflict,
  MergeOperation,
  MergeStatus,
  Namespace,
  Pagination,
  ResolutionStrategy,
  Tag,
  Tenant,
  Warehouse,
} from '../models';
import type {
  AssetEntity,
  BranchEntity,
  CatalogEntity,
  CommitEntity,
  MergeConflictEntity,
  MergeOperationEntity,
  NamespaceEntity,
  TagEntity,
  TenantEntity,
  WarehouseEntity,
} from './entities';
import { levelsFromKey, namespaceColumns } from './namespace-keys';

/** Conversions between entity rows and the records of models.ts. */

export function toTenant(row: TenantEntity): Tenant {
  return { id: row.id, name: row.name, properties: row.properties };
}

export function toWarehouse(row: WarehouseEntity): Warehouse {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    useSts: row.useSts,
    storageConfig: row.storageConfig,
    vendingStrategy: row.vendingStrategy,
  };
}

export function toCatalog(row: CatalogEntity): Catalog {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    catalogType: row.catalogType as CatalogType,
    warehouseName: row.warehouseName,
    storageLocation: row.storageLocation,
    federatedConfig: row.federatedConfig,
    properties: row.properties,
  };
}

export function toNamespace(row: NamespaceEntity): Namespace {
  return {
    tenantId: row.tenantId,
    catalogName: row.catalogName,
    levels: levelsFromKey(row.namespaceKey, row.depth),
    properties: row.properties,
  };
}

export function namespaceEntity(namespace: Namespace): NamespaceEntity {
  const columns = namespaceColumns(namespace.levels);
  return {
    tenantId: namespace.tenantId,
    catalogName: namespace.catalogName,
    namespaceKey: columns.key,
    depth: columns.depth,
    parentKey: columns.parentKey,
    sortKey: columns.sortKey,
    properties: namespace.properties,
  };
}

export function toAsset(row: AssetEntity): Asset {
  return {
    id: row.id,
    tenantId: row.tenantId,
    catalogName: row.catalogName,
    branch: row.branchName,
    namespace: levelsFromKey(row.namespaceKey, row.namespaceDepth),
    name: row.name,
    kind: row.kind as AssetKind,
    location: row.location,
    properties: row.properties,
  };
}

export function toBranch(row: BranchEntity): Branch {
  return {
    tenantId: row.tenantId,
    catalogName: row.catalogName,
    name: row.name,
    headCommitId: row.headCommitId,
    branchType: row.branchType as BranchType,
  };
}

export function toCommit(row: CommitEntity): Commit {
  return {
    id: row.id,
    tenantId: row.tenantId,
    parentId: row.parentId,
    timestamp: row.committedAt,
    author: row.author,
    message: row.message,
    operations: row.operations,
  };
}

export function commitEntity(commit: Commit): CommitEntity {
  return {
    tenantId: commit.tenantId,
    id: commit.id,
    parentId: commit.parentId,
    committedAt: commit.timestamp,
    author: commit.author,
    message: commit.message,
    operations: commit.operations,
  };
}

/** A commits row read with raw SQL (column names, JSON still text, bigint possibly a string). */
export interface CommitRow {
  tenant_id: string;
  id: string;
  parent_id: string | null;
  committed_at: string | number;
  author: string;
  message: string;
  operations: string;
}

export function commitFromRow(row: CommitRow): Commit {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    parentId: row.parent_id,
    timestamp: Number(row.committed_at),
    author: row.author,
    message: row.message,
    operations: JSON.parse(row.operations) as CommitOperation[],
  };
}

export function toTag(row: TagEntity): Tag {
  return { tenantId: row.tenantId, catalogName: row.catalogName, name: row.name, commitId: row.commitId };
}

export function toMergeOperation(row: MergeOperationEntity): MergeOperation {
  return {
    id: row.id,
    tenantId: row.tenantId,
    catalogName: row.catalogName,
    sourceBranch: row.sourceBranch,
    targetBranch: row.targetBranch,
    baseCommitId: row.baseCommitId,
    status: row.status as MergeStatus,
    conflicts: row.conflictIds,
    initiatedBy: row.initiatedBy,
    initiatedAt: new Date(row.initiatedAt),
    completedAt: row.completedAt === null ? null : new Date(row.completedAt),
    resultCommitId: row.resultCommitId,
  };
}

export function mergeOperationEntity(operation: MergeOperation): MergeOperationEntity {
  return {
    tenantId: operation.tenantId,
    id: operation.id,
    catalogName: operation.catalogName,
    sourceBranch: operation.sourceBranch,
    targetBranch: operation.targetBranch,
    baseCommitId: operation.baseCommitId,
    status: operation.status,
    conflictIds: operation.conflicts,
    initiatedBy: operation.initiatedBy,
    initiatedAt: operation.initiatedAt.getTime(),
    completedAt: operation.completedAt ? operation.completedAt.getTime() : null,
    resultCommitId: operation.resultCommitId,
  };
}

export function toMergeConflict(row: MergeConflictEntity): MergeConflict {
  return {
    id: row.id,
    tenantId: row.tenantId,
    mergeOperationId: row.mergeOperationId,
    conflictType: row.conflictType,
    assetId: row.assetId,
    description: row.description,
    resolution:
      row.resolutionStrategy === null
        ? null
        : {
            conflictId: row.id,
            strategy: row.resolutionStrategy as ResolutionStrategy,
            resolvedValue: row.resolvedValue === null ? undefined : JSON.parse(row.resolvedValue),
            resolvedBy: row.resolvedBy ?? '',
            resolvedAt: new Date(row.resolvedAt ?? 0),
          },
    createdAt: new Date(row.createdAt),
  };
}

export function mergeConflictEntity(tenantId: string, conflict: MergeConflict): MergeConflictEntity {
  const resolution = conflict.resolution;
  return {
    tenantId,
    id: conflict.id,
    mergeOperationId: conflict.mergeOperationId,
    conflictType: conflict.conflictType as MergeConflictEntity['conflictType'],
    assetId: conflict.assetId,
    description: conflict.description,
    resolutionStrategy: resolution ? resolution.strategy : null,
    resolvedValue: resolution && resolution.resolvedValue !== undefined ? JSON.stringify(resolution.resolvedValue) : null,
    resolvedBy: resolution ? resolution.resolvedBy : null,
    resolvedAt: resolution ? resolution.resolvedAt.getTime() : null,
    createdAt: conflict.createdAt.getTime(),
  };
}

/**
 * TypeORM find options for a page, or null when the page is empty by definition (limit 0: TypeORM would read
 * `take: 0` as "no limit").
 */
export function findPage(page: Pagination | undefined): { skip?: number; take?: number } | null {
  if (page?.limit === 0) return null;
  return { skip: page?.offset || undefined, take: page?.limit };
}
