import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Direct grants name a user or a service user (same change as the PostgreSQL migration of this name).
 * SQLite cannot drop a foreign key, so `permissions` is rebuilt without it; no table references
 * `permissions`, so dropping it cascades nothing and the migration's own transaction suffices.
 */
export class ServiceUserGrants1767225600004 implements MigrationInterface {
  name = 'ServiceUserGrants1767225600004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await rebuildPermissions(queryRunner, []);
    await queryRunner.query('CREATE INDEX "idx_permissions_grantee" ON "permissions" ("tenant_id", "user_id")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Grants of service users cannot satisfy the restored key.
    await queryRunner.query('DELETE FROM "permissions" WHERE "user_id" NOT IN (SELECT "id" FROM "users")');
    await rebuildPermissions(queryRunner, [
      'CONSTRAINT "fk_permissions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE',
    ]);
  }
}

async function rebuildPermissions(queryRunner: QueryRunner, constraints: string[]): Promise<void> {
  await queryRunner.query(`CREATE TABLE "permissions_rebuilt" (
    "id" text NOT NULL,
    "tenant_id" text NOT NULL,
    "user_id" text NOT NULL,
    "scope" text NOT NULL,
    "actions" text NOT NULL,
    "granted_by" text NOT NULL,
    "granted_at" bigint NOT NULL,
    ${['CONSTRAINT "pk_permissions" PRIMARY KEY ("id")', ...constraints].join(',\n    ')}
  )`);
  await queryRunner.query(`INSERT INTO "permissions_rebuilt" SELECT "id", "tenant_id", "user_id", "scope", "actions",
    "granted_by", "granted_at" FROM "permissions"`);
  await queryRunner.query('DROP TABLE "permissions"');
  await queryRunner.query('ALTER TABLE "permissions_rebuilt" RENAME TO "permissions"');
}
