import type { Pagination, StringMap, Tenant } from '../models';

export interface TenantPatch {
  name?: string;
  /** Merged into the stored map: keys are added or overwritten, never removed. */
  properties?: StringMap;
}

/** Tenants. Unlike every other port these methods are not tenant-scoped: only root manages tenants. */
export abstract class TenantsPort {
  /**
   * Inserts a tenant. Atomic. Throws AlreadyExistsError('tenant') when the id or the name is taken.
   * Returns the stored tenant.
   */
  abstract createTenant(tenant: Tenant): Promise<Tenant>;

  /** Returns the tenant, or null when no tenant has this id. */
  abstract getTenant(id: string): Promise<Tenant | null>;

  /** Every tenant, ordered by name (binary order, see Pagination), then paginated. */
  abstract listTenants(page?: Pagination): Promise<Tenant[]>;

  /**
   * Applies the patch atomically and returns the updated tenant. Throws NotFoundError('tenant'), or
   * AlreadyExistsError('tenant') when a rename collides.
   */
  abstract updateTenant(id: string, patch: TenantPatch): Promise<Tenant>;

  /**
   * Deletes the tenant. Throws NotFoundError('tenant'); throws ConflictError while the tenant still owns
   * warehouses or catalogs (nothing is orphaned). Atomic.
   */
  abstract deleteTenant(id: string): Promise<void>;
}
