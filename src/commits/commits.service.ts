import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import type { Commit } from '../persistence/models';
import { BranchesPort, CommitsPort } from '../persistence/ports';

/** Default page of `GET /api/v1/branches/:name/commits` (contract management §0.4). */
export const DEFAULT_HISTORY_LIMIT = 100;

/** Commit history of a branch, read with ONE ancestry query (DESIGN §1, §3.1). */
@Injectable()
export class CommitsService {
  constructor(
    private readonly branches: BranchesPort,
    private readonly commits: CommitsPort,
  ) {}

  /**
   * The branch's history, newest first (the head, its parent, ...): `limit` commits (default 100) after
   * skipping `offset`. A branch with no commit yet has an empty history.
   */
  async history(
    principal: Principal,
    catalog: string,
    branchName: string,
    page: { limit?: number; offset?: number },
  ): Promise<Commit[]> {
    const branch = await this.branches.getBranch(principal.tenantId, catalog, branchName);
    if (!branch) throw new NotFoundError('branch', branchName);
    const limit = page.limit ?? DEFAULT_HISTORY_LIMIT;
    const offset = page.offset ?? 0;
    if (limit === 0 || branch.headCommitId === null) return [];
    const ancestry = await this.commits.getCommitAncestry(principal.tenantId, branch.headCommitId, offset + limit);
    return ancestry.slice(offset);
  }
}
