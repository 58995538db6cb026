import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../../src/common/errors';
import type { Tenant } from '../../../src/persistence/models';
import {
  binaryOrderedNames,
  compareBinary,
  expectRejection,
  newCatalog,
  newTenant,
  uniqueName,
  type ContractContext,
} from '../contract-support';

export function describeTenantsContract(ctx: ContractContext): void {
  describe('tenants', () => {
    const tenant = (overrides: Partial<Tenant> = {}): Tenant => ({
      id: randomUUID(),
      name: uniqueName('tenant'),
      properties: { plan: 'gold', region: 'eu' },
      ...overrides,
    });

    it('creates, returns and gets a tenant; an unknown id gives null', async () => {
      const input = tenant();
      await expect(ctx.ports.tenants.createTenant(input)).resolves.toEqual(input);
      await expect(ctx.ports.tenants.getTenant(input.id)).resolves.toEqual(input);
      await expect(ctx.ports.tenants.getTenant(randomUUID())).resolves.toBeNull();
    });

    it('refuses a duplicate id or a duplicate name with AlreadyExistsError(tenant), storing nothing', async () => {
      const first = tenant();
      await ctx.ports.tenants.createTenant(first);
      await expectRejection(ctx.ports.tenants.createTenant(tenant({ id: first.id })), AlreadyExistsError, {
        resource: 'tenant',
      });
      const sameName = tenant({ name: first.name });
      await expectRejection(ctx.ports.tenants.createTenant(sameName), AlreadyExistsError, { resource: 'tenant' });
      await expect(ctx.ports.tenants.getTenant(sameName.id)).resolves.toBeNull();
      await expect(ctx.ports.tenants.getTenant(first.id)).resolves.toEqual(first);
    });

    ctx.test('two concurrent creates of one name: exactly one wins', ['enforcedUniqueIndexes'], async () => {
      const name = uniqueName('tenant');
      const results = await Promise.allSettled([
        ctx.ports.tenants.createTenant(tenant({ name })),
        ctx.ports.tenants.createTenant(tenant({ name })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(AlreadyExistsError);
    });

    it('lists every tenant ordered by name in binary order, paginated', async () => {
      const names = binaryOrderedNames(uniqueName('order'));
      const created: Tenant[] = [];
      for (const name of [...names].reverse()) created.push(await ctx.ports.tenants.createTenant(tenant({ name })));
      const mine = new Set(created.map((t) => t.id));

      const all = await ctx.ports.tenants.listTenants();
      expect(all.filter((t) => mine.has(t.id)).map((t) => t.name)).toEqual(names);
      const sortedNames = all.map((t) => t.name);
      expect(sortedNames).toEqual([...sortedNames].sort(compareBinary));

      // The tenant list is global, so pages are checked against the full list read just before.
      const index = all.findIndex((t) => t.id === created[created.length - 1].id);
      await expect(ctx.ports.tenants.listTenants({ limit: 3, offset: index })).resolves.toEqual(
        all.slice(index, index + 3),
      );
      await expect(ctx.ports.tenants.listTenants({ offset: index })).resolves.toEqual(all.slice(index));
      await expect(ctx.ports.tenants.listTenants({ limit: 0 })).resolves.toEqual([]);
      await expect(ctx.ports.tenants.listTenants({ offset: all.length })).resolves.toEqual([]);
    });

    it('updates the name and merges properties (added or overwritten, never removed)', async () => {
      const input = await ctx.ports.tenants.createTenant(tenant({ properties: { plan: 'gold', region: 'eu' } }));
      const newName = uniqueName('renamed');
      const updated = await ctx.ports.tenants.updateTenant(input.id, {
        name: newName,
        properties: { plan: 'platinum', tier: '1' },
      });
      const expected = { id: input.id, name: newName, properties: { plan: 'platinum', region: 'eu', tier: '1' } };
      expect(updated).toEqual(expected);
      await expect(ctx.ports.tenants.getTenant(input.id)).resolves.toEqual(expected);

      // An empty patch changes nothing; a properties-only patch keeps the name.
      await expect(ctx.ports.tenants.updateTenant(input.id, {})).resolves.toEqual(expected);
      await expect(ctx.ports.tenants.updateTenant(input.id, { properties: {} })).resolves.toEqual(expected);
      // Renaming to its own name is not a collision.
      await expect(ctx.ports.tenants.updateTenant(input.id, { name: newName })).resolves.toEqual(expected);
    });

    it('update: unknown id is NotFoundError(tenant); a colliding rename is AlreadyExistsError(tenant)', async () => {
      await expectRejection(ctx.ports.tenants.updateTenant(randomUUID(), { name: 'x' }), NotFoundError, {
        resource: 'tenant',
      });
      const a = await ctx.ports.tenants.createTenant(tenant());
      const b = await ctx.ports.tenants.createTenant(tenant());
      await expectRejection(ctx.ports.tenants.updateTenant(b.id, { name: a.name }), AlreadyExistsError, {
        resource: 'tenant',
      });
      await expect(ctx.ports.tenants.getTenant(b.id)).resolves.toEqual(b);
    });

    it('delete removes the tenant; an unknown id is NotFoundError(tenant)', async () => {
      const id = await newTenant(ctx.ports);
      await ctx.ports.tenants.deleteTenant(id);
      await expect(ctx.ports.tenants.getTenant(id)).resolves.toBeNull();
      await expectRejection(ctx.ports.tenants.deleteTenant(id), NotFoundError, { resource: 'tenant' });
    });

    it('delete refuses with ConflictError while the tenant owns a warehouse or a catalog', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await expectRejection(ctx.ports.tenants.deleteTenant(tenantId), ConflictError);
      await ctx.ports.catalogs.deleteCatalog(tenantId, catalogName);

      const warehouseName = uniqueName('wh');
      await ctx.ports.warehouses.createWarehouse({
        id: randomUUID(),
        tenantId,
        name: warehouseName,
        useSts: false,
        storageConfig: {},
        vendingStrategy: null,
      });
      await expectRejection(ctx.ports.tenants.deleteTenant(tenantId), ConflictError);
      await expect(ctx.ports.tenants.getTenant(tenantId)).resolves.not.toBeNull();

      await ctx.ports.warehouses.deleteWarehouse(tenantId, warehouseName);
      await ctx.ports.tenants.deleteTenant(tenantId);
      await expect(ctx.ports.tenants.getTenant(tenantId)).resolves.toBeNull();
    });

    it('returned objects are copies: mutating them never changes the stored tenant', async () => {
      const input = tenant();
      const created = await ctx.ports.tenants.createTenant(input);
      input.properties.injected = 'by caller';
      created.properties.injected = 'by caller';
      const read = (await ctx.ports.tenants.getTenant(input.id))!;
      read.properties.injected = 'by caller';
      read.name = 'mutated';
      await expect(ctx.ports.tenants.getTenant(input.id)).resolves.toEqual({
        id: input.id,
        name: created.name,
        properties: { plan: 'gold', region: 'eu' },
      });
    });
  });
}

