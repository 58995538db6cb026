import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import { effectiveGrantsOf } from '../auth/grants';
import { catalogListedFor } from '../auth/permissions';
import { isAdminRole } from '../auth/roles';
import type { Principal } from '../common/http/principal';
import { slicePage } from '../common/http/pagination';
import { validateResourceName } from '../common/http/resource-name';
import { assertCatalogStorageLocationAllowed } from '../iceberg/table-location';
import type { Catalog, CatalogType, Pagination, StringMap, Warehouse } from '../persistence/models';
import { AssetsPort, BranchesPort, CatalogPatch, CatalogsPort, NamespacesPort, WarehousesPort } from '../persistence/ports';
import { RolesAndGrantsPort } from '../persistence/ports';
import { ObjectStorage } from '../storage';
import type { CatalogSummaryResponse } from './catalog.dto';
import { buildNamespaceTree, type NamespaceNode } from './namespace-tree';

export interface CreateCatalogInput {
  name: string;
  catalog_type?: CatalogType | null;
  warehouse_name?: string | null;
  storage_location?: string | null;
  federated_config?: { properties: StringMap } | null;
  properties?: StringMap | null;
}

export interface UpdateCatalogInput {
  warehouse_name?: string | null;
  storage_location?: string | null;
  federated_config?: { properties: StringMap } | null;
  properties?: StringMap | null;
}

/**
 * Catalogs of the caller's tenant (contract management §2.1). Admins see every catalog; a tenant user's list
 * is filtered by its grants (before the page is cut, so pages are never short).
 */
@Injectable()
export class CatalogsService {
  constructor(
    private readonly catalogs: CatalogsPort,
    private readonly warehouses: WarehousesPort,
    private readonly namespaces: NamespacesPort,
    private readonly branches: BranchesPort,
    private readonly assets: AssetsPort,
    private readonly rolesAndGrants: RolesAndGrantsPort,
    private readonly storage: ObjectStorage,
  ) {}

  async list(principal: Principal, page: Pagination): Promise<Catalog[]> {
    if (isAdminRole(principal.role)) return this.catalogs.listCatalogs(principal.tenantId, page);
    const grants = await effectiveGrantsOf(this.rolesAndGrants, principal);
    const visible = (await this.catalogs.listCatalogs(principal.tenantId)).filter((catalog) =>
      catalogListedFor(grants, catalog.id),
    );
    return slicePage(visible, page);
  }

  async get(principal: Principal, name: string): Promise<Catalog> {
    const catalog = await this.catalogs.getCatalog(principal.tenantId, name);
    if (!catalog) throw new NotFoundError('catalog', name);
    return catalog;
  }

  /** Also creates namespace `default` and branch `main` (the port does, atomically). 409 on a taken name. */
  async create(principal: Principal, input: CreateCatalogInput): Promise<Catalog> {
    if (principal.role === 'root') {
      throw new ForbiddenError('Root user cannot create catalogs. Please login as Tenant Admin.');
    }
    validateResourceName('catalog', input.name);
    const catalogType = input.catalog_type ?? 'Local';
    const warehouse = await this.existingWarehouse(principal, input.warehouse_name);
    if (catalogType === 'Federated' && !input.federated_config) {
      throw new ValidationError('Federated catalog requires configuration');
    }
    const catalog: Catalog = {
      id: randomUUID(),
      tenantId: principal.tenantId,
      name: input.name,
      catalogType,
      warehouseName: warehouse?.name ?? null,
      storageLocation: emptyToNull(input.storage_location),
      federatedConfig: input.federated_config ? { properties: input.federated_config.properties } : null,
      properties: input.properties ?? {},
    };
    await assertCatalogStorageLocationAllowed(this.storage, { catalog, warehouse });
    return this.catalogs.createCatalog(catalog);
  }

  /**
   * Applies every supplied field. A field that is absent or null is unchanged (as in v0.4.0, where null and
   * absent are the same); `""` clears `warehouse_name` / `storage_location`. `properties` is merged. A new
   * warehouse name must exist (400).
   */
  async update(principal: Principal, name: string, input: UpdateCatalogInput): Promise<Catalog> {
    const current = await this.get(principal, name);
    const patch: CatalogPatch = {};
    let warehouse: Warehouse | null | undefined;
    if (input.warehouse_name !== undefined && input.warehouse_name !== null) {
      warehouse = await this.existingWarehouse(principal, input.warehouse_name);
      patch.warehouseName = warehouse?.name ?? null;
    }
    if (input.storage_location !== undefined && input.storage_location !== null) {
      patch.storageLocation = emptyToNull(input.storage_location);
    }
    if (patch.warehouseName !== undefined || patch.storageLocation !== undefined) {
      // The storage location must stay inside the (possibly new) warehouse.
      if (warehouse === undefined) warehouse = await this.existingWarehouse(principal, current.warehouseName);
      const storageLocation = patch.storageLocation !== undefined ? patch.storageLocation : current.storageLocation;
      await assertCatalogStorageLocationAllowed(this.storage, { catalog: { ...current, storageLocation }, warehouse });
    }
    if (input.federated_config) patch.federatedConfig = { properties: input.federated_config.properties };
    if (input.properties) patch.properties = input.properties;
    return this.catalogs.updateCatalog(principal.tenantId, name, patch);
  }

  /** Cascades to namespaces, asset rows, branches and tags (the port, atomically). 404 when unknown. */
  async delete(principal: Principal, name: string): Promise<void> {
    await this.catalogs.deleteCatalog(principal.tenantId, name);
  }

  /**
   * Counts of the catalog. `table_count` is the number of distinct assets (an asset keeps its id on every
   * branch it is copied to) over all branches, so a table that exists only on a feature branch counts too.
   */
  async summary(principal: Principal, name: string): Promise<CatalogSummaryResponse> {
    const catalog = await this.get(principal, name);
    const tenantId = principal.tenantId;
    const [namespaces, branches] = await Promise.all([
      this.namespaces.listNamespaces(tenantId, name),
      this.branches.listBranches(tenantId, name),
    ]);
    const assetIds = new Set<string>();
    for (const branch of branches) {
      for (const asset of await this.assets.listAssets(tenantId, name, branch.name)) assetIds.add(asset.id);
    }
    return {
      name: catalog.name,
      table_count: assetIds.size,
      namespace_count: namespaces.length,
      branch_count: branches.length,
      storage_location: catalog.storageLocation ?? null,
    };
  }

  /** Every namespace of the catalog folded into a tree (Data Explorer). */
  async namespaceTree(principal: Principal, name: string): Promise<{ root: NamespaceNode[] }> {
    await this.get(principal, name);
    const namespaces = await this.namespaces.listNamespaces(principal.tenantId, name);
    return { root: buildNamespaceTree(namespaces.map((ns) => ns.levels)) };
  }

  /** `""` (and absent) means no warehouse; any other name must exist in the tenant (400 otherwise). */
  private async existingWarehouse(principal: Principal, warehouseName: string | null | undefined): Promise<Warehouse | null> {
    if (warehouseName === undefined || warehouseName === null || warehouseName === '') return null;
    const warehouse = await this.warehouses.getWarehouse(principal.tenantId, warehouseName);
    if (!warehouse) throw new ValidationError('Warehouse not found');
    return warehouse;
  }
}

function emptyToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}
