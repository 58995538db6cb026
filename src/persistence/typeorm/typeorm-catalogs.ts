import { NotFoundError } from '../../common/errors';
import { Catalog, MAIN_BRANCH, Pagination } from '../models';
import { CatalogPatch, CatalogsPort } from '../ports';
import { BranchEntity, CatalogEntity, NamespaceEntity } from './entities';
import { findPage, namespaceEntity, toCatalog } from './mappers';
import type { SqlDatabase } from './sql-database';

/** The namespace every new catalog starts with. */
const DEFAULT_NAMESPACE = ['default'];

export class TypeormCatalogs extends CatalogsPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createCatalog(catalog: Catalog): Promise<Catalog> {
    return this.db.write(
      async (s) => {
        await s.repo(CatalogEntity).insert({ ...catalog });
        await s.repo(NamespaceEntity).insert(
          namespaceEntity({
            tenantId: catalog.tenantId,
            catalogName: catalog.name,
            levels: DEFAULT_NAMESPACE,
            properties: {},
          }),
        );
        await s.repo(BranchEntity).insert({
          tenantId: catalog.tenantId,
          catalogName: catalog.name,
          name: MAIN_BRANCH,
          headCommitId: null,
          branchType: 'ingest',
        });
        return structuredClone(catalog);
      },
      // Only the catalog's own name can collide: namespaces and branches are deleted with their catalog.
      { catalog: catalog.name },
    );
  }

  async getCatalog(tenantId: string, name: string): Promise<Catalog | null> {
    const row = await this.db.read((s) => s.repo(CatalogEntity).findOneBy({ tenantId, name }));
    return row ? toCatalog(row) : null;
  }

  async listCatalogs(tenantId: string, page?: Pagination): Promise<Catalog[]> {
    const options = findPage(page);
    if (!options) return [];
    const rows = await this.db.read((s) =>
      s.repo(CatalogEntity).find({ where: { tenantId }, order: { name: 'ASC' }, ...options }),
    );
    return rows.map(toCatalog);
  }

  async updateCatalog(tenantId: string, name: string, patch: CatalogPatch): Promise<Catalog> {
    return this.db.write(async (s) => {
      const row = await s.findForUpdate(CatalogEntity, { tenantId, name });
      if (!row) throw new NotFoundError('catalog', name);
      const updated: Catalog = {
        ...toCatalog(row),
        warehouseName: patch.warehouseName !== undefined ? patch.warehouseName : row.warehouseName,
        storageLocation: patch.storageLocation !== undefined ? patch.storageLocation : row.storageLocation,
        federatedConfig: patch.federatedConfig !== undefined ? patch.federatedConfig : row.federatedConfig,
        properties: { ...row.properties, ...patch.properties },
      };
      await s.repo(CatalogEntity).update(
        { tenantId, id: row.id },
        {
          warehouseName: updated.warehouseName,
          storageLocation: updated.storageLocation,
          federatedConfig: updated.federatedConfig,
          properties: updated.properties,
        },
      );
      return updated;
    });
  }

  async deleteCatalog(tenantId: string, name: string): Promise<void> {
    await this.db.write(async (s) => {
      const row = await s.findForUpdate(CatalogEntity, { tenantId, name });
      if (!row) throw new NotFoundError('catalog', name);
      // Children first (asset rows on every branch, branches, namespaces, tags); commits and merge operations
      // are kept, as the port specifies.
      for (const table of ['assets', 'branches', 'namespaces', 'tags']) {
        await s.run(`DELETE FROM ${table} WHERE tenant_id = $1 AND catalog_name = $2`, [tenantId, name]);
      }
      await s.run('DELETE FROM catalogs WHERE tenant_id = $1 AND name = $2', [tenantId, name]);
    });
  }
}
