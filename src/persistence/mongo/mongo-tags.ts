import { AlreadyExistsError, NotFoundError } from '../../common/errors';
import type { Pagination, Tag } from '../models';
import { TagsPort } from '../ports';
import { pageBounds, pageStages, tagFromDoc } from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import type { TagDoc } from './mongo-schemas';

export class MongoTags extends TagsPort {
  constructor(private readonly ctx: MongoContext) {
    super();
  }

  async createTag(tag: Tag): Promise<Tag> {
    const { tags } = this.ctx.models;
    const doc: TagDoc = { tenantId: tag.tenantId, catalogName: tag.catalogName, name: tag.name, commitId: tag.commitId };
    return this.ctx.transactions.run(
      async (session) => {
        if (await tags.exists({ tenantId: tag.tenantId, catalogName: tag.catalogName, name: tag.name }).session(session)) {
          throw new AlreadyExistsError('tag', tag.name);
        }
        await tags.insertMany([doc], { session });
        return tagFromDoc(doc);
      },
      { onDuplicateKey: () => new AlreadyExistsError('tag', tag.name) },
    );
  }

  getTag(tenantId: string, catalogName: string, name: string): Promise<Tag | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.tags.findOne({ tenantId, catalogName, name }).lean<TagDoc>();
      return doc ? tagFromDoc(doc) : null;
    });
  }

  listTags(tenantId: string, catalogName: string, page?: Pagination): Promise<Tag[]> {
    if (pageBounds(page).empty) return Promise.resolve([]);
    return guarded(async () => {
      const docs = await this.ctx.models.tags.aggregate<TagDoc>([
        { $match: { tenantId, catalogName } },
        { $sort: { name: 1 } },
        ...pageStages(page),
      ]);
      return docs.map(tagFromDoc);
    });
  }

  deleteTag(tenantId: string, catalogName: string, name: string): Promise<void> {
    return guarded(async () => {
      const { deletedCount } = await this.ctx.models.tags.deleteOne({ tenantId, catalogName, name });
      if (deletedCount === 0) throw new NotFoundError('tag', name);
    });
  }
}
