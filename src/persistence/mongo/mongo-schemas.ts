import { Schema, type Connection, type Model } from 'mongoose';
import type { AssetKind, BranchType, CatalogType, MergeStatus, ResolutionStrategy } from '../models';

/**
 * Document shapes of the MongoDB backend: one collection per aggregate.
 *
 * - Our ids live in their own `id` fields with (unique) indexes; `_id` is left to the server (some servers
 *   coerce any `_id` to an ObjectId) and is never read.
 * - String maps (properties, storage config) are stored as arrays of `{k, v}` pairs: their keys come from
 *   clients and may contain `.` or start with `$`, which MongoDB field names handle poorly.
 * - Opaque client JSON (vending strategy, federated config, conflict types, resolved values) is stored as a
 *   JSON string, for the same reason.
 * - A namespace is stored as its levels plus `namespaceKey`, the levels joined with U+001F (a character no
 *   level contains, and lower than every printable one), so one indexed string compares level by level.
 *
 * Unique indexes mirror the SQL constraints. They are created at boot when migrations are enabled
 * (`createMongoIndexes`); the writes also check before inserting, inside their transaction.
 */

export interface PairDoc {
  k: string;
  v: string;
}

export interface TenantDoc {
  id: string;
  name: string;
  properties: PairDoc[];
}

export interface WarehouseDoc {
  id: string;
  tenantId: string;
  name: string;
  useSts: boolean;
  storageConfig: PairDoc[];
  vendingStrategyJson: string | null;
}

export interface CatalogDoc {
  id: string;
  tenantId: string;
  name: string;
  catalogType: CatalogType;
  warehouseName: string | null;
  storageLocation: string | null;
  federatedConfigJson: string | null;
  properties: PairDoc[];
}

export interface NamespaceDoc {
  tenantId: string;
  catalogName: string;
  levels: string[];
  namespaceKey: string;
  /** Key of the parent namespace (levels minus the last one); with `depth` it finds direct children. */
  parentKey: string;
  depth: number;
  properties: PairDoc[];
}

export interface AssetDoc {
  id: string;
  tenantId: string;
  catalogName: string;
  branch: string;
  namespace: string[];
  namespaceKey: string;
  name: string;
  kind: AssetKind;
  location: string;
  properties: PairDoc[];
}

export interface BranchDoc {
  tenantId: string;
  catalogName: string;
  name: string;
  headCommitId: string | null;
  branchType: BranchType;
  /**
   * Set while the branch is being created with a bulk copy (see MongoBranches.createBranch): the name is
   * reserved but the branch is not visible yet. Null for every usable branch.
   */
  creationId: string | null;
  creationStartedAt: Date | null;
}

export interface CommitAssetDoc {
  id: string;
  name: string;
  namespace: string[];
  kind: AssetKind;
  location: string;
  properties: PairDoc[];
}

export interface CommitOperationDoc {
  op: 'Put' | 'Delete';
  /** Put: the asset as written. */
  asset: CommitAssetDoc | null;
  /** Delete: the qualified name of the removed asset. */
  name: string | null;
}

export interface CommitDoc {
  id: string;
  tenantId: string;
  parentId: string | null;
  timestamp: number;
  author: string;
  message: string;
  operations: CommitOperationDoc[];
}

export interface TagDoc {
  tenantId: string;
  catalogName: string;
  name: string;
  commitId: string;
}

export interface MergeOperationDoc {
  id: string;
  tenantId: string;
  catalogName: string;
  sourceBranch: string;
  targetBranch: string;
  baseCommitId: string | null;
  status: MergeStatus;
  conflicts: string[];
  initiatedBy: string;
  initiatedAt: Date;
  completedAt: Date | null;
  resultCommitId: string | null;
}

export interface ConflictResolutionDoc {
  conflictId: string;
  strategy: ResolutionStrategy;
  resolvedValueJson: string;
  resolvedBy: string;
  resolvedAt: Date;
}

export interface MergeConflictDoc {
  id: string;
  tenantId: string;
  mergeOperationId: string;
  conflictTypeJson: string;
  assetId: string | null;
  description: string;
  resolution: ConflictResolutionDoc | null;
  createdAt: Date;
}

export interface MongoModels {
  tenants: Model<TenantDoc>;
  warehouses: Model<WarehouseDoc>;
  catalogs: Model<CatalogDoc>;
  namespaces: Model<NamespaceDoc>;
  assets: Model<AssetDoc>;
  branches: Model<BranchDoc>;
  commits: Model<CommitDoc>;
  tags: Model<TagDoc>;
  mergeOperations: Model<MergeOperationDoc>;
  mergeConflicts: Model<MergeConflictDoc>;
}

