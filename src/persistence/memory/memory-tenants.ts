import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors';
import type { Pagination, Tenant } from '../models';
import { TenantsPort, type TenantPatch } from '../ports';
import { compareNames, copy, listOf, type MemoryState } from './memory-state';

const ALL = '';

export class MemoryTenants extends TenantsPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  createTenant(tenant: Tenant): Promise<Tenant> {
    return this.state.exclusive(() => {
      if (this.state.tenants.has(ALL, tenant.id)) throw new AlreadyExistsError('tenant', tenant.id);
      this.assertNameFree(tenant.name, tenant.id);
      this.state.tenants.set(ALL, tenant.id, copy(tenant));
      return copy(tenant);
    });
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const tenant = this.state.tenants.get(ALL, id);
    return tenant ? copy(tenant) : null;
  }

  async listTenants(page?: Pagination): Promise<Tenant[]> {
    return listOf(this.state.tenants.rows(ALL), (a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id), page);
  }

  updateTenant(id: string, patch: TenantPatch): Promise<Tenant> {
    return this.state.exclusive(() => {
      const stored = this.state.tenants.get(ALL, id);
      if (!stored) throw new NotFoundError('tenant', id);
      if (patch.name !== undefined) this.assertNameFree(patch.name, id);
      const updated: Tenant = {
        ...stored,
        name: patch.name ?? stored.name,
        properties: { ...stored.properties, ...patch.properties },
      };
      this.state.tenants.set(ALL, id, copy(updated));
      return copy(updated);
    });
  }

  deleteTenant(id: string): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.tenants.has(ALL, id)) throw new NotFoundError('tenant', id);
      if (this.state.warehouses.rows(id).length > 0 || this.state.catalogs.rows(id).length > 0) {
        throw new ConflictError(`Tenant '${id}' still owns warehouses or catalogs`);
      }
      this.state.tenants.delete(ALL, id);
    });
  }

  private assertNameFree(name: string, exceptId: string): void {
    const taken = this.state.tenants.rows(ALL).some((t) => t.name === name && t.id !== exceptId);
    if (taken) throw new AlreadyExistsError('tenant', name);
  }
}
