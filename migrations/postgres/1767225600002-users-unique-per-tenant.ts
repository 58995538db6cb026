import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usernames are unique per tenant, not globally: a tenant admin creating `alice` must not learn that another
 * tenant already has an `alice` (a global constraint would answer 409). The root space (null tenant) keeps
 * its own unique index, because a plain unique constraint treats nulls as distinct. Also indexes the token
 * lookups of the token endpoints by tenant and the cleanup by expiry.
 */
export class UsersUniquePerTenant1767225600002 implements MigrationInterface {
  name = 'UsersUniquePerTenant1767225600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" DROP CONSTRAINT "uq_users_username"');
    await queryRunner.query('ALTER TABLE "users" ADD CONSTRAINT "uq_users_tenant_username" UNIQUE ("tenant_id", "username")');
    await queryRunner.query('CREATE UNIQUE INDEX "uq_users_root_username" ON "users" ("username") WHERE "tenant_id" IS NULL');
    await queryRunner.query('CREATE INDEX "idx_active_tokens_tenant" ON "active_tokens" ("tenant_id", "created_at")');
    await queryRunner.query('CREATE INDEX "idx_revoked_tokens_expires" ON "revoked_tokens" ("expires_at")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS "idx_revoked_tokens_expires"');
    await queryRunner.query('DROP INDEX IF EXISTS "idx_active_tokens_tenant"');
    await queryRunner.query('DROP INDEX IF EXISTS "uq_users_root_username"');
    await queryRunner.query('ALTER TABLE "users" DROP CONSTRAINT "uq_users_tenant_username"');
    await queryRunner.query('ALTER TABLE "users" ADD CONSTRAINT "uq_users_username" UNIQUE ("username")');
  }
}