/** Collection name of each model (also used to name the resource of a duplicate-key error). */
export const COLLECTIONS = {
  tenants: 'tenants',
  warehouses: 'warehouses',
  catalogs: 'catalogs',
  namespaces: 'namespaces',
  assets: 'assets',
  branches: 'branches',
  commits: 'commits',
  tags: 'tags',
  mergeOperations: 'merge_operations',
  mergeConflicts: 'merge_conflicts',
} as const satisfies Record<keyof MongoModels, string>;

/** The unique key of an asset row; the bulk copy's `$merge` matches on it. */
export const ASSET_KEY_FIELDS = ['tenantId', 'catalogName', 'branch', 'namespaceKey', 'name'] as const;

// Strings are never `required`: mongoose would then refuse '' (a legal property value or commit message).
const nullableString = { type: String, default: null };

const SCHEMA_OPTIONS = {
  versionKey: false,
  // Our own `id` field replaces mongoose's `id` virtual.
  id: false,
  // A typo in a field name must fail loudly rather than silently dropping data.
  strict: 'throw',
  // Indexes and collections are created by createMongoIndexes, only when migrations are enabled.
  autoIndex: false,
  autoCreate: false,
} as const;

const pairSchema = new Schema<PairDoc>({ k: String, v: String }, { _id: false, versionKey: false, id: false, strict: 'throw' });

function tenantSchema(): Schema<TenantDoc> {
  const schema = new Schema<TenantDoc>({ id: String, name: String, properties: [pairSchema] }, SCHEMA_OPTIONS);
  schema.index({ id: 1 }, { unique: true, name: 'tenants_id_unique' });
  schema.index({ name: 1 }, { unique: true, name: 'tenants_name_unique' });
  return schema;
}

function warehouseSchema(): Schema<WarehouseDoc> {
  const schema = new Schema<WarehouseDoc>(
    {
      id: String,
      tenantId: String,
      name: String,
      useSts: Boolean,
      storageConfig: [pairSchema],
      vendingStrategyJson: nullableString,
    },
    SCHEMA_OPTIONS,
  );
  schema.index({ tenantId: 1, name: 1 }, { unique: true, name: 'warehouses_tenant_name_unique' });
  return schema;
}

function catalogSchema(): Schema<CatalogDoc> {
  const schema = new Schema<CatalogDoc>(
    {
      id: String,
      tenantId: String,
      name: String,
      catalogType: String,
      warehouseName: nullableString,
      storageLocation: nullableString,
      federatedConfigJson: nullableString,
      properties: [pairSchema],
    },
    SCHEMA_OPTIONS,
  );
  schema.index({ tenantId: 1, name: 1 }, { unique: true, name: 'catalogs_tenant_name_unique' });
  // Warehouse renames and tenant deletion look for catalogs referring to a warehouse.
  schema.index({ tenantId: 1, warehouseName: 1 }, { name: 'catalogs_tenant_warehouse' });
  return schema;
}

function namespaceSchema(): Schema<NamespaceDoc> {
  const schema = new Schema<NamespaceDoc>(
    {
      tenantId: String,
      catalogName: String,
      levels: [String],
      namespaceKey: String,
      parentKey: String,
      depth: Number,
      properties: [pairSchema],
    },
    SCHEMA_OPTIONS,
  );
  schema.index({ tenantId: 1, catalogName: 1, namespaceKey: 1 }, { unique: true, name: 'namespaces_key_unique' });
  schema.index({ tenantId: 1, catalogName: 1, parentKey: 1, depth: 1, namespaceKey: 1 }, { name: 'namespaces_children' });
  return schema;
}

function assetSchema(): Schema<AssetDoc> {
  const schema = new Schema<AssetDoc>(
    {
      id: String,
      tenantId: String,
      catalogName: String,
      branch: String,
      namespace: [String],
      namespaceKey: String,
      name: String,
      kind: String,
      location: String,
      properties: [pairSchema],
    },
    SCHEMA_OPTIONS,
  );
  schema.index(
    { tenantId: 1, catalogName: 1, branch: 1, namespaceKey: 1, name: 1 },
    { unique: true, name: 'assets_key_unique' },
  );
  // Ids are stable across branches, unique within one.
  schema.index({ tenantId: 1, catalogName: 1, branch: 1, id: 1 }, { unique: true, name: 'assets_branch_id_unique' });
  // "Does any branch still hold an asset in this namespace?"
  schema.index({ tenantId: 1, catalogName: 1, namespaceKey: 1 }, { name: 'assets_namespace' });
  return schema;
}

function branchSchema(): Schema<BranchDoc> {
  const schema = new Schema<BranchDoc>(
    {
      tenantId: String,
      catalogName: String,
      name: String,
      headCommitId: nullableString,
      branchType: String,
      creationId: nullableString,
      creationStartedAt: { type: Date, default: null },
    },
    SCHEMA_OPTIONS,
  );
  schema.index({ tenantId: 1, catalogName: 1, name: 1 }, { unique: true, name: 'branches_name_unique' });
  return schema;
}

