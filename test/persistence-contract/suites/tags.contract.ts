import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, NotFoundError } from '../../../src/common/errors';
import type { Tag } from '../../../src/persistence/models';
import {
  binaryOrderedNames,
  expectPagination,
  expectRejection,
  newCatalog,
  type ContractContext,
} from '../contract-support';

export function describeTagsContract(ctx: ContractContext): void {
  describe('tags', () => {
    it('creates and gets a tag (the commit need not exist); a missing tag gives null', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const tag: Tag = { tenantId, catalogName, name: 'v1.0', commitId: randomUUID() };
      await expect(ctx.ports.tags.createTag(tag)).resolves.toEqual(tag);
      await expect(ctx.ports.tags.getTag(tenantId, catalogName, 'v1.0')).resolves.toEqual(tag);
      await expect(ctx.ports.tags.getTag(tenantId, catalogName, 'v2.0')).resolves.toBeNull();
    });

    it('a taken name in the catalog is AlreadyExistsError(tag) and keeps the first tag', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const tag: Tag = { tenantId, catalogName, name: 'release', commitId: randomUUID() };
      await ctx.ports.tags.createTag(tag);
      await expectRejection(ctx.ports.tags.createTag({ ...tag, commitId: randomUUID() }), AlreadyExistsError, {
        resource: 'tag',
      });
      await expect(ctx.ports.tags.getTag(tenantId, catalogName, 'release')).resolves.toEqual(tag);
    });

    ctx.test('two concurrent creates of one name: exactly one wins', ['enforcedUniqueIndexes'], async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const results = await Promise.allSettled([
        ctx.ports.tags.createTag({ tenantId, catalogName, name: 'race', commitId: randomUUID() }),
        ctx.ports.tags.createTag({ tenantId, catalogName, name: 'race', commitId: randomUUID() }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
        AlreadyExistsError,
      );
    });

    it('lists the tags of the catalog ordered by name (binary order), paginated', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const names = binaryOrderedNames('tag');
      const created: Tag[] = [];
      for (const name of [...names].reverse()) {
        created.push(await ctx.ports.tags.createTag({ tenantId, catalogName, name, commitId: randomUUID() }));
      }
      const expected = names.map((name) => created.find((t) => t.name === name)!);
      await expectPagination((page) => ctx.ports.tags.listTags(tenantId, catalogName, page), expected);
    });

    it('delete removes the tag; a missing tag is NotFoundError(tag)', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await ctx.ports.tags.createTag({ tenantId, catalogName, name: 'gone', commitId: randomUUID() });
      await ctx.ports.tags.deleteTag(tenantId, catalogName, 'gone');
      await expect(ctx.ports.tags.getTag(tenantId, catalogName, 'gone')).resolves.toBeNull();
      await expectRejection(ctx.ports.tags.deleteTag(tenantId, catalogName, 'gone'), NotFoundError, { resource: 'tag' });
    });

    it('another tenant sees no tag and cannot delete one', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const stranger = (await newCatalog(ctx.ports)).tenantId;
      const tag = await ctx.ports.tags.createTag({ tenantId, catalogName, name: 'mine', commitId: randomUUID() });
      await expect(ctx.ports.tags.listTags(stranger, catalogName)).resolves.toEqual([]);
      await expect(ctx.ports.tags.getTag(stranger, catalogName, 'mine')).resolves.toBeNull();
      await expectRejection(ctx.ports.tags.deleteTag(stranger, catalogName, 'mine'), NotFoundError, { resource: 'tag' });
      await expect(ctx.ports.tags.getTag(tenantId, catalogName, 'mine')).resolves.toEqual(tag);
    });
  });
}
