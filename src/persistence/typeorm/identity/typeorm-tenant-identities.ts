import { TenantIdentitiesPort } from '../../ports';
import type { SqlDatabase } from '../sql-database';

/** Removal of a tenant's identity records on SQLite and PostgreSQL, in one transaction. */
export class TypeormTenantIdentities extends TenantIdentitiesPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async deleteTenantIdentities(tenantId: string): Promise<void> {
    await this.db.write(async (s) => {
      // Children first, so the cascade order does not depend on the foreign keys being enforced.
      for (const table of ['user_roles', 'permissions', 'active_tokens', 'revoked_tokens', 'roles', 'service_users', 'users']) {
        await s.run(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenantId]);
      }
    });
  }
}
