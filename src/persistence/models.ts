/**
 * Records stored by every persistence backend. Field names are camelCase here; the HTTP layer maps them to
 * the wire's snake_case / kebab-case shapes. Every record is scoped by `tenantId`.
 */

export const DEFAULT_TENANT_ID = '00000000-0000-0000-0000-000000000000';
export const MAIN_BRANCH = 'main';

export type StringMap = Record<string, string>;

/** Namespace levels, outermost first, e.g. `['sales', 'eu']`. A level never contains U+001F. */
export type NamespacePath = string[];

/**
 * Every list has a stable, documented order, identical on all backends. Lists ordered "by name" compare
 * names in binary order (Unicode code points, i.e. UTF-8 bytes: `B` < `_` < `a`), never by a locale
 * collation (PostgreSQL needs `COLLATE "C"`), so the same page holds the same rows everywhere. Namespace
 * paths compare level by level that way, a path before its extensions (`[a]` < `[a, b]` < `[a-b]`).
 */
export interface Pagination {
  /** Maximum rows to return; undefined means every row. 0 gives an empty page. */
  limit?: number;
  /** Rows to skip; undefined means 0. */
  offset?: number;
}

export interface Tenant {
  id: string;
  name: string;
  properties: StringMap;
}

export interface Warehouse {
  id: string;
  tenantId: string;
  name: string;
  useSts: boolean;
  storageConfig: StringMap;
  /** Externally tagged VendingStrategy JSON (`{"AwsStatic": {...}}` or `"None"`), or null. */
  vendingStrategy: unknown;
}

export type CatalogType = 'Local' | 'Federated';

export interface Catalog {
  id: string;
  tenantId: string;
  name: string;
  catalogType: CatalogType;
  warehouseName: string | null;
  storageLocation: string | null;
  federatedConfig: { properties: StringMap } | null;
  properties: StringMap;
}

export interface Namespace {
  tenantId: string;
  catalogName: string;
  levels: NamespacePath;
  properties: StringMap;
}

export const ASSET_KINDS = [
  'ICEBERG_TABLE',
  'DELTA_TABLE',
  'HUDI_TABLE',
  'PARQUET_TABLE',
  'CSV_TABLE',
  'JSON_TABLE',
  'VIEW',
  'ML_MODEL',
  'APACHE_PAIMON',
  'VORTEX',
  'LANCE',
  'NIMBLE',
  'DIRECTORY',
  'VIDEO_FILE',
  'IMAGE_FILE',
  'DB_CONN_STRING',
  'OTHER',
] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** Property holding an Iceberg table's current metadata file on a branch. */
export const METADATA_LOCATION_PROPERTY = 'metadata_location';

/**
 * One asset row: an asset as it exists on one branch. Key: (tenant, catalog, branch, namespace, name).
 *
 * Identity rule (the same on all backends): an asset keeps its `id` on every branch it is copied to, so
 * `id` is unique per (tenant, catalog, branch), not globally. Branch copies therefore need no id
 * generation, and a merge can match the same asset on both sides by id.
 */
export interface Asset {
  id: string;
  tenantId: string;
  catalogName: string;
  branch: string;
  namespace: NamespacePath;
  name: string;
  kind: AssetKind;
  location: string;
  properties: StringMap;
}

export type BranchType = 'ingest' | 'experimental';

export interface Branch {
  tenantId: string;
  catalogName: string;
  name: string;
  headCommitId: string | null;
  branchType: BranchType;
}

/** The asset as recorded inside a commit operation (wire shape of `Asset`, plus its namespace). */
export interface CommitAssetSnapshot {
  id: string;
  name: string;
  namespace: NamespacePath;
  kind: AssetKind;
  location: string;
  properties: StringMap;
}

/** Externally tagged, as on the wire. `Delete.name` is the qualified name `ns1.ns2.asset`. */
export type CommitOperation = { Put: { asset: CommitAssetSnapshot } } | { Delete: { name: string } };

export interface Commit {
  id: string;
  tenantId: string;
  parentId: string | null;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  author: string;
  message: string;
  operations: CommitOperation[];
}

export interface Tag {
  tenantId: string;
  catalogName: string;
  name: string;
  commitId: string;
}

export type MergeStatus = 'Pending' | 'Conflicted' | 'Resolving' | 'Ready' | 'Completed' | 'Aborted';
export type ResolutionStrategy = 'AutoMerge' | 'TakeSource' | 'TakeTarget' | 'Manual' | 'ThreeWayMerge';

export interface MergeOperation {
  id: string;
  tenantId: string;
  catalogName: string;
  sourceBranch: string;
  targetBranch: string;
  baseCommitId: string | null;
  status: MergeStatus;
  /** Ids of this operation's MergeConflict records. */
  conflicts: string[];
  initiatedBy: string;
  initiatedAt: Date;
  completedAt: Date | null;
  resultCommitId: string | null;
}

/** Externally tagged ConflictType JSON, e.g. `{"DeletionConflict": {...}}`. */
export type ConflictType = Record<string, unknown>;

export interface ConflictResolution {
  conflictId: string;
  strategy: ResolutionStrategy;
  resolvedValue: unknown;
  resolvedBy: string;
  resolvedAt: Date;
}

export interface MergeConflict {
  id: string;
  tenantId: string;
  mergeOperationId: string;
  conflictType: ConflictType;
  assetId: string | null;
  description: string;
  resolution: ConflictResolution | null;
  createdAt: Date;
}

/** Qualified asset name as used in branch asset lists and commit `Delete` operations: `ns1.ns2.asset`. */
export function qualifiedAssetName(namespace: NamespacePath, name: string): string {
  return [...namespace, name].join('.');
}
