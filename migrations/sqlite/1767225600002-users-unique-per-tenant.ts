import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usernames are unique per tenant, not globally (same change as the PostgreSQL migration of this name).
 * SQLite cannot drop a table constraint, so the users table is rebuilt with the documented procedure:
 * foreign keys off (outside any transaction, where the pragma has effect), copy into a new table, drop,
 * rename, check, foreign keys on. Dropping `users` with foreign keys on would cascade-delete every token,
 * grant and role assignment, hence `transaction = false` and the explicit transaction below.
 */
export class UsersUniquePerTenant1767225600002 implements MigrationInterface {
  name = 'UsersUniquePerTenant1767225600002';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await rebuildUsers(queryRunner, [
      'CONSTRAINT "uq_users_tenant_username" UNIQUE ("tenant_id", "username")',
    ]);
    await queryRunner.query('CREATE UNIQUE INDEX "uq_users_root_username" ON "users" ("username") WHERE "tenant_id" IS NULL');
    await queryRunner.query('CREATE INDEX "idx_active_tokens_tenant" ON "active_tokens" ("tenant_id", "created_at")');
    await queryRunner.query('CREATE INDEX "idx_revoked_tokens_expires" ON "revoked_tokens" ("expires_at")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS "idx_revoked_tokens_expires"');
    await queryRunner.query('DROP INDEX IF EXISTS "idx_active_tokens_tenant"');
    await rebuildUsers(queryRunner, ['CONSTRAINT "uq_users_username" UNIQUE ("username")']);
  }
}

async function rebuildUsers(queryRunner: QueryRunner, uniqueConstraints: string[]): Promise<void> {
  await queryRunner.query('PRAGMA foreign_keys = OFF');
  try {
    await queryRunner.query('BEGIN IMMEDIATE');
    try {
      await queryRunner.query(`CREATE TABLE "users_rebuilt" (
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
        ${uniqueConstraints.join(',\n        ')}
      )`);
      await queryRunner.query(`INSERT INTO "users_rebuilt" SELECT "id", "tenant_id", "username", "email", "password_hash",
        "oauth_provider", "oauth_subject", "role", "active", "created_at", "updated_at", "last_login_at" FROM "users"`);
      await queryRunner.query('DROP INDEX IF EXISTS "uq_users_root_username"');
      await queryRunner.query('DROP TABLE "users"');
      await queryRunner.query('ALTER TABLE "users_rebuilt" RENAME TO "users"');
      const violations = (await queryRunner.query('PRAGMA foreign_key_check')) as unknown[];
      if (violations.length > 0) throw new Error('users rebuild left dangling foreign keys');
      await queryRunner.query('COMMIT');
    } catch (error) {
      await queryRunner.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await queryRunner.query('PRAGMA foreign_keys = ON');
  }
}
