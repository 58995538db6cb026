import type { PipelineStage } from 'mongoose';
import type {
  Asset,
  Branch,
  Catalog,
  Commit,
  CommitOperation,
  ConflictResolution,
  MergeConflict,
  MergeOperation,
  Namespace,
  NamespacePath,
  Pagination,
  StringMap,
  Tag,
  Tenant,
  Warehouse,
} from '../models';
import type {
  AssetDoc,
  BranchDoc,
  CatalogDoc,
  CommitDoc,
  CommitOperationDoc,
  ConflictResolutionDoc,
  MergeConflictDoc,
  MergeOperationDoc,
  NamespaceDoc,
  PairDoc,
  TagDoc,
  TenantDoc,
  WarehouseDoc,
} from './mongo-schemas';

/** Conversions between the records of models.ts and the stored documents (see mongo-schemas.ts). */

/** Separator of namespace levels inside `namespaceKey`; never part of a level. */
export const LEVEL_SEPARATOR = '\u001f';

export function namespaceKey(levels: NamespacePath): string {
  return levels.join(LEVEL_SEPARATOR);
}

/**
 * Filter on `namespaceKey` matching every namespace strictly below `levels` (children, grandchildren...):
 * keys starting with `key + U+001F`, i.e. in the half-open range up to `key + U+0020`.
 */
export function descendantKeyRange(levels: NamespacePath): { $gt: string; $lt: string } {
  const key = namespaceKey(levels);
  return { $gt: key + LEVEL_SEPARATOR, $lt: key + '\u0020' };
}

export function toPairs(map: StringMap): PairDoc[] {
  return Object.entries(map).map(([k, v]) => ({ k, v }));
}

export function fromPairs(pairs: PairDoc[] | undefined | null): StringMap {
  // fromEntries defines each key as an own property: a key named `__proto__` is kept as a key.
  return Object.fromEntries((pairs ?? []).map(({ k, v }) => [k, v]));
}

export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson(json: string | null | undefined): unknown {
  return json === null || json === undefined ? null : JSON.parse(json);
}

/** `limit` and `offset` of a page; `empty` when nothing can be returned (limit 0; MongoDB reads 0 as "all"). */
export function pageBounds(page: Pagination | undefined): { skip: number; limit: number | undefined; empty: boolean } {
  const skip = Math.max(0, page?.offset ?? 0);
  const limit = page?.limit;
  return { skip, limit, empty: limit !== undefined && limit <= 0 };
}

/** Aggregation stages for one page of an already sorted stream. */
export function pageStages(page: Pagination | undefined): (PipelineStage.Skip | PipelineStage.Limit)[] {
  const { skip, limit } = pageBounds(page);
  const stages: (PipelineStage.Skip | PipelineStage.Limit)[] = [];
  if (skip > 0) stages.push({ $skip: skip });
  if (limit !== undefined) stages.push({ $limit: limit });
  return stages;
}

export function tenantToDoc(tenant: Tenant): TenantDoc {
  return { id: tenant.id, name: tenant.name, properties: toPairs(tenant.properties) };
}

export function tenantFromDoc(doc: TenantDoc): Tenant {
  return { id: doc.id, name: doc.name, properties: fromPairs(doc.properties) };
}

export function warehouseToDoc(warehouse: Warehouse): WarehouseDoc {
  return {
    id: warehouse.id,
    tenantId: warehouse.tenantId,
    name: warehouse.name,
    useSts: warehouse.useSts,
    storageConfig: toPairs(warehouse.storageConfig),
    vendingStrategyJson: toJson(warehouse.vendingStrategy),
  };
}

export function warehouseFromDoc(doc: WarehouseDoc): Warehouse {
  return {
    id: doc.id,
    tenantId: doc.tenantId,
    name: doc.name,
    useSts: doc.useSts,
    storageConfig: fromPairs(doc.storageConfig),
    vendingStrategy: fromJson(doc.vendingStrategyJson),
  };
}

export function catalogToDoc(catalog: Catalog): CatalogDoc {
  return {
    id: catalog.id,
    tenantId: catalog.tenantId,
    name: catalog.name,
    catalogType: catalog.catalogType,
    warehouseName: catalog.warehouseName,
    storageLocation: catalog.storageLocation,
    federatedConfigJson: toJson(catalog.federatedConfig),
    properties: toPairs(catalog.properties),
  };
}

export function catalogFromDoc(doc: CatalogDoc): Catalog {
  return {
    id: doc.id,
    tenantId: doc.tenantId,
    name: doc.name,
    catalogType: doc.catalogType,
    warehouseName: doc.warehouseName ?? null,
    storageLocation: doc.storageLocation ?? null,
    federatedConfig: fromJson(doc.federatedConfigJson) as Catalog['federatedConfig'],
    properties: fromPairs(doc.properties),
  };
}

export function namespaceToDoc(namespace: Namespace): NamespaceDoc {
  return {
    tenantId: namespace.tenantId,
    catalogName: namespace.catalogName,
    levels: [...namespace.levels],
    namespaceKey: namespaceKey(namespace.levels),
    parentKey: namespaceKey(namespace.levels.slice(0, -1)),
    depth: namespace.levels.length,
    properties: toPairs(namespace.properties),
  };
}

export function namespaceFromDoc(doc: NamespaceDoc): Namespace {
  return {
    tenantId: doc.tenantId,
    catalogName: doc.catalogName,
    levels: [...doc.levels],
    properties: fromPairs(doc.properties),
  };
}

