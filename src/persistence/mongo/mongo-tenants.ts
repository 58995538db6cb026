import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors';
import type { Pagination, Tenant } from '../models';
import { TenantsPort, type TenantPatch } from '../ports';
import { fromPairs, pageBounds, pageStages, tenantFromDoc, tenantToDoc, toPairs } from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import type { TenantDoc } from './mongo-schemas';

export class MongoTenants extends TenantsPort {
  constructor(private readonly ctx: MongoContext) {
    super();
  }

  async createTenant(tenant: Tenant): Promise<Tenant> {
    const { tenants } = this.ctx.models;
    return this.ctx.transactions.run(
      async (session) => {
        const taken = await tenants.exists({ $or: [{ id: tenant.id }, { name: tenant.name }] }).session(session);
        if (taken) throw new AlreadyExistsError('tenant', tenant.name);
        await tenants.insertMany([tenantToDoc(tenant)], { session });
        return tenantFromDoc(tenantToDoc(tenant));
      },
      { onDuplicateKey: () => new AlreadyExistsError('tenant', tenant.name) },
    );
  }

  getTenant(id: string): Promise<Tenant | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.tenants.findOne({ id }).lean<TenantDoc>();
      return doc ? tenantFromDoc(doc) : null;
    });
  }

  listTenants(page?: Pagination): Promise<Tenant[]> {
    if (pageBounds(page).empty) return Promise.resolve([]);
    return guarded(async () => {
      // Lists are aggregations: their $sort compares strings in binary order (the contract's order) on MongoDB
      // and on the wire-compatible test server, whose find() sorts by locale instead.
      const docs = await this.ctx.models.tenants.aggregate<TenantDoc>([{ $sort: { name: 1 } }, ...pageStages(page)]);
      return docs.map(tenantFromDoc);
    });
  }

  async updateTenant(id: string, patch: TenantPatch): Promise<Tenant> {
    const { tenants } = this.ctx.models;
    return this.ctx.transactions.run(
      async (session) => {
        const current = await tenants.findOne({ id }).session(session).lean<TenantDoc>();
        if (!current) throw new NotFoundError('tenant', id);
        const name = patch.name ?? current.name;
        if (name !== current.name && (await tenants.exists({ name, id: { $ne: id } }).session(session))) {
          throw new AlreadyExistsError('tenant', name);
        }
        const properties = { ...fromPairs(current.properties), ...(patch.properties ?? {}) };
        await tenants.updateOne({ id }, { $set: { name, properties: toPairs(properties) } }, { session });
        return { id, name, properties };
      },
      { onDuplicateKey: () => new AlreadyExistsError('tenant', patch.name ?? id) },
    );
  }

  async deleteTenant(id: string): Promise<void> {
    const { tenants, warehouses, catalogs } = this.ctx.models;
    await this.ctx.transactions.run(async (session) => {
      if (!(await tenants.exists({ id }).session(session))) throw new NotFoundError('tenant', id);
      // One operation at a time: a session's operations must not overlap inside a transaction.
      const warehouseCount = await warehouses.countDocuments({ tenantId: id }).session(session);
      const catalogCount = await catalogs.countDocuments({ tenantId: id }).session(session);
      if (warehouseCount > 0 || catalogCount > 0) {
        throw new ConflictError(
          `Tenant '${id}' still owns ${warehouseCount} warehouse(s) and ${catalogCount} catalog(s); delete them first`,
        );
      }
      await tenants.deleteOne({ id }, { session });
    });
  }
}
