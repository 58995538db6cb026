import { AlreadyExistsError, NamespaceNotEmptyError, NotFoundError } from '../../../src/common/errors';
import type { Namespace, NamespacePath } from '../../../src/persistence/models';
import {
  commit,
  expectPagination,
  expectRejection,
  newCatalog,
  tablePut,
  type ContractContext,
} from '../contract-support';

export function describeNamespacesContract(ctx: ContractContext): void {
  describe('namespaces', () => {
    const create = (tenantId: string, catalogName: string, levels: NamespacePath, properties = {}) =>
      ctx.ports.namespaces.createNamespace({ tenantId, catalogName, levels, properties });

    it('creates and gets a namespace; a missing one gives null', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const input: Namespace = { tenantId, catalogName, levels: ['sales', 'eu'], properties: { owner: 'x', 'a.b': 'c' } };
      await expect(ctx.ports.namespaces.createNamespace(input)).resolves.toEqual(input);
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales', 'eu'])).resolves.toEqual(input);
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales'])).resolves.toBeNull();
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales', 'eu', 'x'])).resolves.toBeNull();
    });

    it('levels are kept apart exactly: dots inside a level are literal characters', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await create(tenantId, catalogName, ['a.b']);
      await create(tenantId, catalogName, ['a', 'b']);
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['a.b'])).resolves.toMatchObject({
        levels: ['a.b'],
      });
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['a', 'b'])).resolves.toMatchObject({
        levels: ['a', 'b'],
      });
      await expect(ctx.ports.namespaces.listNamespaces(tenantId, catalogName, ['a'])).resolves.toEqual([
        { tenantId, catalogName, levels: ['a', 'b'], properties: {} },
      ]);
    });

    it('a duplicate is AlreadyExistsError(namespace); another catalog may reuse the levels', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await create(tenantId, catalogName, ['sales'], { v: '1' });
      await expectRejection(create(tenantId, catalogName, ['sales'], { v: '2' }), AlreadyExistsError, {
        resource: 'namespace',
      });
      await expectRejection(create(tenantId, catalogName, ['default']), AlreadyExistsError, { resource: 'namespace' });
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales'])).resolves.toMatchObject({
        properties: { v: '1' },
      });

      // Namespaces are scoped by catalog and tenant: the same levels elsewhere are a different namespace.
      const other = await newCatalog(ctx.ports);
      await expect(create(other.tenantId, other.catalogName, ['sales'])).resolves.toMatchObject({ levels: ['sales'] });
    });

    describe('listing', () => {
      // Level by level, binary order: a shorter path sorts before its extensions.
      const ordered: NamespacePath[] = [['B'], ['a'], ['a', 'b'], ['a', 'b', 'c'], ['a-b'], ['a_'], ['b'], ['default']];

      async function seed(): Promise<{ tenantId: string; catalogName: string }> {
        const scope = await newCatalog(ctx.ports);
        for (const levels of [...ordered].reverse()) {
          if (levels[0] !== 'default') await create(scope.tenantId, scope.catalogName, levels);
        }
        return scope;
      }

      it('without parent: every namespace, nested ones included, ordered level by level, paginated', async () => {
        const { tenantId, catalogName } = await seed();
        const expected = ordered.map((levels) => ({ tenantId, catalogName, levels, properties: {} }));
        await expectPagination((page) => ctx.ports.namespaces.listNamespaces(tenantId, catalogName, undefined, page), expected);
      });

      it('with a parent: its direct children only; [] as parent gives the top-level namespaces', async () => {
        const { tenantId, catalogName } = await seed();
        const levelsOf = async (parent: NamespacePath) =>
          (await ctx.ports.namespaces.listNamespaces(tenantId, catalogName, parent)).map((n) => n.levels);
        await expect(levelsOf(['a'])).resolves.toEqual([['a', 'b']]);
        await expect(levelsOf(['a', 'b'])).resolves.toEqual([['a', 'b', 'c']]);
        await expect(levelsOf(['a', 'b', 'c'])).resolves.toEqual([]);
        await expect(levelsOf(['nope'])).resolves.toEqual([]);
        await expect(levelsOf([])).resolves.toEqual([['B'], ['a'], ['a-b'], ['a_'], ['b'], ['default']]);
        await expect(
          ctx.ports.namespaces.listNamespaces(tenantId, catalogName, [], { limit: 2, offset: 1 }),
        ).resolves.toMatchObject([{ levels: ['a'] }, { levels: ['a-b'] }]);
      });
    });

    it('updateNamespaceProperties removes, then applies updates, and reports updated/removed/missing', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await create(tenantId, catalogName, ['sales'], { keep: '1', drop: '2', change: '3' });
      const result = await ctx.ports.namespaces.updateNamespaceProperties(
        tenantId,
        catalogName,
        ['sales'],
        ['drop', 'absent'],
        { change: 'changed', added: 'new' },
      );
      expect(result).toEqual({ updated: ['change', 'added'], removed: ['drop'], missing: ['absent'] });
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales'])).resolves.toEqual({
        tenantId,
        catalogName,
        levels: ['sales'],
        properties: { keep: '1', change: 'changed', added: 'new' },
      });
      await expect(
        ctx.ports.namespaces.updateNamespaceProperties(tenantId, catalogName, ['sales'], [], {}),
      ).resolves.toEqual({ updated: [], removed: [], missing: [] });
      await expectRejection(
        ctx.ports.namespaces.updateNamespaceProperties(tenantId, catalogName, ['nope'], [], { a: 'b' }),
        NotFoundError,
        { resource: 'namespace' },
      );
    });

    it('delete removes an empty namespace; a missing one is NotFoundError(namespace)', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await create(tenantId, catalogName, ['tmp']);
      await ctx.ports.namespaces.deleteNamespace(tenantId, catalogName, ['tmp']);
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['tmp'])).resolves.toBeNull();
      await expectRejection(ctx.ports.namespaces.deleteNamespace(tenantId, catalogName, ['tmp']), NotFoundError, {
        resource: 'namespace',
      });
    });

    it('delete refuses with NamespaceNotEmptyError while a child namespace exists', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await create(tenantId, catalogName, ['sales']);
      await create(tenantId, catalogName, ['sales', 'eu']);
      await create(tenantId, catalogName, ['sales-archive']);
      await expectRejection(ctx.ports.namespaces.deleteNamespace(tenantId, catalogName, ['sales']), NamespaceNotEmptyError);
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales'])).resolves.not.toBeNull();
      await ctx.ports.namespaces.deleteNamespace(tenantId, catalogName, ['sales', 'eu']);
      await ctx.ports.namespaces.deleteNamespace(tenantId, catalogName, ['sales']);
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales-archive'])).resolves.not.toBeNull();
    });

    it('delete refuses with NamespaceNotEmptyError while ANY branch holds an asset in it', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await create(tenantId, catalogName, ['sales']);
      await commit(ctx.ports, tenantId, catalogName, 'feature', { puts: [tablePut(['sales'], 'orders')] }, {
        createBranchIfMissing: true,
      });
      await expectRejection(ctx.ports.namespaces.deleteNamespace(tenantId, catalogName, ['sales']), NamespaceNotEmptyError);
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales'])).resolves.not.toBeNull();

      await commit(ctx.ports, tenantId, catalogName, 'feature', { deletes: [{ namespace: ['sales'], name: 'orders' }] });
      await ctx.ports.namespaces.deleteNamespace(tenantId, catalogName, ['sales']);
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales'])).resolves.toBeNull();
    });

    it('another tenant sees nothing and cannot get, update or delete', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const stranger = (await newCatalog(ctx.ports)).tenantId;
      await create(tenantId, catalogName, ['sales']);
      await expect(ctx.ports.namespaces.listNamespaces(stranger, catalogName)).resolves.toEqual([]);
      await expect(ctx.ports.namespaces.getNamespace(stranger, catalogName, ['sales'])).resolves.toBeNull();
      await expectRejection(
        ctx.ports.namespaces.updateNamespaceProperties(stranger, catalogName, ['sales'], [], { a: 'b' }),
        NotFoundError,
        { resource: 'namespace' },
      );
      await expectRejection(ctx.ports.namespaces.deleteNamespace(stranger, catalogName, ['sales']), NotFoundError, {
        resource: 'namespace',
      });
      await expect(ctx.ports.namespaces.getNamespace(tenantId, catalogName, ['sales'])).resolves.toEqual({
        tenantId,
        catalogName,
        levels: ['sales'],
        properties: {},
      });
    });
  });
}
