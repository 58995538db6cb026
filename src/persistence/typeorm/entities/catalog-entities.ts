import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { CommitOperation } from '../../models';
import { bigintNumber, jsonText } from './column-transformers';

/**
 * Entities of the catalog tables, shared by the PostgreSQL and SQLite mappings. The schema itself comes from
 * the migrations (migrations/postgres, migrations/sqlite; `synchronize` is never on); these classes describe
 * it for the query builder and convert column values (JSON text, booleans, bigint).
 */

/** Any JSON value kept in a text column (typed loosely: the records of models.ts say `unknown`). */
export type JsonDocument = object | string | number | boolean | null;

@Entity({ name: 'tenants' })
@Unique('uq_tenants_name', ['name'])
export class TenantEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text', transformer: jsonText }) properties: Record<string, string>;
}

@Entity({ name: 'warehouses' })
@Unique('uq_warehouses_tenant_name', ['tenantId', 'name'])
export class WarehouseEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'use_sts', type: 'boolean' }) useSts: boolean;
  @Column({ name: 'storage_config', type: 'text', transformer: jsonText }) storageConfig: Record<string, string>;
  @Column({ name: 'vending_strategy', type: 'text', nullable: true, transformer: jsonText }) vendingStrategy: JsonDocument;
}

@Entity({ name: 'catalogs' })
@Unique('uq_catalogs_tenant_name', ['tenantId', 'name'])
export class CatalogEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'catalog_type', type: 'text' }) catalogType: string;
  @Column({ name: 'warehouse_name', type: 'text', nullable: true }) warehouseName: string | null;
  @Column({ name: 'storage_location', type: 'text', nullable: true }) storageLocation: string | null;
  @Column({ name: 'federated_config', type: 'text', nullable: true, transformer: jsonText })
  federatedConfig: { properties: Record<string, string> } | null;
  @Column({ type: 'text', transformer: jsonText }) properties: Record<string, string>;
}

/** Namespace levels: `namespaceKey` joins them with U+001F; see namespace-keys.ts for the other columns. */
@Entity({ name: 'namespaces' })
export class NamespaceEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @PrimaryColumn({ name: 'catalog_name', type: 'text' }) catalogName: string;
  @PrimaryColumn({ name: 'namespace_key', type: 'text' }) namespaceKey: string;
  @Column({ type: 'integer' }) depth: number;
  @Column({ name: 'parent_key', type: 'text' }) parentKey: string;
  @Column({ name: 'sort_key', type: 'text' }) sortKey: string;
  @Column({ type: 'text', transformer: jsonText }) properties: Record<string, string>;
}

@Entity({ name: 'branches' })
export class BranchEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @PrimaryColumn({ name: 'catalog_name', type: 'text' }) catalogName: string;
  @PrimaryColumn({ type: 'text' }) name: string;
  @Column({ name: 'head_commit_id', type: 'text', nullable: true }) headCommitId: string | null;
  @Column({ name: 'branch_type', type: 'text' }) branchType: string;
}

/**
 * An asset row on one branch. Primary key (tenant, catalog, branch, id): ids are kept across branches and
 * unique per branch. Unique key (tenant, catalog, branch, namespace key, name).
 */
@Entity({ name: 'assets' })
@Unique('uq_assets_name', ['tenantId', 'catalogName', 'branchName', 'namespaceKey', 'name'])
export class AssetEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @PrimaryColumn({ name: 'catalog_name', type: 'text' }) catalogName: string;
  @PrimaryColumn({ name: 'branch_name', type: 'text' }) branchName: string;
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'namespace_key', type: 'text' }) namespaceKey: string;
  @Column({ name: 'namespace_depth', type: 'integer' }) namespaceDepth: number;
  @Column({ name: 'namespace_sort', type: 'text' }) namespaceSort: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) kind: string;
  @Column({ type: 'text' }) location: string;
  @Column({ type: 'text', transformer: jsonText }) properties: Record<string, string>;
}

@Entity({ name: 'commits' })
export class CommitEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'parent_id', type: 'text', nullable: true }) parentId: string | null;
  /** Epoch milliseconds. */
  @Column({ name: 'committed_at', type: 'bigint', transformer: bigintNumber }) committedAt: number;
  @Column({ type: 'text' }) author: string;
  @Column({ type: 'text' }) message: string;
  @Column({ type: 'text', transformer: jsonText }) operations: CommitOperation[];
}

@Entity({ name: 'tags' })
export class TagEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @PrimaryColumn({ name: 'catalog_name', type: 'text' }) catalogName: string;
  @PrimaryColumn({ type: 'text' }) name: string;
  @Column({ name: 'commit_id', type: 'text' }) commitId: string;
}

@Entity({ name: 'merge_operations' })
export class MergeOperationEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'catalog_name', type: 'text' }) catalogName: string;
  @Column({ name: 'source_branch', type: 'text' }) sourceBranch: string;
  @Column({ name: 'target_branch', type: 'text' }) targetBranch: string;
  @Column({ name: 'base_commit_id', type: 'text', nullable: true }) baseCommitId: string | null;
  @Column({ type: 'text' }) status: string;
  /** Ids of the operation's conflicts, in the order the operation lists them (JSON array). */
  @Column({ name: 'conflict_ids', type: 'text', transformer: jsonText }) conflictIds: string[];
  @Column({ name: 'initiated_by', type: 'text' }) initiatedBy: string;
  @Column({ name: 'initiated_at', type: 'bigint', transformer: bigintNumber }) initiatedAt: number;
  @Column({ name: 'completed_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  completedAt: number | null;
  @Column({ name: 'result_commit_id', type: 'text', nullable: true }) resultCommitId: string | null;
}

@Entity({ name: 'merge_conflicts' })
export class MergeConflictEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'merge_operation_id', type: 'text' }) mergeOperationId: string;
  @Column({ name: 'conflict_type', type: 'text', transformer: jsonText }) conflictType: Record<string, JsonDocument>;
  @Column({ name: 'asset_id', type: 'text', nullable: true }) assetId: string | null;
  @Column({ type: 'text' }) description: string;
  /** Null while unresolved; the other resolution columns are set together with it. */
  @Column({ name: 'resolution_strategy', type: 'text', nullable: true }) resolutionStrategy: string | null;
  /** JSON text of the resolved value; SQL NULL when the value was undefined. */
  @Column({ name: 'resolved_value', type: 'text', nullable: true }) resolvedValue: string | null;
  @Column({ name: 'resolved_by', type: 'text', nullable: true }) resolvedBy: string | null;
  @Column({ name: 'resolved_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  resolvedAt: number | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt: number;
}
