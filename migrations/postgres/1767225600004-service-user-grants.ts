import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Direct grants name a user or a service user: the foreign key from `permissions.user_id` to `users` goes
 * (the adapter deletes a grantee's grants with the grantee, in the same transaction). Also indexes the
 * grant lookup that authorizes every request of a tenant user or service user.
 */
export class ServiceUserGrants1767225600004 implements MigrationInterface {
  name = 'ServiceUserGrants1767225600004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "permissions" DROP CONSTRAINT "fk_permissions_user"');
    await queryRunner.query('CREATE INDEX "idx_permissions_grantee" ON "permissions" ("tenant_id", "user_id")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS "idx_permissions_grantee"');
    // Grants of service users cannot satisfy the restored key.
    await queryRunner.query('DELETE FROM "permissions" WHERE "user_id" NOT IN (SELECT "id" FROM "users")');
    await queryRunner.query(
      'ALTER TABLE "permissions" ADD CONSTRAINT "fk_permissions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE',
    );
  }
}
