import { ConflictError, NotFoundError } from '../../common/errors';
import type { Pagination, Tenant } from '../models';
import { TenantPatch, TenantsPort } from '../ports';
import { TenantEntity } from './entities';
import { findPage, toTenant } from './mappers';
import type { SqlDatabase } from './sql-database';

export class TypeormTenants extends TenantsPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createTenant(tenant: Tenant): Promise<Tenant> {
    return this.db.write(
      async (s) => {
        await s.repo(TenantEntity).insert({ id: tenant.id, name: tenant.name, properties: tenant.properties });
        return { id: tenant.id, name: tenant.name, properties: { ...tenant.properties } };
      },
      { tenant: tenant.name },
    );
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const row = await this.db.read((s) => s.repo(TenantEntity).findOneBy({ id }));
    return row ? toTenant(row) : null;
  }

  async listTenants(page?: Pagination): Promise<Tenant[]> {
    const options = findPage(page);
    if (!options) return [];
    const rows = await this.db.read((s) => s.repo(TenantEntity).find({ order: { name: 'ASC' }, ...options }));
    return rows.map(toTenant);
  }

  async updateTenant(id: string, patch: TenantPatch): Promise<Tenant> {
    return this.db.write(
      async (s) => {
        const row = await s.findForUpdate(TenantEntity, { id });
        if (!row) throw new NotFoundError('tenant', id);
        const updated: Tenant = {
          id,
          name: patch.name ?? row.name,
          properties: { ...row.properties, ...patch.properties },
        };
        await s.repo(TenantEntity).update({ id }, { name: updated.name, properties: updated.properties });
        return updated;
      },
      { tenant: patch.name ?? id },
    );
  }

  async deleteTenant(id: string): Promise<void> {
    await this.db.write(async (s) => {
      const row = await s.findForUpdate(TenantEntity, { id });
      if (!row) throw new NotFoundError('tenant', id);
      const owned = await s.rows(
        `SELECT 1 AS owned FROM warehouses WHERE tenant_id = $1
         UNION ALL SELECT 1 AS owned FROM catalogs WHERE tenant_id = $1 LIMIT 1`,
        [id],
      );
      if (owned.length > 0) {
        throw new ConflictError(`Tenant '${row.name}' still owns warehouses or catalogs; delete them first`);
      }
      await s.repo(TenantEntity).delete({ id });
    });
  }
}
