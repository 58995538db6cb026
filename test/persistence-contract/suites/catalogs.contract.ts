import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, NotFoundError } from '../../../src/common/errors';
import type { Catalog } from '../../../src/persistence/models';
import {
  binaryOrderedNames,
  commit,
  expectPagination,
  expectRejection,
  newTenant,
  tablePut,
  uniqueName,
  type ContractContext,
} from '../contract-support';

export function describeCatalogsContract(ctx: ContractContext): void {
  describe('catalogs', () => {
    const catalog = (tenantId: string, overrides: Partial<Catalog> = {}): Catalog => ({
      id: randomUUID(),
      tenantId,
      name: uniqueName('catalog'),
      catalogType: 'Local',
      warehouseName: null,
      storageLocation: 's3://bucket/catalog',
      federatedConfig: null,
      properties: { owner: 'team-a', env: 'prod' },
      ...overrides,
    });

    it('create also makes namespace ["default"] and branch main (ingest, head null, no assets)', async () => {
      const tenantId = await newTenant(ctx.ports);
      const input = catalog(tenantId);
      await expect(ctx.ports.catalogs.createCatalog(input)).resolves.toEqual(input);
      await expect(ctx.ports.catalogs.getCatalog(tenantId, input.name)).resolves.toEqual(input);

      await expect(ctx.ports.namespaces.listNamespaces(tenantId, input.name)).resolves.toEqual([
        { tenantId, catalogName: input.name, levels: ['default'], properties: {} },
      ]);
      await expect(ctx.ports.branches.listBranches(tenantId, input.name)).resolves.toEqual([
        { tenantId, catalogName: input.name, name: 'main', headCommitId: null, branchType: 'ingest' },
      ]);
      await expect(ctx.ports.assets.listAssets(tenantId, input.name, 'main')).resolves.toEqual([]);
      await expect(ctx.ports.catalogs.getCatalog(tenantId, uniqueName('missing'))).resolves.toBeNull();
    });

    it('a federated catalog round-trips its JSON config exactly', async () => {
      const tenantId = await newTenant(ctx.ports);
      const input = catalog(tenantId, {
        catalogType: 'Federated',
        storageLocation: null,
        federatedConfig: { properties: { uri: 'http://remote:8181', 'header.X-Custom': 'a "quoted" value' } },
      });
      await ctx.ports.catalogs.createCatalog(input);
      await expect(ctx.ports.catalogs.getCatalog(tenantId, input.name)).resolves.toEqual(input);
    });

    it('a duplicate name is AlreadyExistsError(catalog) and writes nothing (main keeps its head)', async () => {
      const tenantId = await newTenant(ctx.ports);
      const first = await ctx.ports.catalogs.createCatalog(catalog(tenantId));
      const head = await commit(ctx.ports, tenantId, first.name, 'main', { puts: [tablePut(['default'], 't1')] });
      await ctx.ports.namespaces.updateNamespaceProperties(tenantId, first.name, ['default'], [], { kept: 'yes' });

      await expectRejection(
        ctx.ports.catalogs.createCatalog(catalog(tenantId, { name: first.name, storageLocation: null })),
        AlreadyExistsError,
        { resource: 'catalog' },
      );
      await expect(ctx.ports.catalogs.getCatalog(tenantId, first.name)).resolves.toEqual(first);
      await expect(ctx.ports.branches.getBranch(tenantId, first.name, 'main')).resolves.toMatchObject({
        headCommitId: head.id,
      });
      await expect(ctx.ports.namespaces.getNamespace(tenantId, first.name, ['default'])).resolves.toMatchObject({
        properties: { kept: 'yes' },
      });
      await expect(ctx.ports.assets.listAssets(tenantId, first.name, 'main')).resolves.toHaveLength(1);

      const otherTenant = await newTenant(ctx.ports);
      await expect(ctx.ports.catalogs.createCatalog(catalog(otherTenant, { name: first.name }))).resolves.toMatchObject({
        name: first.name,
      });
    });

    ctx.test('two concurrent creates of one name: exactly one wins', ['enforcedUniqueIndexes'], async () => {
      const tenantId = await newTenant(ctx.ports);
      const name = uniqueName('catalog');
      const results = await Promise.allSettled([
        ctx.ports.catalogs.createCatalog(catalog(tenantId, { name })),
        ctx.ports.catalogs.createCatalog(catalog(tenantId, { name })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
        AlreadyExistsError,
      );
      await expect(ctx.ports.branches.listBranches(tenantId, name)).resolves.toHaveLength(1);
      await expect(ctx.ports.namespaces.listNamespaces(tenantId, name)).resolves.toHaveLength(1);
    });

    it("lists the tenant's catalogs ordered by name (binary order), paginated", async () => {
      const tenantId = await newTenant(ctx.ports);
      const names = binaryOrderedNames('catalog');
      const created: Catalog[] = [];
      for (const name of [...names].reverse()) created.push(await ctx.ports.catalogs.createCatalog(catalog(tenantId, { name })));
      const expected = names.map((name) => created.find((c) => c.name === name)!);
      await expectPagination((page) => ctx.ports.catalogs.listCatalogs(tenantId, page), expected);
    });

    it('update merges properties, applies every given field (null included) and keeps omitted ones', async () => {
      const tenantId = await newTenant(ctx.ports);
      const input = await ctx.ports.catalogs.createCatalog(catalog(tenantId, { warehouseName: null }));
      await ctx.ports.warehouses.createWarehouse({
        id: randomUUID(),
        tenantId,
        name: 'wh-1',
        useSts: false,
        storageConfig: {},
        vendingStrategy: null,
      });
      const expected: Catalog = {
        ...input,
        warehouseName: 'wh-1',
        storageLocation: null,
        federatedConfig: { properties: { uri: 'http://remote' } },
        properties: { owner: 'team-b', env: 'prod', extra: '1' },
      };
      await expect(
        ctx.ports.catalogs.updateCatalog(tenantId, input.name, {
          warehouseName: 'wh-1',
          storageLocation: null,
          federatedConfig: { properties: { uri: 'http://remote' } },
          properties: { owner: 'team-b', extra: '1' },
        }),
      ).resolves.toEqual(expected);
      await expect(ctx.ports.catalogs.getCatalog(tenantId, input.name)).resolves.toEqual(expected);
      await expect(ctx.ports.catalogs.updateCatalog(tenantId, input.name, {})).resolves.toEqual(expected);

      const cleared = { ...expected, warehouseName: null, federatedConfig: null, storageLocation: 's3://b/new' };
      await expect(
        ctx.ports.catalogs.updateCatalog(tenantId, input.name, {
          warehouseName: null,
          federatedConfig: null,
          storageLocation: 's3://b/new',
        }),
      ).resolves.toEqual(cleared);
      await expect(ctx.ports.catalogs.getCatalog(tenantId, input.name)).resolves.toEqual(cleared);

      await expectRejection(ctx.ports.catalogs.updateCatalog(tenantId, uniqueName('missing'), {}), NotFoundError, {
        resource: 'catalog',
      });
    });

    it('delete cascades to namespaces, assets on every branch, branches and tags; commits and merge operations stay', async () => {
      const tenantId = await newTenant(ctx.ports);
      const name = uniqueName('catalog');
      await ctx.ports.catalogs.createCatalog(catalog(tenantId, { name }));
      await ctx.ports.namespaces.createNamespace({ tenantId, catalogName: name, levels: ['sales'], properties: {} });
      const onMain = await commit(ctx.ports, tenantId, name, 'main', {
        puts: [tablePut(['sales'], 'orders'), tablePut(['default'], 'events')],
      });
      // dev made by a fork-on-write commit, so this test does not depend on the bulk copy.
      const onDev = await commit(ctx.ports, tenantId, name, 'dev', { puts: [tablePut(['sales'], 'only_dev')] }, {
        createBranchIfMissing: true,
      });
      await ctx.ports.tags.createTag({ tenantId, catalogName: name, name: 'v1', commitId: onMain.id });
      const operationId = randomUUID();
      await ctx.ports.mergeOperations.createMergeOperation(
        {
          id: operationId,
          tenantId,
          catalogName: name,
          sourceBranch: 'dev',
          targetBranch: 'main',
          baseCommitId: onMain.id,
          status: 'Pending',
          conflicts: [],
          initiatedBy: 'someone',
          initiatedAt: new Date(),
          completedAt: null,
          resultCommitId: null,
        },
        [],
      );

      await ctx.ports.catalogs.deleteCatalog(tenantId, name);

      await expect(ctx.ports.catalogs.getCatalog(tenantId, name)).resolves.toBeNull();
      await expect(ctx.ports.namespaces.listNamespaces(tenantId, name)).resolves.toEqual([]);
      await expect(ctx.ports.branches.listBranches(tenantId, name)).resolves.toEqual([]);
      for (const branch of ['main', 'dev']) {
        await expect(ctx.ports.assets.listAssets(tenantId, name, branch)).resolves.toEqual([]);
      }
      await expect(ctx.ports.tags.listTags(tenantId, name)).resolves.toEqual([]);
      await expect(ctx.ports.commits.getCommit(tenantId, onMain.id)).resolves.toEqual(onMain);
      await expect(ctx.ports.commits.getCommit(tenantId, onDev.id)).resolves.toEqual(onDev);
      await expect(ctx.ports.mergeOperations.getMergeOperation(tenantId, operationId)).resolves.not.toBeNull();

      // Re-creating the name starts from scratch: nothing of the old catalog comes back.
      await ctx.ports.catalogs.createCatalog(catalog(tenantId, { name }));
      await expect(ctx.ports.namespaces.listNamespaces(tenantId, name)).resolves.toHaveLength(1);
      await expect(ctx.ports.branches.listBranches(tenantId, name)).resolves.toEqual([
        { tenantId, catalogName: name, name: 'main', headCommitId: null, branchType: 'ingest' },
      ]);
      await expect(ctx.ports.assets.listAssets(tenantId, name, 'main')).resolves.toEqual([]);
      await expect(ctx.ports.assets.listAssets(tenantId, name, 'dev')).resolves.toEqual([]);
      await expect(ctx.ports.tags.getTag(tenantId, name, 'v1')).resolves.toBeNull();
    });

    it('delete of a missing catalog is NotFoundError(catalog)', async () => {
      const tenantId = await newTenant(ctx.ports);
      await expectRejection(ctx.ports.catalogs.deleteCatalog(tenantId, uniqueName('missing')), NotFoundError, {
        resource: 'catalog',
      });
    });

    it('another tenant sees nothing and cannot get, update or delete by name', async () => {
      const owner = await newTenant(ctx.ports);
      const stranger = await newTenant(ctx.ports);
      const input = await ctx.ports.catalogs.createCatalog(catalog(owner));
      await expect(ctx.ports.catalogs.listCatalogs(stranger)).resolves.toEqual([]);
      await expect(ctx.ports.catalogs.getCatalog(stranger, input.name)).resolves.toBeNull();
      await expectRejection(ctx.ports.catalogs.updateCatalog(stranger, input.name, { properties: { x: '1' } }), NotFoundError, {
        resource: 'catalog',
      });
      await expectRejection(ctx.ports.catalogs.deleteCatalog(stranger, input.name), NotFoundError, {
        resource: 'catalog',
      });
      await expect(ctx.ports.catalogs.getCatalog(owner, input.name)).resolves.toEqual(input);
      await expect(ctx.ports.branches.listBranches(owner, input.name)).resolves.toHaveLength(1);
    });
  });
}