function commitSchema(): Schema<CommitDoc> {
  const assetSnapshot = new Schema<CommitAssetDoc>(
    { id: String, name: String, namespace: [String], kind: String, location: String, properties: [pairSchema] },
    { _id: false, versionKey: false, id: false, strict: 'throw' },
  );
  const operation = new Schema<CommitOperationDoc>(
    { op: String, asset: { type: assetSnapshot, default: null }, name: nullableString },
    { _id: false, versionKey: false, id: false, strict: 'throw' },
  );
  const schema = new Schema<CommitDoc>(
    {
      id: String,
      tenantId: String,
      parentId: nullableString,
      timestamp: Number,
      author: String,
      message: String,
      operations: [operation],
    },
    SCHEMA_OPTIONS,
  );
  schema.index({ tenantId: 1, id: 1 }, { unique: true, name: 'commits_id_unique' });
  // Children of a commit (history walks, the `add-perf-indexes` index of the SQL backends).
  schema.index({ tenantId: 1, parentId: 1 }, { name: 'commits_parent' });
  return schema;
}

function tagSchema(): Schema<TagDoc> {
  const schema = new Schema<TagDoc>({ tenantId: String, catalogName: String, name: String, commitId: String }, SCHEMA_OPTIONS);
  schema.index({ tenantId: 1, catalogName: 1, name: 1 }, { unique: true, name: 'tags_name_unique' });
  return schema;
}

function mergeOperationSchema(): Schema<MergeOperationDoc> {
  const schema = new Schema<MergeOperationDoc>(
    {
      id: String,
      tenantId: String,
      catalogName: String,
      sourceBranch: String,
      targetBranch: String,
      baseCommitId: nullableString,
      status: String,
      conflicts: [String],
      initiatedBy: String,
      initiatedAt: Date,
      completedAt: { type: Date, default: null },
      resultCommitId: nullableString,
    },
    SCHEMA_OPTIONS,
  );
  schema.index({ tenantId: 1, id: 1 }, { unique: true, name: 'merge_operations_id_unique' });
  schema.index({ tenantId: 1, catalogName: 1, initiatedAt: -1, id: 1 }, { name: 'merge_operations_catalog' });
  return schema;
}

function mergeConflictSchema(): Schema<MergeConflictDoc> {
  const resolution = new Schema<ConflictResolutionDoc>(
    { conflictId: String, strategy: String, resolvedValueJson: String, resolvedBy: String, resolvedAt: Date },
    { _id: false, versionKey: false, id: false, strict: 'throw' },
  );
  const schema = new Schema<MergeConflictDoc>(
    {
      id: String,
      tenantId: String,
      mergeOperationId: String,
      conflictTypeJson: String,
      assetId: nullableString,
      description: String,
      resolution: { type: resolution, default: null },
      createdAt: Date,
    },
    SCHEMA_OPTIONS,
  );
  schema.index({ tenantId: 1, id: 1 }, { unique: true, name: 'merge_conflicts_id_unique' });
  schema.index({ tenantId: 1, mergeOperationId: 1, createdAt: 1, id: 1 }, { name: 'merge_conflicts_operation' });
  return schema;
}

/** Registers every model on the connection (its own models, never mongoose's global registry). */
export function registerMongoModels(connection: Connection): MongoModels {
  return {
    tenants: connection.model<TenantDoc>('Tenant', tenantSchema(), COLLECTIONS.tenants),
    warehouses: connection.model<WarehouseDoc>('Warehouse', warehouseSchema(), COLLECTIONS.warehouses),
    catalogs: connection.model<CatalogDoc>('Catalog', catalogSchema(), COLLECTIONS.catalogs),
    namespaces: connection.model<NamespaceDoc>('Namespace', namespaceSchema(), COLLECTIONS.namespaces),
    assets: connection.model<AssetDoc>('Asset', assetSchema(), COLLECTIONS.assets),
    branches: connection.model<BranchDoc>('Branch', branchSchema(), COLLECTIONS.branches),
    commits: connection.model<CommitDoc>('Commit', commitSchema(), COLLECTIONS.commits),
    tags: connection.model<TagDoc>('Tag', tagSchema(), COLLECTIONS.tags),
    mergeOperations: connection.model<MergeOperationDoc>('MergeOperation', mergeOperationSchema(), COLLECTIONS.mergeOperations),
    mergeConflicts: connection.model<MergeConflictDoc>('MergeConflict', mergeConflictSchema(), COLLECTIONS.mergeConflicts),
  };
}

/**
 * Creates every collection and index (idempotent). Run at boot when migrations are enabled: collections
 * must exist before transactions write to them, and the bulk copy's `$merge` needs the unique asset key.
 */
export async function createMongoIndexes(models: MongoModels): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) {
    try {
      await model.createCollection();
    } catch (error) {
      // 48 NamespaceExists: created by an earlier boot.
      if ((error as { code?: number }).code !== 48) throw error;
    }
    await model.createIndexes();
  }
}
