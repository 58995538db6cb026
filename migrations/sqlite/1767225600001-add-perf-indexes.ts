import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Secondary indexes for the queries the persistence adapter runs, SQLite (same DDL as the PostgreSQL migration). */
export class AddPerfIndexes1767225600001 implements MigrationInterface {
  name = 'AddPerfIndexes1767225600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Finding the children of a commit (descendants of a merge base, history checks) without scanning every
    // commit of every tenant. The ancestry walk itself follows the primary key (tenant_id, id).
    await queryRunner.query('CREATE INDEX "idx_commits_parent_id" ON "commits" ("parent_id")');

    // Listing and revoking one user's tokens, and the ON DELETE CASCADE from users, without a full scan.
    await queryRunner.query('CREATE INDEX "idx_active_tokens_user_id" ON "active_tokens" ("user_id")');

    // No secondary index on assets beyond its two unique keys, deliberately: every index is maintained for
    // every row a branch copy writes, and measured here the two candidates (branch order by namespace_sort;
    // namespace across branches) made copyAssetsBulk several times slower. Listing one namespace is served by
    // the unique key (tenant, catalog, branch, namespace_key, name); deleteNamespace probes that same key once
    // per branch; only an unfiltered branch listing sorts its rows.

    // listNamespaces without a parent returns the whole catalog ordered level by level (sort_key).
    await queryRunner.query(
      'CREATE INDEX "idx_namespaces_order" ON "namespaces" ("tenant_id", "catalog_name", "sort_key")',
    );

    // listNamespaces with a parent (direct children, ordered) and deleteNamespace's child check look
    // namespaces up by parent key and depth.
    await queryRunner.query(
      'CREATE INDEX "idx_namespaces_parent" ON "namespaces" ("tenant_id", "catalog_name", "parent_key", "depth", "sort_key")',
    );

    // listMergeOperations returns a catalog's operations newest first, paginated.
    await queryRunner.query(
      'CREATE INDEX "idx_merge_operations_catalog" ON "merge_operations" ("tenant_id", "catalog_name", "initiated_at", "id")',
    );

    // listMergeConflicts returns one operation's conflicts in creation order (also serves the cascade from
    // merge_operations).
    await queryRunner.query(
      'CREATE INDEX "idx_merge_conflicts_operation" ON "merge_conflicts" ("tenant_id", "merge_operation_id", "created_at", "id")',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of [
      'idx_merge_conflicts_operation',
      'idx_merge_operations_catalog',
      'idx_namespaces_parent',
      'idx_namespaces_order',
      'idx_active_tokens_user_id',
      'idx_commits_parent_id',
    ]) {
      await queryRunner.query(`DROP INDEX IF EXISTS "${index}"`);
    }
  }
}
