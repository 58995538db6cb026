import { AlreadyExistsError, NotFoundError } from '../../common/errors';
import type { Pagination, Tag } from '../models';
import { TagsPort } from '../ports';
import { catalogScope, compareNames, copy, listOf, type MemoryState } from './memory-state';

export class MemoryTags extends TagsPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  createTag(tag: Tag): Promise<Tag> {
    return this.state.exclusive(() => {
      const scope = catalogScope(tag.tenantId, tag.catalogName);
      if (this.state.tags.has(scope, tag.name)) throw new AlreadyExistsError('tag', tag.name);
      this.state.tags.set(scope, tag.name, copy(tag));
      return copy(tag);
    });
  }

  async getTag(tenantId: string, catalogName: string, name: string): Promise<Tag | null> {
    const tag = this.state.tags.get(catalogScope(tenantId, catalogName), name);
    return tag ? copy(tag) : null;
  }

  async listTags(tenantId: string, catalogName: string, page?: Pagination): Promise<Tag[]> {
    return listOf(this.state.tags.rows(catalogScope(tenantId, catalogName)), (a, b) => compareNames(a.name, b.name), page);
  }

  deleteTag(tenantId: string, catalogName: string, name: string): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.tags.delete(catalogScope(tenantId, catalogName), name)) throw new NotFoundError('tag', name);
    });
  }
}
