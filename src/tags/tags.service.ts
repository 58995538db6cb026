import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { requireCatalogExists, validateName } from '../common/http/management-names';
import { isInHistory } from '../merges/commit-graph';
import type { Pagination, Tag } from '../persistence/models';
import { BranchesPort, CatalogsPort, CommitsPort, TagsPort } from '../persistence/ports';

export const DEFAULT_TAG_CATALOG = 'default';

/**
 * Tags: immutable named pointers to commits of a catalog (contract management §1.3.8, §1.4.9). Commits are
 * stored per tenant, not per catalog, so "a commit of this catalog" means one in the history of one of the
 * catalog's branches; a tag cannot point at another catalog's (or a made-up) commit.
 */
@Injectable()
export class TagsService {
  constructor(
    private readonly catalogs: CatalogsPort,
    private readonly branches: BranchesPort,
    private readonly commits: CommitsPort,
    private readonly tags: TagsPort,
  ) {}

  async create(principal: Principal, input: { name: string; commitId: string; catalog?: string | null }): Promise<Tag> {
    validateName('tag', input.name);
    const tenantId = principal.tenantId;
    const catalog = input.catalog ?? DEFAULT_TAG_CATALOG;
    const commitId = input.commitId.toLowerCase();
    await requireCatalogExists(this.catalogs, tenantId, catalog);
    if (!(await this.commits.getCommit(tenantId, commitId))) throw new NotFoundError('commit', commitId);
    if (!(await this.isCommitOfCatalog(tenantId, catalog, commitId))) {
      throw new NotFoundError('commit', commitId, `Commit '${commitId}' not found in catalog '${catalog}'`);
    }
    return this.tags.createTag({ tenantId, catalogName: catalog, name: input.name, commitId });
  }

  /** Tags of the catalog by name. An unknown catalog has none, as for branches. */
  async list(principal: Principal, catalog: string, page: Pagination): Promise<Tag[]> {
    return this.tags.listTags(principal.tenantId, catalog, page);
  }

  /** Deleting a tag that does not exist succeeds, as in v0.4.0 (contract §1.3.8); an unknown catalog is 404. */
  async delete(principal: Principal, catalog: string, name: string): Promise<void> {
    await requireCatalogExists(this.catalogs, principal.tenantId, catalog);
    try {
      await this.tags.deleteTag(principal.tenantId, catalog, name);
    } catch (err) {
      if (err instanceof NotFoundError && err.resource === 'tag') return;
      throw err;
    }
  }

  private async isCommitOfCatalog(tenantId: string, catalog: string, commitId: string): Promise<boolean> {
    const branches = await this.branches.listBranches(tenantId, catalog);
    const load = (head: string, limit: number) => this.commits.getCommitAncestry(tenantId, head, limit);
    return isInHistory(load, branches.map((b) => b.headCommitId), commitId);
  }
}
