import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../../src/common/errors';
import type { Warehouse } from '../../../src/persistence/models';
import {
  binaryOrderedNames,
  expectPagination,
  expectRejection,
  newTenant,
  uniqueName,
  type ContractContext,
} from '../contract-support';

export function describeWarehousesContract(ctx: ContractContext): void {
  describe('warehouses', () => {
    const warehouse = (tenantId: string, overrides: Partial<Warehouse> = {}): Warehouse => ({
      id: randomUUID(),
      tenantId,
      name: uniqueName('wh'),
      useSts: false,
      storageConfig: { type: 's3', bucket: 'data', 's3.region': 'eu-west-1' },
      vendingStrategy: { AwsStatic: { access_key_id: 'AK', secret_access_key: 'SK', nested: [1, { a: null }] } },
      ...overrides,
    });

    it('creates and gets a warehouse; JSON fields round-trip exactly', async () => {
      const tenantId = await newTenant(ctx.ports);
      for (const vendingStrategy of [
        { AwsStatic: { access_key_id: 'AK', secret_access_key: 'SK', nested: [1, { a: null }] } },
        'None',
        null,
      ]) {
        const input = warehouse(tenantId, { vendingStrategy, useSts: vendingStrategy === 'None' });
        await expect(ctx.ports.warehouses.createWarehouse(input)).resolves.toEqual(input);
        await expect(ctx.ports.warehouses.getWarehouse(tenantId, input.name)).resolves.toEqual(input);
      }
      await expect(ctx.ports.warehouses.getWarehouse(tenantId, uniqueName('missing'))).resolves.toBeNull();
    });

    it('listAllWarehouses returns the warehouses of every tenant', async () => {
      const first = await ctx.ports.warehouses.createWarehouse(warehouse(await newTenant(ctx.ports)));
      const second = await ctx.ports.warehouses.createWarehouse(warehouse(await newTenant(ctx.ports), { name: first.name }));
      const all = await ctx.ports.warehouses.listAllWarehouses();
      expect(all).toEqual(expect.arrayContaining([first, second]));
    });

    it('a duplicate name in the tenant is AlreadyExistsError(warehouse); other tenants may reuse it', async () => {
      const tenantId = await newTenant(ctx.ports);
      const first = await ctx.ports.warehouses.createWarehouse(warehouse(tenantId));
      await expectRejection(
        ctx.ports.warehouses.createWarehouse(warehouse(tenantId, { name: first.name, useSts: true })),
        AlreadyExistsError,
        { resource: 'warehouse' },
      );
      await expect(ctx.ports.warehouses.getWarehouse(tenantId, first.name)).resolves.toEqual(first);

      const otherTenant = await newTenant(ctx.ports);
      const reused = warehouse(otherTenant, { name: first.name });
      await expect(ctx.ports.warehouses.createWarehouse(reused)).resolves.toEqual(reused);
    });

    ctx.test('two concurrent creates of one name: exactly one wins', ['enforcedUniqueIndexes'], async () => {
      const tenantId = await newTenant(ctx.ports);
      const name = uniqueName('wh');
      const results = await Promise.allSettled([
        ctx.ports.warehouses.createWarehouse(warehouse(tenantId, { name })),
        ctx.ports.warehouses.createWarehouse(warehouse(tenantId, { name })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
        AlreadyExistsError,
      );
    });

    it("lists the tenant's warehouses ordered by name (binary order), paginated", async () => {
      const tenantId = await newTenant(ctx.ports);
      const names = binaryOrderedNames('wh');
      const created: Warehouse[] = [];
      for (const name of [...names].reverse()) {
        created.push(await ctx.ports.warehouses.createWarehouse(warehouse(tenantId, { name })));
      }
      const expected = names.map((name) => created.find((w) => w.name === name)!);
      await expectPagination((page) => ctx.ports.warehouses.listWarehouses(tenantId, page), expected);
    });

    it('update merges storageConfig, applies every other given field and keeps omitted ones', async () => {
      const tenantId = await newTenant(ctx.ports);
      const input = await ctx.ports.warehouses.createWarehouse(warehouse(tenantId));
      const updated = await ctx.ports.warehouses.updateWarehouse(tenantId, input.name, {
        useSts: true,
        storageConfig: { bucket: 'other', endpoint: 'http://localhost:9000' },
        vendingStrategy: 'None',
      });
      const expected: Warehouse = {
        ...input,
        useSts: true,
        storageConfig: { type: 's3', bucket: 'other', 's3.region': 'eu-west-1', endpoint: 'http://localhost:9000' },
        vendingStrategy: 'None',
      };
      expect(updated).toEqual(expected);
      await expect(ctx.ports.warehouses.getWarehouse(tenantId, input.name)).resolves.toEqual(expected);
      await expect(ctx.ports.warehouses.updateWarehouse(tenantId, input.name, {})).resolves.toEqual(expected);

      const newName = uniqueName('renamed');
      await expect(ctx.ports.warehouses.updateWarehouse(tenantId, input.name, { name: newName })).resolves.toEqual({
        ...expected,
        name: newName,
      });
      await expect(ctx.ports.warehouses.getWarehouse(tenantId, input.name)).resolves.toBeNull();
      await expect(ctx.ports.warehouses.getWarehouse(tenantId, newName)).resolves.toEqual({ ...expected, name: newName });
    });

    it('update: NotFoundError(warehouse); AlreadyExistsError on a colliding rename; ConflictError renaming one in use', async () => {
      const tenantId = await newTenant(ctx.ports);
      await expectRejection(
        ctx.ports.warehouses.updateWarehouse(tenantId, uniqueName('missing'), { useSts: true }),
        NotFoundError,
        { resource: 'warehouse' },
      );
      const a = await ctx.ports.warehouses.createWarehouse(warehouse(tenantId));
      const b = await ctx.ports.warehouses.createWarehouse(warehouse(tenantId));
      await expectRejection(ctx.ports.warehouses.updateWarehouse(tenantId, b.name, { name: a.name }), AlreadyExistsError, {
        resource: 'warehouse',
      });

      await ctx.ports.catalogs.createCatalog({
        id: randomUUID(),
        tenantId,
        name: uniqueName('catalog'),
        catalogType: 'Local',
        warehouseName: b.name,
        storageLocation: null,
        federatedConfig: null,
        properties: {},
      });
      await expectRejection(
        ctx.ports.warehouses.updateWarehouse(tenantId, b.name, { name: uniqueName('renamed') }),
        ConflictError,
      );
      await expect(ctx.ports.warehouses.getWarehouse(tenantId, b.name)).resolves.toEqual(b);
      // Changes other than the name stay allowed while catalogs refer to it.
      await expect(ctx.ports.warehouses.updateWarehouse(tenantId, b.name, { useSts: true })).resolves.toMatchObject({
        name: b.name,
        useSts: true,
      });
    });

    it('delete removes the warehouse; a missing one is NotFoundError(warehouse)', async () => {
      const tenantId = await newTenant(ctx.ports);
      const input = await ctx.ports.warehouses.createWarehouse(warehouse(tenantId));
      await ctx.ports.warehouses.deleteWarehouse(tenantId, input.name);
      await expect(ctx.ports.warehouses.getWarehouse(tenantId, input.name)).resolves.toBeNull();
      await expectRejection(ctx.ports.warehouses.deleteWarehouse(tenantId, input.name), NotFoundError, {
        resource: 'warehouse',
      });
    });

    it('another tenant sees nothing and cannot get, update or delete by name', async () => {
      const owner = await newTenant(ctx.ports);
      const stranger = await newTenant(ctx.ports);
      const input = await ctx.ports.warehouses.createWarehouse(warehouse(owner));
      await expect(ctx.ports.warehouses.listWarehouses(stranger)).resolves.toEqual([]);
      await expect(ctx.ports.warehouses.getWarehouse(stranger, input.name)).resolves.toBeNull();
      await expectRejection(ctx.ports.warehouses.updateWarehouse(stranger, input.name, { useSts: true }), NotFoundError, {
        resource: 'warehouse',
      });
      await expectRejection(ctx.ports.warehouses.deleteWarehouse(stranger, input.name), NotFoundError, {
        resource: 'warehouse',
      });
      await expect(ctx.ports.warehouses.getWarehouse(owner, input.name)).resolves.toEqual(input);
    });

    it('returned objects are copies: mutating them never changes the stored warehouse', async () => {
      const tenantId = await newTenant(ctx.ports);
      const input = warehouse(tenantId);
      const snapshot = structuredClone(input);
      const created = await ctx.ports.warehouses.createWarehouse(input);
      input.storageConfig.bucket = 'mutated';
      created.storageConfig.bucket = 'mutated';
      (created.vendingStrategy as { AwsStatic: Record<string, unknown> }).AwsStatic.secret_access_key = 'mutated';
      const read = (await ctx.ports.warehouses.getWarehouse(tenantId, input.name))!;
      read.storageConfig.bucket = 'mutated';
      await expect(ctx.ports.warehouses.getWarehouse(tenantId, input.name)).resolves.toEqual(snapshot);
    });
  });
}
