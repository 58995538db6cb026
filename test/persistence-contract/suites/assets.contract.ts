import { NotFoundError } from '../../../src/common/errors';
import { METADATA_LOCATION_PROPERTY, type Asset } from '../../../src/persistence/models';
import type { AssetPut } from '../../../src/persistence/ports';
import {
  commit,
  copiedShape,
  createLocalCatalog,
  expectPagination,
  expectRejection,
  newCatalog,
  seedTables,
  tablePut,
  uniqueName,
  type ContractContext,
} from '../contract-support';

export function describeAssetsContract(ctx: ContractContext): void {
  describe('assets', () => {
    it('getAsset returns the row of that branch, or null', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const put = tablePut(['sales', 'eu'], 'orders', 's3://b/m1.json', { kind: 'DELTA_TABLE' });
      await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [put] });
      const row = await ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['sales', 'eu'], 'orders');
      expect(row).toEqual({
        id: expect.any(String),
        tenantId,
        catalogName,
        branch: 'main',
        namespace: ['sales', 'eu'],
        name: 'orders',
        kind: 'DELTA_TABLE',
        location: put.location,
        properties: put.properties,
      });
      await expect(ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['sales'], 'orders')).resolves.toBeNull();
      await expect(ctx.ports.assets.getAsset(tenantId, catalogName, 'other', ['sales', 'eu'], 'orders')).resolves.toBeNull();
    });

    it('listAssets orders by namespace (level by level) then name, filters one namespace exactly, paginates', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const keys: [string[], string][] = [
        [['B'], 'x'],
        [['a'], 'Z'],
        [['a'], 'y'],
        [['a', 'b'], 'a'],
        [['a-b'], 'a'],
      ];
      await commit(ctx.ports, tenantId, catalogName, 'main', {
        puts: [...keys].reverse().map(([namespace, name]) => tablePut(namespace, name)),
      });
      const all = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
      expect(all.map((a) => [a.namespace, a.name])).toEqual(keys);
      await expectPagination((page) => ctx.ports.assets.listAssets(tenantId, catalogName, 'main', undefined, page), all);

      const inA = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main', ['a']);
      expect(inA.map((a) => a.name)).toEqual(['Z', 'y']);
      await expect(
        ctx.ports.assets.listAssets(tenantId, catalogName, 'main', ['a'], { limit: 1, offset: 1 }),
      ).resolves.toEqual([inA[1]]);
      await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'main', ['nope'])).resolves.toEqual([]);
      await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'no-such-branch')).resolves.toEqual([]);
    });

    it('every asset kind round-trips', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const kinds = ['ICEBERG_TABLE', 'DELTA_TABLE', 'VIEW', 'ML_MODEL', 'DIRECTORY', 'OTHER'] as const;
      await commit(ctx.ports, tenantId, catalogName, 'main', {
        puts: kinds.map((kind) => tablePut(['k'], kind.toLowerCase(), null, { kind })),
      });
      const rows = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main', ['k']);
      expect(Object.fromEntries(rows.map((r) => [r.name, r.kind]))).toEqual(
        Object.fromEntries(kinds.map((kind) => [kind.toLowerCase(), kind])),
      );
    });

    it('another tenant sees no rows of the catalog', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const stranger = (await newCatalog(ctx.ports)).tenantId;
      await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [tablePut(['default'], 'secret')] });
      await expect(ctx.ports.assets.listAssets(stranger, catalogName, 'main')).resolves.toEqual([]);
      await expect(ctx.ports.assets.getAsset(stranger, catalogName, 'main', ['default'], 'secret')).resolves.toBeNull();
      await expectRejection(ctx.ports.assets.copyAssetsBulk(stranger, catalogName, 'main', 'stolen'), NotFoundError, {
        resource: 'branch',
      });
      await expect(ctx.ports.branches.getBranch(stranger, catalogName, 'stolen')).resolves.toBeNull();
    });

    describe('findAssetsOverlappingLocation', () => {
      it('finds rows equal to, containing or inside the location on every branch and catalog of the tenant only', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        const other = uniqueName('catalog');
        await createLocalCatalog(ctx.ports, tenantId, other);
        const at = (name: string, location: string, kind: Partial<AssetPut> = {}) =>
          tablePut(['ns'], name, null, { location, ...kind });
        const puts = () => [
          at('same', 'file:///lake/t/a_b'),
          at('parent', 'file:///lake/t/'),
          at('child', 'file:///lake/t/a_b/deeper/x', { kind: 'CSV_TABLE' }),
          at('sibling', 'file:///lake/t/a_b2'),
          at('wildcard', 'file:///lake/t/aXb'),
          at('case', 'file:///lake/T/a_b'),
          at('other_store', 's3://lake/t/a_b'),
        ];
        await commit(ctx.ports, tenantId, catalogName, 'main', { puts: puts() });
        await commit(ctx.ports, tenantId, catalogName, 'dev', { puts: puts() }, { createBranchIfMissing: true });
        await commit(ctx.ports, tenantId, other, 'main', { puts: [at('elsewhere', 'file:///lake')] });
        const stranger = await newCatalog(ctx.ports);
        await commit(ctx.ports, stranger.tenantId, stranger.catalogName, 'main', { puts: [at('foreign', 'file:///lake/t/a_b')] });

        const rows = await ctx.ports.assets.findAssetsOverlappingLocation(tenantId, 'file:///lake/t/a_b');
        const found = rows.map((r) => `${r.catalogName === other ? 'other' : 'mine'}:${r.branch}:${r.name}`).sort();
        expect(found).toEqual(['mine:dev:child', 'mine:dev:parent', 'mine:dev:same', 'mine:main:child', 'mine:main:parent', 'mine:main:same', 'other:main:elsewhere']);
        const same = rows.find((r) => r.name === 'same' && r.branch === 'main');
        expect(same).toMatchObject({ tenantId, catalogName, namespace: ['ns'], kind: 'ICEBERG_TABLE', location: 'file:///lake/t/a_b' });
        await expect(ctx.ports.assets.findAssetsOverlappingLocation(tenantId, 'file:///nowhere/x')).resolves.toEqual([]);
      });
    });

    describe('copyAssetsBulk', () => {
      const copyTest = (title: string, fn: () => Promise<void>) => ctx.test(title, ['aggregationMerge'], fn);

      async function expectSameRows(tenantId: string, catalogName: string, src: string, dest: string, count: number) {
        const source = await ctx.ports.assets.listAssets(tenantId, catalogName, src);
        const copy = await ctx.ports.assets.listAssets(tenantId, catalogName, dest);
        expect(source).toHaveLength(count);
        expect(copy.every((row) => row.branch === dest)).toBe(true);
        expect(copy.map(copiedShape)).toEqual(source.map(copiedShape));
      }

      for (const count of [0, 1, 5000]) {
        copyTest(`copies ${count} asset(s) exactly (same ids) and creates the missing dest as experimental`, async () => {
          const { tenantId, catalogName } = await newCatalog(ctx.ports);
          if (count > 0) await seedTables(ctx.ports, tenantId, catalogName, 'main', count, [['a'], ['b', 'c']]);
          const dest = uniqueName('copy');
          await expect(ctx.ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', dest)).resolves.toBe(count);
          await expect(ctx.ports.branches.getBranch(tenantId, catalogName, dest)).resolves.toEqual({
            tenantId,
            catalogName,
            name: dest,
            headCommitId: null,
            branchType: 'experimental',
          });
          await expectSameRows(tenantId, catalogName, 'main', dest, count);
        });
      }

      copyTest('the namespace filter copies only that namespace (not nested ones)', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        await seedTables(ctx.ports, tenantId, catalogName, 'main', 9, [['a'], ['a', 'b'], ['c']]);
        await expect(ctx.ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', 'only-a', ['a'])).resolves.toBe(3);
        const copied = await ctx.ports.assets.listAssets(tenantId, catalogName, 'only-a');
        const sourceA = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main', ['a']);
        expect(copied.map(copiedShape)).toEqual(sourceA.map(copiedShape));
        await expect(ctx.ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', 'none', ['zz'])).resolves.toBe(0);
      });

      copyTest('onto an existing branch: same-key rows are overwritten, other rows and the head stay', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        await commit(ctx.ports, tenantId, catalogName, 'main', {
          puts: [tablePut(['ns'], 'shared', 's3://main/v2.json'), tablePut(['ns'], 'main_only')],
        });
        const destHead = await commit(
          ctx.ports,
          tenantId,
          catalogName,
          'dest',
          { puts: [tablePut(['ns'], 'shared', 's3://dest/v9.json', { kind: 'VIEW' }), tablePut(['ns'], 'dest_only')] },
          { createBranchIfMissing: true },
        );
        await expect(ctx.ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', 'dest')).resolves.toBe(2);

        const mainRows = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
        const destRows = await ctx.ports.assets.listAssets(tenantId, catalogName, 'dest');
        expect(destRows.map((r) => r.name)).toEqual(['dest_only', 'main_only', 'shared']);
        const byName = (rows: Asset[], name: string) => copiedShape(rows.find((r) => r.name === name)!);
        expect(byName(destRows, 'shared')).toEqual(byName(mainRows, 'shared'));
        expect(byName(destRows, 'main_only')).toEqual(byName(mainRows, 'main_only'));
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'dest')).resolves.toMatchObject({
          headCommitId: destHead.id,
          branchType: 'experimental',
        });
      });

      it('a missing source is NotFoundError(branch) and creates no dest', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        await expectRejection(ctx.ports.assets.copyAssetsBulk(tenantId, catalogName, 'ghost', 'dest'), NotFoundError, {
          resource: 'branch',
        });
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'dest')).resolves.toBeNull();
      });

      copyTest('after the copy the two branches evolve independently', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        await seedTables(ctx.ports, tenantId, catalogName, 'main', 3, [['ns']]);
        await ctx.ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', 'dev');
        const before = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');

        await commit(ctx.ports, tenantId, catalogName, 'dev', {
          puts: [tablePut(['ns'], 't00000', 's3://dev/v2.json'), tablePut(['ns'], 'dev_new')],
          deletes: [{ namespace: ['ns'], name: 't00001' }],
        });
        await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'main')).resolves.toEqual(before);

        await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], 't00002', 's3://main/v2.json')] });
        const dev = await ctx.ports.assets.listAssets(tenantId, catalogName, 'dev');
        expect(dev.map((r) => [r.name, r.properties[METADATA_LOCATION_PROPERTY]])).toEqual([
          ['dev_new', expect.any(String)],
          ['t00000', 's3://dev/v2.json'],
          ['t00002', before[2].properties[METADATA_LOCATION_PROPERTY]],
        ]);
      });
    });
  });
}
