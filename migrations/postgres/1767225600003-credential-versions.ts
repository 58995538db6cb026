import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A credential version on users and service users, raised by every password change or key rotation. Tokens
 * carry the version they were issued at; an older one no longer authenticates. Existing rows start at 0, the
 * version that tokens issued before this migration (which carry none) are read as.
 */
export class CredentialVersions1767225600003 implements MigrationInterface {
  name = 'CredentialVersions1767225600003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "credential_version" integer NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE "service_users" ADD COLUMN "credential_version" integer NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "service_users" DROP COLUMN "credential_version"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "credential_version"');
  }
}
