import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors';
import type { Pagination, Warehouse } from '../models';
import { WarehousesPort, type WarehousePatch } from '../ports';
import { compareNames, copy, listOf, type MemoryState } from './memory-state';

export class MemoryWarehouses extends WarehousesPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  createWarehouse(warehouse: Warehouse): Promise<Warehouse> {
    return this.state.exclusive(() => {
      if (this.state.warehouses.has(warehouse.tenantId, warehouse.name)) {
        throw new AlreadyExistsError('warehouse', warehouse.name);
      }
      this.state.warehouses.set(warehouse.tenantId, warehouse.name, copy(warehouse));
      return copy(warehouse);
    });
  }

  async listAllWarehouses(): Promise<Warehouse[]> {
    return this.state.warehouses.allRows().map(copy);
  }

  async getWarehouse(tenantId: string, name: string): Promise<Warehouse | null> {
    const warehouse = this.state.warehouses.get(tenantId, name);
    return warehouse ? copy(warehouse) : null;
  }

  async listWarehouses(tenantId: string, page?: Pagination): Promise<Warehouse[]> {
    return listOf(this.state.warehouses.rows(tenantId), (a, b) => compareNames(a.name, b.name), page);
  }

  updateWarehouse(tenantId: string, name: string, patch: WarehousePatch): Promise<Warehouse> {
    return this.state.exclusive(() => {
      const stored = this.state.warehouses.get(tenantId, name);
      if (!stored) throw new NotFoundError('warehouse', name);
      const renamed = patch.name !== undefined && patch.name !== name;
      if (renamed) {
        if (this.state.warehouses.has(tenantId, patch.name!)) throw new AlreadyExistsError('warehouse', patch.name!);
        if (this.state.catalogs.rows(tenantId).some((c) => c.warehouseName === name)) {
          throw new ConflictError(`Warehouse '${name}' is used by catalogs and cannot be renamed`);
        }
      }
      const updated: Warehouse = {
        ...stored,
        name: patch.name ?? stored.name,
        useSts: patch.useSts ?? stored.useSts,
        storageConfig: { ...stored.storageConfig, ...patch.storageConfig },
        vendingStrategy: patch.vendingStrategy === undefined ? stored.vendingStrategy : patch.vendingStrategy,
      };
      this.state.warehouses.delete(tenantId, name);
      this.state.warehouses.set(tenantId, updated.name, copy(updated));
      return copy(updated);
    });
  }

  deleteWarehouse(tenantId: string, name: string): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.warehouses.delete(tenantId, name)) throw new NotFoundError('warehouse', name);
    });
  }
}
