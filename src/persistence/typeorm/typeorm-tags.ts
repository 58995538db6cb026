import { NotFoundError } from '../../common/errors';
import type { Pagination, Tag } from '../models';
import { TagsPort } from '../ports';
import { TagEntity } from './entities';
import { findPage, toTag } from './mappers';
import type { SqlDatabase } from './sql-database';

export class TypeormTags extends TagsPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createTag(tag: Tag): Promise<Tag> {
    return this.db.write(
      async (s) => {
        await s.repo(TagEntity).insert({ ...tag });
        return { ...tag };
      },
      { tag: tag.name },
    );
  }

  async getTag(tenantId: string, catalogName: string, name: string): Promise<Tag | null> {
    const row = await this.db.read((s) => s.repo(TagEntity).findOneBy({ tenantId, catalogName, name }));
    return row ? toTag(row) : null;
  }

  async listTags(tenantId: string, catalogName: string, page?: Pagination): Promise<Tag[]> {
    const options = findPage(page);
    if (!options) return [];
    const rows = await this.db.read((s) =>
      s.repo(TagEntity).find({ where: { tenantId, catalogName }, order: { name: 'ASC' }, ...options }),
    );
    return rows.map(toTag);
  }

  async deleteTag(tenantId: string, catalogName: string, name: string): Promise<void> {
    await this.db.write(async (s) => {
      const result = await s.repo(TagEntity).delete({ tenantId, catalogName, name });
      if (!result.affected) throw new NotFoundError('tag', name);
    });
  }
}
