import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog schema and the identity tables, SQLite flavour of migrations/postgres (same tables, columns,
 * keys and constraint names; see the conventions there). Text compares with SQLite's BINARY collation,
 * which is code-point order like PostgreSQL's "C". Booleans are 0/1, bigint is a 64-bit integer.
 * Natural keys are the primary keys (a primary key is a unique constraint).
 */
export class InitialSchema1767225600000 implements MigrationInterface {
  name = 'InitialSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of CREATE_STATEMENTS) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of DROP_ORDER) await queryRunner.query(`DROP TABLE IF EXISTS "${table}"`);
  }
}

const CREATE_STATEMENTS = [
  `CREATE TABLE "tenants" (
    "id" text NOT NULL,
    "name" text NOT NULL,
    "properties" text NOT NULL,
    CONSTRAINT "pk_tenants" PRIMARY KEY ("id"),
    CONSTRAINT "uq_tenants_name" UNIQUE ("name")
  )`,
  `CREATE TABLE "warehouses" (
    "id" text NOT NULL,
    "tenant_id" text NOT NULL,
    "name" text NOT NULL,
    "use_sts" boolean NOT NULL DEFAULT false,
    "storage_config" text NOT NULL,
    "vending_strategy" text NULL,
    CONSTRAINT "pk_warehouses" PRIMARY KEY ("id"),
    CONSTRAINT "uq_warehouses_tenant_name" UNIQUE ("tenant_id", "name")
  )`,
  `CREATE TABLE "catalogs" (
    "id" text NOT NULL,
    "tenant_id" text NOT NULL,
    "name" text NOT NULL,
    "catalog_type" text NOT NULL,
    "warehouse_name" text NULL,
    "storage_location" text NULL,
    "federated_config" text NULL,
    "properties" text NOT NULL,
    CONSTRAINT "pk_catalogs" PRIMARY KEY ("id"),
    CONSTRAINT "uq_catalogs_tenant_name" UNIQUE ("tenant_id", "name")
  )`,
  `CREATE TABLE "namespaces" (
    "tenant_id" text NOT NULL,
    "catalog_name" text NOT NULL,
    "namespace_key" text NOT NULL,
    "depth" integer NOT NULL,
    "parent_key" text NOT NULL,
    "sort_key" text NOT NULL,
    "properties" text NOT NULL,
    CONSTRAINT "pk_namespaces" PRIMARY KEY ("tenant_id", "catalog_name", "namespace_key")
  )`,
  `CREATE TABLE "branches" (
    "tenant_id" text NOT NULL,
    "catalog_name" text NOT NULL,
    "name" text NOT NULL,
    "head_commit_id" text NULL,
    "branch_type" text NOT NULL,
    CONSTRAINT "pk_branches" PRIMARY KEY ("tenant_id", "catalog_name", "name"),
    CONSTRAINT "fk_branches_catalog" FOREIGN KEY ("tenant_id", "catalog_name")
      REFERENCES "catalogs" ("tenant_id", "name") ON DELETE CASCADE
  )`,
  // No foreign key to branches, deliberately: its per-row check made the bulk branch copy (thousands of rows
  // in one INSERT ... SELECT) about a third slower. Rows cannot be orphaned through the adapter: every write
  // of asset rows holds the branch row (row lock / mutex) and deleting a branch or a catalog deletes its rows
  // in the same transaction.
  `CREATE TABLE "assets" (
    "tenant_id" text NOT NULL,
    "catalog_name" text NOT NULL,
    "branch_name" text NOT NULL,
    "id" text NOT NULL,
    "namespace_key" text NOT NULL,
    "namespace_depth" integer NOT NULL,
    "namespace_sort" text NOT NULL,
    "name" text NOT NULL,
    "kind" text NOT NULL,
    "location" text NOT NULL,
    "properties" text NOT NULL,
    CONSTRAINT "pk_assets" PRIMARY KEY ("tenant_id", "catalog_name", "branch_name", "id"),
    CONSTRAINT "uq_assets_name"
      UNIQUE ("tenant_id", "catalog_name", "branch_name", "namespace_key", "name")
  )`,
  `CREATE TABLE "commits" (
    "tenant_id" text NOT NULL,
    "id" text NOT NULL,
    "parent_id" text NULL,
    "committed_at" bigint NOT NULL,
    "author" text NOT NULL,
    "message" text NOT NULL,
    "operations" text NOT NULL,
    CONSTRAINT "pk_commits" PRIMARY KEY ("tenant_id", "id")
  )`,
  `CREATE TABLE "tags" (
    "tenant_id" text NOT NULL,
    "catalog_name" text NOT NULL,
    "name" text NOT NULL,
    "commit_id" text NOT NULL,
    CONSTRAINT "pk_tags" PRIMARY KEY ("tenant_id", "catalog_name", "name")
  )`,
  `CREATE TABLE "merge_operations" (
    "tenant_id" text NOT NULL,
    "id" text NOT NULL,
    "catalog_name" text NOT NULL,
    "source_branch" text NOT NULL,
    "target_branch" text NOT NULL,
    "base_commit_id" text NULL,
    "status" text NOT NULL,
    "conflict_ids" text NOT NULL,
    "initiated_by" text NOT NULL,
    "initiated_at" bigint NOT NULL,
    "completed_at" bigint NULL,
    "result_commit_id" text NULL,
    CONSTRAINT "pk_merge_operations" PRIMARY KEY ("tenant_id", "id")
  )`,
  `CREATE TABLE "merge_conflicts" (
    "tenant_id" text NOT NULL,
    "id" text NOT NULL,
    "merge_operation_id" text NOT NULL,
    "conflict_type" text NOT NULL,
    "asset_id" text NULL,
    "description" text NOT NULL,
    "resolution_strategy" text NULL,
    "resolved_value" text NULL,
    "resolved_by" text NULL,
    "resolved_at" bigint NULL,
    "created_at" bigint NOT NULL,
    CONSTRAINT "pk_merge_conflicts" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "fk_merge_conflicts_operation" FOREIGN KEY ("tenant_id", "merge_operation_id")
      REFERENCES "merge_operations" ("tenant_id", "id") ON DELETE CASCADE
  )`,
  `CREATE TABLE "users" (
    "id" text NOT NULL,
    "tenant_id" text NULL,
    "username" text NOT NULL,
    "email" text NULL,
    "password_hash" text NULL,
    "oauth_provider" text NULL,
    "oauth_subject" text NULL,
    "role" text NOT NULL,
    "active" boolean NOT NULL DEFAULT true,
    "created_at" bigint NOT NULL,
    "updated_at" bigint NOT NULL,
    "last_login_at" bigint NULL,
    CONSTRAINT "pk_users" PRIMARY KEY ("id"),
    CONSTRAINT "uq_users_username" UNIQUE ("username")
  )`,
  `CREATE TABLE "active_tokens" (
    "token_id" text NOT NULL,
    "user_id" text NOT NULL,
    "tenant_id" text NULL,
    "token_hash" text NOT NULL,
    "expires_at" bigint NOT NULL,
    "created_at" bigint NOT NULL,
    CONSTRAINT "pk_active_tokens" PRIMARY KEY ("token_id"),
    CONSTRAINT "fk_active_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
  )`,
  `CREATE TABLE "revoked_tokens" (
    "token_id" text NOT NULL,
    "tenant_id" text NULL,
    "revoked_at" bigint NOT NULL,
    "expires_at" bigint NOT NULL,
    "reason" text NULL,
    CONSTRAINT "pk_revoked_tokens" PRIMARY KEY ("token_id")
  )`,
  `CREATE TABLE "roles" (
    "id" text NOT NULL,
    "tenant_id" text NOT NULL,
    "name" text NOT NULL,
    "description" text NULL,
    "permissions" text NOT NULL,
    "created_by" text NOT NULL,
    "created_at" bigint NOT NULL,
    "updated_at" bigint NOT NULL,
    CONSTRAINT "pk_roles" PRIMARY KEY ("id"),
    CONSTRAINT "uq_roles_tenant_name" UNIQUE ("tenant_id", "name")
  )`,
  `CREATE TABLE "permissions" (
    "id" text NOT NULL,
    "tenant_id" text NOT NULL,
    "user_id" text NOT NULL,
    "scope" text NOT NULL,
    "actions" text NOT NULL,
    "granted_by" text NOT NULL,
    "granted_at" bigint NOT NULL,
    CONSTRAINT "pk_permissions" PRIMARY KEY ("id"),
    CONSTRAINT "fk_permissions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
  )`,
  `CREATE TABLE "user_roles" (
    "user_id" text NOT NULL,
    "role_id" text NOT NULL,
    "tenant_id" text NOT NULL,
    "assigned_by" text NOT NULL,
    "assigned_at" bigint NOT NULL,
    CONSTRAINT "pk_user_roles" PRIMARY KEY ("user_id", "role_id"),
    CONSTRAINT "fk_user_roles_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_user_roles_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE CASCADE
  )`,
  `CREATE TABLE "service_users" (
    "id" text NOT NULL,
    "tenant_id" text NOT NULL,
    "name" text NOT NULL,
    "description" text NULL,
    "api_key_hash" text NOT NULL,
    "role" text NOT NULL,
    "active" boolean NOT NULL DEFAULT true,
    "created_by" text NOT NULL,
    "created_at" bigint NOT NULL,
    "expires_at" bigint NULL,
    "last_used_at" bigint NULL,
    CONSTRAINT "pk_service_users" PRIMARY KEY ("id"),
    CONSTRAINT "uq_service_users_tenant_name" UNIQUE ("tenant_id", "name")
  )`,
];

const DROP_ORDER = [
  'service_users',
  'user_roles',
  'permissions',
  'roles',
  'revoked_tokens',
  'active_tokens',
  'users',
  'merge_conflicts',
  'merge_operations',
  'tags',
  'commits',
  'assets',
  'branches',
  'namespaces',
  'catalogs',
  'warehouses',
  'tenants',
];
