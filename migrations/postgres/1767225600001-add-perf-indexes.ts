import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Secondary indexes for the queries the persistence adapter runs, PostgreSQL. */
export class AddPerfIndexes1767225600001 implements MigrationInterface {
  name = 'AddPerfIndexes1767225600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Finding the children of a commit (descendants of a merge base, history checks) without scanning every
    // commit of every tenant. The ancestry walk itself follows the primary key (tenant_id, id).
    await queryRunner.query('CREATE INDEX "idx_commits_parent_id" ON "commits" ("parent_id")');

    // Listing and revoking one user's tokens, and the ON DELETE CASCADE from users, without a full scan.
    await queryRunner.query('CREATE INDEX "idx_active_tokens_user_id" ON "active_tokens" ("user_id")');

    // listAssets and listBranchAssetNames read a branch ordered by namespace then name, paginated: walking
    // this index in order avoids sorting the whole branch for every page.
    await queryRunner.query(
      'CREATE INDEX "idx_assets_branch_order" ON "assets" ("tenant_id", "catalog_name", "branch_name", "namespace_sort", "name")',
    );

    // deleteNamespace must know whether ANY branch holds an asset in the namespace; the unique key puts the
    // branch before the namespace, so without this the check scans the whole catalog.
    await queryRunner.query(
      'CREATE INDEX "idx_assets_namespace" ON "assets" ("tenant_id", "catalog_name", "namespace_key")',
    );

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
      'idx_assets_namespace',
      'idx_assets_branch_order',
      'idx_active_tokens_user_id',
      'idx_commits_parent_id',
    ]) {
      await queryRunner.query(`DROP INDEX IF EXISTS "${index}"`);
    }
  }
}
