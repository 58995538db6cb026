import type { Pagination, StringMap, Warehouse } from '../models';

export interface WarehousePatch {
  name?: string;
  useSts?: boolean;
  /** Merged into the stored map: keys are added or overwritten, never removed. */
  storageConfig?: StringMap;
  vendingStrategy?: unknown;
}

export abstract class WarehousesPort {
  /** Inserts a warehouse. Throws AlreadyExistsError('warehouse') when the name is taken in the tenant. */
  abstract createWarehouse(warehouse: Warehouse): Promise<Warehouse>;

  /**
   * Every warehouse of every tenant (storage overlap checks between tenants: a warehouse's root derives
   * from several storage_config keys, so the comparison happens in the caller).
   */
  abstract listAllWarehouses(): Promise<Warehouse[]>;

  /** Returns the warehouse, or null. */
  abstract getWarehouse(tenantId: string, name: string): Promise<Warehouse | null>;

  /** The tenant's warehouses ordered by name, then paginated. */
  abstract listWarehouses(tenantId: string, page?: Pagination): Promise<Warehouse[]>;

  /**
   * Applies the patch atomically. Throws NotFoundError('warehouse'); AlreadyExistsError('warehouse') when
   * a rename collides; ConflictError when a rename is asked while catalogs still refer to the old name.
   */
  abstract updateWarehouse(tenantId: string, name: string, patch: WarehousePatch): Promise<Warehouse>;

  /** Deletes the warehouse. Throws NotFoundError('warehouse'). */
  abstract deleteWarehouse(tenantId: string, name: string): Promise<void>;
}
