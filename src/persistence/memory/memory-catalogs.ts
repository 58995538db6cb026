import { AlreadyExistsError, NotFoundError } from '../../common/errors';
import { MAIN_BRANCH, type Catalog, type Pagination } from '../models';
import { CatalogsPort, type CatalogPatch } from '../ports';
import { branchScope, catalogScope, compareNames, copy, key, listOf, type MemoryState } from './memory-state';

export const DEFAULT_NAMESPACE = ['default'];

export class MemoryCatalogs extends CatalogsPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  createCatalog(catalog: Catalog): Promise<Catalog> {
    return this.state.exclusive(() => {
      const { tenantId, name } = catalog;
      if (this.state.catalogs.has(tenantId, name)) throw new AlreadyExistsError('catalog', name);
      const scope = catalogScope(tenantId, name);
      this.state.catalogs.set(tenantId, name, copy(catalog));
      this.state.namespaces.set(scope, key(DEFAULT_NAMESPACE), {
        tenantId,
        catalogName: name,
        levels: [...DEFAULT_NAMESPACE],
        properties: {},
      });
      this.state.branches.set(scope, MAIN_BRANCH, {
        tenantId,
        catalogName: name,
        name: MAIN_BRANCH,
        headCommitId: null,
        branchType: 'ingest',
      });
      return copy(catalog);
    });
  }

  async getCatalog(tenantId: string, name: string): Promise<Catalog | null> {
    const catalog = this.state.catalogs.get(tenantId, name);
    return catalog ? copy(catalog) : null;
  }

  async listCatalogs(tenantId: string, page?: Pagination): Promise<Catalog[]> {
    return listOf(this.state.catalogs.rows(tenantId), (a, b) => compareNames(a.name, b.name), page);
  }

  updateCatalog(tenantId: string, name: string, patch: CatalogPatch): Promise<Catalog> {
    return this.state.exclusive(() => {
      const stored = this.state.catalogs.get(tenantId, name);
      if (!stored) throw new NotFoundError('catalog', name);
      const updated: Catalog = {
        ...stored,
        warehouseName: patch.warehouseName === undefined ? stored.warehouseName : patch.warehouseName,
        storageLocation: patch.storageLocation === undefined ? stored.storageLocation : patch.storageLocation,
        federatedConfig: patch.federatedConfig === undefined ? stored.federatedConfig : patch.federatedConfig,
        properties: { ...stored.properties, ...patch.properties },
      };
      this.state.catalogs.set(tenantId, name, copy(updated));
      return copy(updated);
    });
  }

  deleteCatalog(tenantId: string, name: string): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.catalogs.delete(tenantId, name)) throw new NotFoundError('catalog', name);
      const scope = catalogScope(tenantId, name);
      for (const branch of this.state.branches.rows(scope)) {
        this.state.assets.deleteScope(branchScope(tenantId, name, branch.name));
      }
      this.state.branches.deleteScope(scope);
      this.state.namespaces.deleteScope(scope);
      this.state.tags.deleteScope(scope);
    });
  }
}