export function assetToDoc(asset: Asset): AssetDoc {
  return {
    id: asset.id,
    tenantId: asset.tenantId,
    catalogName: asset.catalogName,
    branch: asset.branch,
    namespace: [...asset.namespace],
    namespaceKey: namespaceKey(asset.namespace),
    name: asset.name,
    kind: asset.kind,
    location: asset.location,
    properties: toPairs(asset.properties),
  };
}

export function assetFromDoc(doc: AssetDoc): Asset {
  return {
    id: doc.id,
    tenantId: doc.tenantId,
    catalogName: doc.catalogName,
    branch: doc.branch,
    namespace: [...doc.namespace],
    name: doc.name,
    kind: doc.kind,
    location: doc.location,
    properties: fromPairs(doc.properties),
  };
}

export function branchFromDoc(doc: BranchDoc): Branch {
  return {
    tenantId: doc.tenantId,
    catalogName: doc.catalogName,
    name: doc.name,
    headCommitId: doc.headCommitId ?? null,
    branchType: doc.branchType,
  };
}

function operationToDoc(operation: CommitOperation): CommitOperationDoc {
  if ('Put' in operation) {
    const { asset } = operation.Put;
    return {
      op: 'Put',
      asset: {
        id: asset.id,
        name: asset.name,
        namespace: [...asset.namespace],
        kind: asset.kind,
        location: asset.location,
        properties: toPairs(asset.properties),
      },
      name: null,
    };
  }
  return { op: 'Delete', asset: null, name: operation.Delete.name };
}

function operationFromDoc(doc: CommitOperationDoc): CommitOperation {
  if (doc.op === 'Put' && doc.asset) {
    const { asset } = doc;
    return {
      Put: {
        asset: {
          id: asset.id,
          name: asset.name,
          namespace: [...asset.namespace],
          kind: asset.kind,
          location: asset.location,
          properties: fromPairs(asset.properties),
        },
      },
    };
  }
  return { Delete: { name: doc.name ?? '' } };
}

export function commitToDoc(commit: Commit): CommitDoc {
  return {
    id: commit.id,
    tenantId: commit.tenantId,
    parentId: commit.parentId,
    timestamp: commit.timestamp,
    author: commit.author,
    message: commit.message,
    operations: commit.operations.map(operationToDoc),
  };
}

export function commitFromDoc(doc: CommitDoc): Commit {
  return {
    id: doc.id,
    tenantId: doc.tenantId,
    parentId: doc.parentId ?? null,
    timestamp: Number(doc.timestamp),
    author: doc.author,
    message: doc.message,
    operations: (doc.operations ?? []).map(operationFromDoc),
  };
}

export function tagFromDoc(doc: TagDoc): Tag {
  return { tenantId: doc.tenantId, catalogName: doc.catalogName, name: doc.name, commitId: doc.commitId };
}

export function mergeOperationToDoc(operation: MergeOperation): MergeOperationDoc {
  return { ...operation, conflicts: [...operation.conflicts] };
}

export function mergeOperationFromDoc(doc: MergeOperationDoc): MergeOperation {
  return {
    id: doc.id,
    tenantId: doc.tenantId,
    catalogName: doc.catalogName,
    sourceBranch: doc.sourceBranch,
    targetBranch: doc.targetBranch,
    baseCommitId: doc.baseCommitId ?? null,
    status: doc.status,
    conflicts: [...(doc.conflicts ?? [])],
    initiatedBy: doc.initiatedBy,
    initiatedAt: new Date(doc.initiatedAt),
    completedAt: doc.completedAt ? new Date(doc.completedAt) : null,
    resultCommitId: doc.resultCommitId ?? null,
  };
}

export function mergeConflictToDoc(conflict: MergeConflict): MergeConflictDoc {
  return {
    id: conflict.id,
    tenantId: conflict.tenantId,
    mergeOperationId: conflict.mergeOperationId,
    conflictTypeJson: JSON.stringify(conflict.conflictType),
    assetId: conflict.assetId,
    description: conflict.description,
    resolution: conflict.resolution ? conflictResolutionToDoc(conflict.resolution) : null,
    createdAt: conflict.createdAt,
  };
}

export function conflictResolutionToDoc(resolution: ConflictResolution): ConflictResolutionDoc {
  return {
    conflictId: resolution.conflictId,
    strategy: resolution.strategy,
    resolvedValueJson: JSON.stringify(resolution.resolvedValue ?? null),
    resolvedBy: resolution.resolvedBy,
    resolvedAt: resolution.resolvedAt,
  };
}

export function mergeConflictFromDoc(doc: MergeConflictDoc): MergeConflict {
  return {
    id: doc.id,
    tenantId: doc.tenantId,
    mergeOperationId: doc.mergeOperationId,
    conflictType: JSON.parse(doc.conflictTypeJson) as MergeConflict['conflictType'],
    assetId: doc.assetId ?? null,
    description: doc.description,
    resolution: doc.resolution
      ? {
          conflictId: doc.resolution.conflictId,
          strategy: doc.resolution.strategy,
          resolvedValue: JSON.parse(doc.resolution.resolvedValueJson),
          resolvedBy: doc.resolution.resolvedBy,
          resolvedAt: new Date(doc.resolution.resolvedAt),
        }
      : null,
    createdAt: new Date(doc.createdAt),
  };
}
