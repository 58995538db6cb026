import { randomUUID } from 'node:crypto';
import { AlreadyExistsError } from '../../../src/common/errors';
import type { Commit } from '../../../src/persistence/models';
import {
  buildCommitChain,
  commit,
  expectRejection,
  newCatalog,
  newTenant,
  tablePut,
  type CapabilityName,
  type ContractContext,
} from '../contract-support';

export function describeCommitsContract(ctx: ContractContext): void {
  describe('commits', () => {
    it('importCommits stores commits exactly as given; getCommit returns them, or null', async () => {
      const tenantId = await newTenant(ctx.ports);
      const [root, child] = buildCommitChain(tenantId, 2);
      child.operations = [
        {
          Put: {
            asset: {
              id: randomUUID(),
              name: 'orders',
              namespace: ['sales', 'eu'],
              kind: 'ICEBERG_TABLE',
              location: 's3://b/sales/eu/orders',
              properties: { metadata_location: 's3://b/m.json', 'write.format': 'parquet' },
            },
          },
        },
        { Delete: { name: 'sales.eu.old' } },
      ];
      await ctx.ports.commits.importCommits(tenantId, [root, child]);
      await expect(ctx.ports.commits.getCommit(tenantId, root.id)).resolves.toEqual(root);
      await expect(ctx.ports.commits.getCommit(tenantId, child.id)).resolves.toEqual(child);
      await expect(ctx.ports.commits.getCommit(tenantId, randomUUID())).resolves.toBeNull();
      await expect(ctx.ports.commits.importCommits(tenantId, [])).resolves.toBeUndefined();
    });

    it('importCommits with a duplicate id is AlreadyExistsError(commit) and imports nothing of the batch', async () => {
      const tenantId = await newTenant(ctx.ports);
      const [existing, fresh, alsoFresh] = buildCommitChain(tenantId, 3);
      await ctx.ports.commits.importCommits(tenantId, [existing]);

      await expectRejection(ctx.ports.commits.importCommits(tenantId, [fresh, existing]), AlreadyExistsError, {
        resource: 'commit',
      });
      await expect(ctx.ports.commits.getCommit(tenantId, fresh.id)).resolves.toBeNull();

      await expectRejection(ctx.ports.commits.importCommits(tenantId, [alsoFresh, alsoFresh]), AlreadyExistsError, {
        resource: 'commit',
      });
      await expect(ctx.ports.commits.getCommit(tenantId, alsoFresh.id)).resolves.toBeNull();
      await expect(ctx.ports.commits.getCommit(tenantId, existing.id)).resolves.toEqual(existing);
    });

    describe('getCommitAncestry', () => {
      for (const depth of [1, 100, 5000]) {
        const needs: CapabilityName[] = depth > 1000 ? ['deepAncestry'] : [];
        ctx.test(`walks ${depth} imported commit(s) head first, following parents, within the limit`, needs, async () => {
          const tenantId = await newTenant(ctx.ports);
          const chain = buildCommitChain(tenantId, depth);
          await ctx.ports.commits.importCommits(tenantId, chain);
          const headFirst = [...chain].reverse();
          const head = headFirst[0].id;

          await expect(ctx.ports.commits.getCommitAncestry(tenantId, head, depth)).resolves.toEqual(headFirst);
          await expect(ctx.ports.commits.getCommitAncestry(tenantId, head, depth + 10)).resolves.toEqual(headFirst);
          await expect(ctx.ports.commits.getCommitAncestry(tenantId, head, 1)).resolves.toEqual(headFirst.slice(0, 1));
          await expect(ctx.ports.commits.getCommitAncestry(tenantId, head, 0)).resolves.toEqual([]);
          if (depth > 1) {
            const limit = Math.ceil(depth / 2);
            await expect(ctx.ports.commits.getCommitAncestry(tenantId, head, limit)).resolves.toEqual(
              headFirst.slice(0, limit),
            );
            // Starting in the middle of the chain gives that commit and its ancestors only.
            const middle = Math.floor(depth / 3);
            await expect(ctx.ports.commits.getCommitAncestry(tenantId, headFirst[middle].id, depth)).resolves.toEqual(
              headFirst.slice(middle),
            );
          }
        });
      }

      it('a null or unknown head gives []', async () => {
        const tenantId = await newTenant(ctx.ports);
        await ctx.ports.commits.importCommits(tenantId, buildCommitChain(tenantId, 3));
        await expect(ctx.ports.commits.getCommitAncestry(tenantId, null, 10)).resolves.toEqual([]);
        await expect(ctx.ports.commits.getCommitAncestry(tenantId, randomUUID(), 10)).resolves.toEqual([]);
      });

      it('a missing parent ends the chain', async () => {
        const tenantId = await newTenant(ctx.ports);
        const chain = buildCommitChain(tenantId, 4, randomUUID());
        await ctx.ports.commits.importCommits(tenantId, chain);
        await expect(ctx.ports.commits.getCommitAncestry(tenantId, chain[3].id, 100)).resolves.toEqual([...chain].reverse());
      });

      it('follows parents regardless of timestamps (order is by parent link, not by time)', async () => {
        const tenantId = await newTenant(ctx.ports);
        const chain = buildCommitChain(tenantId, 5);
        chain.forEach((c, i) => (c.timestamp = 1_800_000_000_000 - i * 1000 - (i % 2) * 5_000_000));
        await ctx.ports.commits.importCommits(tenantId, [...chain].reverse());
        await expect(ctx.ports.commits.getCommitAncestry(tenantId, chain[4].id, 10)).resolves.toEqual([...chain].reverse());
      });

      it('reads the chains commitChanges builds', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        const made: Commit[] = [];
        for (let i = 0; i < 5; i++) {
          made.push(await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], `t${i}`)] }));
        }
        const ancestry = await ctx.ports.commits.getCommitAncestry(tenantId, made[4].id, 100);
        expect(ancestry).toEqual([...made].reverse());
        expect(ancestry.map((c) => c.parentId)).toEqual([made[3].id, made[2].id, made[1].id, made[0].id, null]);
      });

      it('never crosses tenants: another tenant sees no commit, and a chain stops at a foreign parent', async () => {
        const owner = await newTenant(ctx.ports);
        const stranger = await newTenant(ctx.ports);
        const ownerChain = buildCommitChain(owner, 3);
        await ctx.ports.commits.importCommits(owner, ownerChain);
        const head = ownerChain[2].id;
        await expect(ctx.ports.commits.getCommit(stranger, head)).resolves.toBeNull();
        await expect(ctx.ports.commits.getCommitAncestry(stranger, head, 10)).resolves.toEqual([]);

        const [strangerCommit] = buildCommitChain(stranger, 1, head);
        await ctx.ports.commits.importCommits(stranger, [strangerCommit]);
        await expect(ctx.ports.commits.getCommitAncestry(stranger, strangerCommit.id, 10)).resolves.toEqual([
          strangerCommit,
        ]);
      });
    });
  });
}
