import type { Pagination, Tag } from '../models';

export abstract class TagsPort {
  /** Inserts a tag. Throws AlreadyExistsError('tag') when the name is taken in the catalog. */
  abstract createTag(tag: Tag): Promise<Tag>;

  /** Returns the tag, or null. */
  abstract getTag(tenantId: string, catalogName: string, name: string): Promise<Tag | null>;

  /** Tags of the catalog ordered by name, then paginated. */
  abstract listTags(tenantId: string, catalogName: string, page?: Pagination): Promise<Tag[]>;

  /** Deletes the tag. Throws NotFoundError('tag'). */
  abstract deleteTag(tenantId: string, catalogName: string, name: string): Promise<void>;
}
