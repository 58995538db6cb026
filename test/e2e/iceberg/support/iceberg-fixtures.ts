import type { Catalog, StringMap, Warehouse } from '../../../../src/persistence/models';
import { DEFAULT_TENANT_ID } from '../../../../src/persistence/models';
import type { PersistencePorts } from '../../../../src/persistence/persistence-ports';
import { randomUUID } from 'node:crypto';

/** Creates a local catalog (with its `default` namespace and `main` branch) in the default tenant. */
export async function createTestCatalog(
  ports: PersistencePorts,
  name: string,
  options: { warehouseName?: string; storageLocation?: string } = {},
): Promise<Catalog> {
  return ports.catalogs.createCatalog({
    id: randomUUID(),
    tenantId: DEFAULT_TENANT_ID,
    name,
    catalogType: 'Local',
    warehouseName: options.warehouseName ?? null,
    storageLocation: options.storageLocation ?? null,
    federatedConfig: null,
    properties: {},
  });
}

export async function createTestWarehouse(ports: PersistencePorts, name: string, storageConfig: StringMap): Promise<Warehouse> {
  return ports.warehouses.createWarehouse({
    id: randomUUID(),
    tenantId: DEFAULT_TENANT_ID,
    name,
    useSts: false,
    storageConfig,
    vendingStrategy: null,
  });
}

/** A namespace path segment: levels joined by U+001F, percent-encoded as clients send it. */
export function nsPath(...levels: string[]): string {
  return levels.map(encodeURIComponent).join('%1F');
}
