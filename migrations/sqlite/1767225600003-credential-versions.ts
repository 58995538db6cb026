import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A credential version on users and service users (same change as the PostgreSQL migration of this name).
 * SQLite adds a NOT NULL column with a constant default in place, without rebuilding the table.
 */
export class CredentialVersions1767225600003 implements MigrationInterface {
  name = 'CredentialVersions1767225600003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "credential_version" integer NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE "service_users" ADD COLUMN "credential_version" integer NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // DROP COLUMN needs SQLite 3.35; the bundled better-sqlite3 is newer.
    await queryRunner.query('ALTER TABLE "service_users" DROP COLUMN "credential_version"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "credential_version"');
  }
}
