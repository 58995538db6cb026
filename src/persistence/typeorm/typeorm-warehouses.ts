import { ConflictError, NotFoundError } from '../../common/errors';
import type { Pagination, Warehouse } from '../models';
import { WarehousePatch, WarehousesPort } from '../ports';
import { JsonDocument, WarehouseEntity } from './entities';
import { findPage, toWarehouse } from './mappers';
import type { SqlDatabase } from './sql-database';

export class TypeormWarehouses extends WarehousesPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createWarehouse(warehouse: Warehouse): Promise<Warehouse> {
    return this.db.write(
      async (s) => {
        await s.repo(WarehouseEntity).insert({ ...warehouse, vendingStrategy: jsonDocument(warehouse.vendingStrategy) });
        return { ...warehouse, storageConfig: { ...warehouse.storageConfig } };
      },
      { warehouse: warehouse.name },
    );
  }

  async getWarehouse(tenantId: string, name: string): Promise<Warehouse | null> {
    const row = await this.db.read((s) => s.repo(WarehouseEntity).findOneBy({ tenantId, name }));
    return row ? toWarehouse(row) : null;
  }

  async listAllWarehouses(): Promise<Warehouse[]> {
    const rows = await this.db.read((s) => s.repo(WarehouseEntity).find({ order: { tenantId: 'ASC', name: 'ASC' } }));
    return rows.map(toWarehouse);
  }

  async listWarehouses(tenantId: string, page?: Pagination): Promise<Warehouse[]> {
    const options = findPage(page);
    if (!options) return [];
    const rows = await this.db.read((s) =>
      s.repo(WarehouseEntity).find({ where: { tenantId }, order: { name: 'ASC' }, ...options }),
    );
    return rows.map(toWarehouse);
  }

  async updateWarehouse(tenantId: string, name: string, patch: WarehousePatch): Promise<Warehouse> {
    return this.db.write(
      async (s) => {
        const row = await s.findForUpdate(WarehouseEntity, { tenantId, name });
        if (!row) throw new NotFoundError('warehouse', name);
        const renamed = patch.name !== undefined && patch.name !== name;
        if (renamed) {
          const referring = await s.rows(
            'SELECT 1 AS referring FROM catalogs WHERE tenant_id = $1 AND warehouse_name = $2 LIMIT 1',
            [tenantId, name],
          );
          if (referring.length > 0) {
            throw new ConflictError(`Warehouse '${name}' cannot be renamed while catalogs refer to it`);
          }
        }
        const updated: Warehouse = {
          ...toWarehouse(row),
          name: patch.name ?? row.name,
          useSts: patch.useSts ?? row.useSts,
          storageConfig: { ...row.storageConfig, ...patch.storageConfig },
          vendingStrategy: patch.vendingStrategy !== undefined ? patch.vendingStrategy : row.vendingStrategy,
        };
        await s.repo(WarehouseEntity).update(
          { tenantId, id: row.id },
          {
            name: updated.name,
            useSts: updated.useSts,
            storageConfig: updated.storageConfig,
            vendingStrategy: jsonDocument(updated.vendingStrategy),
          },
        );
        return updated;
      },
      { warehouse: patch.name ?? name },
    );
  }

  async deleteWarehouse(tenantId: string, name: string): Promise<void> {
    await this.db.write(async (s) => {
      const result = await s.repo(WarehouseEntity).delete({ tenantId, name });
      if (!result.affected) throw new NotFoundError('warehouse', name);
    });
  }
}

/** The vending strategy as stored: any JSON value; undefined is stored as null. */
function jsonDocument(value: unknown): JsonDocument {
  return value === undefined ? null : (value as JsonDocument);
}
