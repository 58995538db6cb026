import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { validateResourceName } from '../common/http/resource-name';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { DEFAULT_TENANT_ID, type Pagination, type StringMap, type Tenant } from '../persistence/models';
import { TenantPatch, TenantsPort } from '../persistence/ports';
import { TenantIdentitiesPort } from '../persistence/ports';

export interface CreateTenantInput {
  name: string;
  properties?: StringMap | null;
}

export interface UpdateTenantInput {
  name?: string | null;
  properties?: StringMap | null;
}

/**
 * Tenant management (contract management §2.3). Only root manages tenants; in NO-AUTH mode anyone may list
 * and read them, and nobody may create, update or delete them.
 */
@Injectable()
export class TenantsService {
  private readonly logger = new Logger('Tenants');

  constructor(
    private readonly tenants: TenantsPort,
    private readonly tenantIdentities: TenantIdentitiesPort,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(principal: Principal, page: Pagination): Promise<Tenant[]> {
    if (!this.config.noAuth && principal.role !== 'root') throw new ForbiddenError('Only Root can list tenants');
    return this.tenants.listTenants(page);
  }

  async get(principal: Principal, id: string): Promise<Tenant> {
    if (!this.config.noAuth && principal.role !== 'root' && principal.tenantId !== id) {
      throw new ForbiddenError('Forbidden');
    }
    const tenant = await this.tenants.getTenant(id);
    if (!tenant) throw new NotFoundError('tenant', id, 'Tenant not found');
    return tenant;
  }

  async create(principal: Principal, input: CreateTenantInput): Promise<Tenant> {
    requireRoot(principal, 'Only Root can create tenants');
    validateResourceName('tenant', input.name);
    return this.tenants.createTenant({ id: randomUUID(), name: input.name, properties: input.properties ?? {} });
  }

  async update(principal: Principal, id: string, input: UpdateTenantInput): Promise<Tenant> {
    requireRoot(principal, 'Only Root can update tenants');
    const patch: TenantPatch = {};
    if (input.name !== undefined && input.name !== null) {
      validateResourceName('tenant', input.name);
      patch.name = input.name;
    }
    if (input.properties) patch.properties = input.properties;
    return this.tenants.updateTenant(id, patch);
  }

  /**
   * Refused while the tenant owns warehouses or catalogs (the port checks, atomically). Its identities go
   * with it — users (so their tokens stop working), grants, roles and service users — or a deleted
   * tenant's admin could keep acting in a tenant that no longer exists.
   */
  async delete(principal: Principal, id: string): Promise<void> {
    requireRoot(principal, 'Only Root can delete tenants');
    if (id === DEFAULT_TENANT_ID) {
      // It would be recreated at the next start anyway; refusing keeps NO-AUTH requests working.
      throw new ConflictError('The default tenant cannot be deleted');
    }
    await this.tenants.deleteTenant(id);
    try {
      await this.tenantIdentities.deleteTenantIdentities(id);
    } catch (error) {
      // The tenant is gone either way; its users can no longer act (their tenant resolves nothing), and
      // the next deletion attempt or an operator cleans the rows up.
      this.logger.error(`Could not delete the identities of deleted tenant ${id}: ${String(error)}`);
    }
  }
}

function requireRoot(principal: Principal, message: string): void {
  if (principal.role !== 'root') throw new ForbiddenError(message);
}
