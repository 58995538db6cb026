import { AlreadyExistsError } from '../../common/errors';
import type { Commit } from '../models';
import { CommitsPort } from '../ports';
import { copy, type MemoryState } from './memory-state';

export class MemoryCommits extends CommitsPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  async getCommit(tenantId: string, id: string): Promise<Commit | null> {
    const commit = this.state.commits.get(tenantId, id);
    return commit ? copy(commit) : null;
  }

  async getCommitAncestry(tenantId: string, headCommitId: string | null, limit: number): Promise<Commit[]> {
    const ancestry: Commit[] = [];
    const seen = new Set<string>(); // a cycle (only possible through importCommits) must not loop forever
    let id = headCommitId;
    while (id !== null && ancestry.length < limit && !seen.has(id)) {
      const commit = this.state.commits.get(tenantId, id);
      if (!commit) break;
      seen.add(id);
      ancestry.push(copy(commit));
      id = commit.parentId;
    }
    return ancestry;
  }

  importCommits(tenantId: string, commits: Commit[]): Promise<void> {
    return this.state.exclusive(() => {
      const ids = new Set<string>();
      for (const commit of commits) {
        if (ids.has(commit.id) || this.state.commits.has(tenantId, commit.id)) {
          throw new AlreadyExistsError('commit', commit.id);
        }
        ids.add(commit.id);
      }
      for (const commit of commits) this.state.commits.set(tenantId, commit.id, { ...copy(commit), tenantId });
    });
  }
}
