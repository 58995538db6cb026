import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { validateResourceName } from '../common/http/resource-name';
import type { Pagination, StringMap, Warehouse } from '../persistence/models';
import { CatalogsPort, WarehousePatch, WarehousesPort } from '../persistence/ports';
import { locationsOverlap, ObjectStorage, realLocation } from '../storage';
import { rejectMaskedValues, validateStorageConfig, withoutMaskedValues } from './storage-config';
import { parseVendingStrategy, restoreMaskedSecrets, type VendingStrategy } from './vending-strategy';

export interface CreateWarehouseInput {
  name: string;
  use_sts?: boolean | null;
  storage_config?: StringMap | null;
  vending_strategy?: unknown;
}

export interface UpdateWarehouseInput {
  name?: string | null;
  use_sts?: boolean | null;
  storage_config?: StringMap | null;
  vending_strategy?: unknown;
}

/**
 * Warehouses of the caller's tenant (contract management §2.2). Only a tenant admin changes them (root
 * manages tenants, not their storage; a tenant user only reads).
 *
 * Storage confinement, on create and on every storage_config change: a file warehouse's root lies strictly
 * below an allowed storage root (PANGOLIN_ALLOWED_STORAGE_ROOTS) and is created; and no warehouse's storage
 * (file root, S3 bucket + prefix, memory root) overlaps — equals, contains or lies inside — the storage of
 * ANOTHER tenant's warehouse. Warehouses of the same tenant may overlap: every table location of a tenant
 * is kept apart from its other tables anyway (see the table location rules), and tenants reuse one bucket.
 */
@Injectable()
export class WarehousesService {
  constructor(
    private readonly warehouses: WarehousesPort,
    private readonly catalogs: CatalogsPort,
    private readonly storage: ObjectStorage,
  ) {}

  list(principal: Principal, page: Pagination): Promise<Warehouse[]> {
    return this.warehouses.listWarehouses(principal.tenantId, page);
  }

  async get(principal: Principal, name: string): Promise<Warehouse> {
    const warehouse = await this.warehouses.getWarehouse(principal.tenantId, name);
    if (!warehouse) throw new NotFoundError('warehouse', name);
    return warehouse;
  }

  async create(principal: Principal, input: CreateWarehouseInput): Promise<Warehouse> {
    if (principal.role === 'root') {
      throw new ForbiddenError('Root user cannot create warehouses. Please login as Tenant Admin.');
    }
    requireTenantAdmin(principal, 'create');
    validateResourceName('warehouse', input.name);
    const storageConfig = input.storage_config ?? {};
    rejectMaskedValues(storageConfig, 'storage_config');
    validateStorageConfig(storageConfig);
    const warehouse: Warehouse = {
      id: randomUUID(),
      tenantId: principal.tenantId,
      name: input.name,
      useSts: input.use_sts ?? false,
      storageConfig,
      vendingStrategy: vendingStrategyOf(input.vending_strategy, null),
    };
    await this.assertStorageConfined(warehouse);
    return this.warehouses.createWarehouse(warehouse);
  }

  /**
   * Applies every supplied field (null means "unchanged", as a missing field). A rename is refused with 409
   * while catalogs refer to the warehouse by name (the port checks it atomically).
   */
  async update(principal: Principal, name: string, input: UpdateWarehouseInput): Promise<Warehouse> {
    requireTenantAdmin(principal, 'update');
    const current = await this.get(principal, name);
    const patch: WarehousePatch = {};
    if (input.name !== undefined && input.name !== null && input.name !== current.name) {
      validateResourceName('warehouse', input.name);
      patch.name = input.name;
    }
    if (input.use_sts !== undefined && input.use_sts !== null) patch.useSts = input.use_sts;
    if (input.storage_config) {
      const changes = withoutMaskedValues(input.storage_config);
      const storageConfig = { ...current.storageConfig, ...changes };
      validateStorageConfig(storageConfig);
      await this.assertStorageConfined({ ...current, storageConfig });
      patch.storageConfig = changes;
    }
    if (input.vending_strategy !== undefined && input.vending_strategy !== null) {
      patch.vendingStrategy = vendingStrategyOf(input.vending_strategy, current.vendingStrategy);
    }
    return this.warehouses.updateWarehouse(principal.tenantId, name, patch);
  }

  /**
   * Refused with 409 while a catalog still uses the warehouse: its tables' metadata lives there. (Checked
   * before the delete; a catalog created in between is the one case this does not catch.)
   */
  async delete(principal: Principal, name: string): Promise<void> {
    requireTenantAdmin(principal, 'delete');
    const users = (await this.catalogs.listCatalogs(principal.tenantId)).filter((c) => c.warehouseName === name);
    if (users.length > 0) {
      throw new ConflictError(
        `Warehouse '${name}' is used by catalog${users.length > 1 ? 's' : ''} ${users.map((c) => `'${c.name}'`).join(', ')}`,
      );
    }
    await this.warehouses.deleteWarehouse(principal.tenantId, name);
  }

  /** See the class comment. Throws ValidationError (400) naming the rule, never another tenant's data. */
  private async assertStorageConfined(warehouse: Warehouse): Promise<void> {
    const root = this.storage.warehouseRootLocation(warehouse);
    const realRoot = await realLocation(root);
    const others = (await this.warehouses.listAllWarehouses()).filter((w) => w.tenantId !== warehouse.tenantId);
    for (const other of others) {
      let otherRoot: string;
      try {
        otherRoot = this.storage.warehouseRootLocation(other);
      } catch (err) {
        if (err instanceof ValidationError) continue; // a stored config this server cannot serve holds no data here
        throw err;
      }
      // Compared as written and as resolved: a symbolic link must not make one directory look like two.
      if (locationsOverlap(root, otherRoot) || locationsOverlap(realRoot, await realLocation(otherRoot).catch(() => otherRoot))) {
        throw new ValidationError(
          `Warehouse '${warehouse.name}': its storage overlaps storage used by another tenant; choose another root, bucket or prefix`,
        );
      }
    }
    await this.storage.prepareWarehouseRoot(warehouse);
  }
}

function requireTenantAdmin(principal: Principal, action: string): void {
  if (principal.role !== 'tenant-admin') throw new ForbiddenError(`Only a tenant admin can ${action} warehouses`);
}

/** Normalized strategy; masked secrets written back from a response keep their stored values. */
function vendingStrategyOf(value: unknown, stored: unknown): VendingStrategy | null {
  if (value === undefined || value === null) return null;
  const parsed = parseVendingStrategy(value);
  // The DTO already answered 422 for a wrong shape; this guards callers that bypass it.
  if (!parsed.ok) throw new ValidationError(parsed.error);
  return restoreMaskedSecrets(parsed.value, stored);
}
