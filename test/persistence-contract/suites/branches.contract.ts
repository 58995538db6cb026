import { AlreadyExistsError, NotFoundError } from '../../../src/common/errors';
import type { Branch } from '../../../src/persistence/models';
import {
  binaryOrderedNames,
  commit,
  copiedShape,
  expectPagination,
  expectRejection,
  newCatalog,
  tablePut,
  type ContractContext,
} from '../contract-support';

export function describeBranchesContract(ctx: ContractContext): void {
  describe('branches', () => {
    /** A catalog whose main holds tables in two namespaces and has a head commit. */
    async function catalogWithHistory() {
      const scope = await newCatalog(ctx.ports);
      const head = await commit(ctx.ports, scope.tenantId, scope.catalogName, 'main', {
        puts: [tablePut(['sales'], 'orders'), tablePut(['sales'], 'customers'), tablePut(['ops', 'eu'], 'logs')],
      });
      return { ...scope, head };
    }

    describe('createBranch', () => {
      ctx.test('full copy: head = source head, every row copied with the same ids', ['aggregationMerge'], async () => {
        const { tenantId, catalogName, head } = await catalogWithHistory();
        const created = await ctx.ports.branches.createBranch(tenantId, catalogName, {
          name: 'dev',
          branchType: 'experimental',
          fromBranch: 'main',
        });
        const expectedBranch: Branch = { tenantId, catalogName, name: 'dev', headCommitId: head.id, branchType: 'experimental' };
        expect(created).toEqual({ branch: expectedBranch, copied: 3 });
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'dev')).resolves.toEqual(expectedBranch);
        const main = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
        const dev = await ctx.ports.assets.listAssets(tenantId, catalogName, 'dev');
        expect(dev.map(copiedShape)).toEqual(main.map(copiedShape));
      });

      ctx.test('from a branch with no commit and no rows: head null, nothing copied', ['aggregationMerge'], async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        await expect(
          ctx.ports.branches.createBranch(tenantId, catalogName, { name: 'empty', branchType: 'ingest', fromBranch: 'main' }),
        ).resolves.toEqual({
          branch: { tenantId, catalogName, name: 'empty', headCommitId: null, branchType: 'ingest' },
          copied: 0,
        });
      });

      ctx.test('explicit asset list: copies exactly those rows', ['aggregationMerge'], async () => {
        const { tenantId, catalogName, head } = await catalogWithHistory();
        const created = await ctx.ports.branches.createBranch(tenantId, catalogName, {
          name: 'partial',
          branchType: 'experimental',
          fromBranch: 'main',
          assets: [
            { namespace: ['ops', 'eu'], name: 'logs' },
            { namespace: ['sales'], name: 'orders' },
          ],
        });
        expect(created).toEqual({
          branch: { tenantId, catalogName, name: 'partial', headCommitId: head.id, branchType: 'experimental' },
          copied: 2,
        });
        const main = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
        const partial = await ctx.ports.assets.listAssets(tenantId, catalogName, 'partial');
        expect(partial.map(copiedShape)).toEqual(main.filter((a) => a.name !== 'customers').map(copiedShape));

        await expect(
          ctx.ports.branches.createBranch(tenantId, catalogName, {
            name: 'none',
            branchType: 'experimental',
            fromBranch: 'main',
            assets: [],
          }),
        ).resolves.toMatchObject({ copied: 0, branch: { headCommitId: head.id } });
        await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'none')).resolves.toEqual([]);
      });

      it('a listed asset missing from the source is NotFoundError(asset) naming it; no branch, no rows left', async () => {
        const { tenantId, catalogName } = await catalogWithHistory();
        await expectRejection(
          ctx.ports.branches.createBranch(tenantId, catalogName, {
            name: 'broken',
            branchType: 'experimental',
            fromBranch: 'main',
            assets: [
              { namespace: ['sales'], name: 'orders' },
              { namespace: ['sales'], name: 'ghost' },
              { namespace: ['nope'], name: 'ghost2' },
            ],
          }),
          NotFoundError,
          { resource: 'asset', resourceName: 'sales.ghost' },
        );
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'broken')).resolves.toBeNull();
        await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'broken')).resolves.toEqual([]);
        await expect(ctx.ports.branches.listBranchAssetNames(tenantId, catalogName, 'broken')).resolves.toEqual([]);
      });

      it('a taken name is AlreadyExistsError(branch) and changes nothing', async () => {
        const { tenantId, catalogName, head } = await catalogWithHistory();
        await commit(ctx.ports, tenantId, catalogName, 'dev', { puts: [tablePut(['x'], 'only_dev')] }, {
          createBranchIfMissing: true,
        });
        const before = await ctx.ports.branches.getBranch(tenantId, catalogName, 'dev');
        await expectRejection(
          ctx.ports.branches.createBranch(tenantId, catalogName, { name: 'dev', branchType: 'ingest', fromBranch: 'main' }),
          AlreadyExistsError,
          { resource: 'branch' },
        );
        await expectRejection(
          ctx.ports.branches.createBranch(tenantId, catalogName, { name: 'main', branchType: 'ingest', fromBranch: 'dev' }),
          AlreadyExistsError,
          { resource: 'branch' },
        );
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'dev')).resolves.toEqual(before);
        await expect(ctx.ports.branches.listBranchAssetNames(tenantId, catalogName, 'dev')).resolves.toEqual(['x.only_dev']);
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'main')).resolves.toMatchObject({
          headCommitId: head.id,
        });
      });

      it('a missing source is NotFoundError(branch)', async () => {
        const { tenantId, catalogName } = await catalogWithHistory();
        await expectRejection(
          ctx.ports.branches.createBranch(tenantId, catalogName, { name: 'x', branchType: 'ingest', fromBranch: 'ghost' }),
          NotFoundError,
          { resource: 'branch' },
        );
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'x')).resolves.toBeNull();
      });
    });

    it('getBranch returns null for a missing branch; listBranches orders by name (binary order), paginated', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'ghost')).resolves.toBeNull();
      const names = binaryOrderedNames('br');
      // Branches made by fork-on-write commits, so this test does not depend on the bulk copy.
      for (const name of [...names].reverse()) {
        await commit(ctx.ports, tenantId, catalogName, name, {}, { createBranchIfMissing: true });
      }
      const expected: Branch[] = [];
      for (const name of [...names, 'main']) expected.push((await ctx.ports.branches.getBranch(tenantId, catalogName, name))!);
      expect(expected.map((b) => b.branchType)).toEqual([...names.map(() => 'experimental'), 'ingest']);
      await expectPagination((page) => ctx.ports.branches.listBranches(tenantId, catalogName, page), expected);
    });

    it('listBranchAssetNames gives qualified names ordered like listAssets; [] for a missing branch', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await commit(ctx.ports, tenantId, catalogName, 'main', {
        puts: [tablePut(['b'], 'a'), tablePut(['a', 'b'], 'z'), tablePut(['a'], 'y'), tablePut(['a-b'], 'c')],
      });
      await expect(ctx.ports.branches.listBranchAssetNames(tenantId, catalogName, 'main')).resolves.toEqual([
        'a.y',
        'a.b.z',
        'a-b.c',
        'b.a',
      ]);
      await expect(ctx.ports.branches.listBranchAssetNames(tenantId, catalogName, 'ghost')).resolves.toEqual([]);
    });

    it('deleteBranch removes the branch and its rows only; commits stay', async () => {
      const { tenantId, catalogName, head } = await catalogWithHistory();
      // dev holds a row with the same key as one on main, and one of its own.
      const devCommit = await commit(
        ctx.ports,
        tenantId,
        catalogName,
        'dev',
        { puts: [tablePut(['sales'], 'orders', 's3://dev/v1.json'), tablePut(['dev'], 'scratch')] },
        { createBranchIfMissing: true },
      );
      const mainBefore = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');

      await ctx.ports.branches.deleteBranch(tenantId, catalogName, 'dev');
      await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'dev')).resolves.toBeNull();
      await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'dev')).resolves.toEqual([]);
      await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'main')).resolves.toEqual(mainBefore);
      await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'main')).resolves.toMatchObject({ headCommitId: head.id });
      await expect(ctx.ports.commits.getCommit(tenantId, devCommit.id)).resolves.toEqual(devCommit);

      await expectRejection(ctx.ports.branches.deleteBranch(tenantId, catalogName, 'dev'), NotFoundError, {
        resource: 'branch',
      });
    });

    it('another tenant sees no branch and cannot create from, list or delete one', async () => {
      const { tenantId, catalogName, head } = await catalogWithHistory();
      const stranger = (await newCatalog(ctx.ports)).tenantId;
      await expect(ctx.ports.branches.getBranch(stranger, catalogName, 'main')).resolves.toBeNull();
      await expect(ctx.ports.branches.listBranches(stranger, catalogName)).resolves.toEqual([]);
      await expect(ctx.ports.branches.listBranchAssetNames(stranger, catalogName, 'main')).resolves.toEqual([]);
      await expectRejection(
        ctx.ports.branches.createBranch(stranger, catalogName, { name: 'x', branchType: 'ingest', fromBranch: 'main' }),
        NotFoundError,
        { resource: 'branch' },
      );
      await expectRejection(ctx.ports.branches.deleteBranch(stranger, catalogName, 'main'), NotFoundError, {
        resource: 'branch',
      });
      await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'main')).resolves.toMatchObject({ headCommitId: head.id });
    });
  });
}
