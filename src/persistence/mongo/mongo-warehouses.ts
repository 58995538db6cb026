import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors';
import type { Pagination, Warehouse } from '../models';
import { WarehousesPort, type WarehousePatch } from '../ports';
import { fromPairs, pageBounds, pageStages, toJson, toPairs, warehouseFromDoc, warehouseToDoc } from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import type { WarehouseDoc } from './mongo-schemas';

export class MongoWarehouses extends WarehousesPort {
  constructor(private readonly ctx: MongoContext) {
    super();
  }

  async createWarehouse(warehouse: Warehouse): Promise<Warehouse> {
    const { warehouses } = this.ctx.models;
    const doc = warehouseToDoc(warehouse);
    return this.ctx.transactions.run(
      async (session) => {
        if (await warehouses.exists({ tenantId: warehouse.tenantId, name: warehouse.name }).session(session)) {
          throw new AlreadyExistsError('warehouse', warehouse.name);
        }
        await warehouses.insertMany([doc], { session });
        return warehouseFromDoc(doc);
      },
      { onDuplicateKey: () => new AlreadyExistsError('warehouse', warehouse.name) },
    );
  }

  listAllWarehouses(): Promise<Warehouse[]> {
    return guarded(async () => {
      const docs = await this.ctx.models.warehouses.find({}).sort({ tenantId: 1, name: 1 }).lean<WarehouseDoc[]>();
      return docs.map(warehouseFromDoc);
    });
  }

  getWarehouse(tenantId: string, name: string): Promise<Warehouse | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.warehouses.findOne({ tenantId, name }).lean<WarehouseDoc>();
      return doc ? warehouseFromDoc(doc) : null;
    });
  }

  listWarehouses(tenantId: string, page?: Pagination): Promise<Warehouse[]> {
    if (pageBounds(page).empty) return Promise.resolve([]);
    return guarded(async () => {
      const docs = await this.ctx.models.warehouses.aggregate<WarehouseDoc>([
        { $match: { tenantId } },
        { $sort: { name: 1 } },
        ...pageStages(page),
      ]);
      return docs.map(warehouseFromDoc);
    });
  }

  async updateWarehouse(tenantId: string, name: string, patch: WarehousePatch): Promise<Warehouse> {
    const { warehouses, catalogs } = this.ctx.models;
    const newName = patch.name ?? name;
    return this.ctx.transactions.run(
      async (session) => {
        const current = await warehouses.findOne({ tenantId, name }).session(session).lean<WarehouseDoc>();
        if (!current) throw new NotFoundError('warehouse', name);
        if (newName !== name) {
          if (await warehouses.exists({ tenantId, name: newName }).session(session)) {
            throw new AlreadyExistsError('warehouse', newName);
          }
          if (await catalogs.exists({ tenantId, warehouseName: name }).session(session)) {
            throw new ConflictError(`Warehouse '${name}' is used by catalogs and cannot be renamed`);
          }
        }
        const updated: WarehouseDoc = {
          ...current,
          name: newName,
          useSts: patch.useSts ?? current.useSts,
          storageConfig: toPairs({ ...fromPairs(current.storageConfig), ...(patch.storageConfig ?? {}) }),
          vendingStrategyJson: patch.vendingStrategy !== undefined ? toJson(patch.vendingStrategy) : current.vendingStrategyJson,
        };
        await warehouses.updateOne(
          { tenantId, name },
          {
            $set: {
              name: updated.name,
              useSts: updated.useSts,
              storageConfig: updated.storageConfig,
              vendingStrategyJson: updated.vendingStrategyJson,
            },
          },
          { session },
        );
        return warehouseFromDoc(updated);
      },
      { onDuplicateKey: () => new AlreadyExistsError('warehouse', newName) },
    );
  }

  deleteWarehouse(tenantId: string, name: string): Promise<void> {
    return guarded(async () => {
      const { deletedCount } = await this.ctx.models.warehouses.deleteOne({ tenantId, name });
      if (deletedCount === 0) throw new NotFoundError('warehouse', name);
    });
  }
}
