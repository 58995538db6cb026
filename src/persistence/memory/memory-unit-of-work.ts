import { checkChanges, planCommit } from '../unit-of-work-rules';
import { NotFoundError } from '../../common/errors';
import type { Asset, Branch, Commit } from '../models';
import {
  UnitOfWorkPort,
  type BranchChanges,
  type CommitChangesOptions,
  type CommitInfo,
} from '../ports';
import { assetKey, branchScope, catalogScope, copy, type MemoryState } from './memory-state';

export class MemoryUnitOfWork extends UnitOfWorkPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  commitChanges(
    tenantId: string,
    catalogName: string,
    branchName: string,
    changes: BranchChanges,
    info: CommitInfo,
    options: CommitChangesOptions = {},
  ): Promise<Commit> {
    return this.state.exclusive(() => {
      // 1. Validate and plan; nothing has been written yet, so throwing leaves the state untouched.
      const checked = checkChanges(changes);
      if (!this.state.catalogs.has(tenantId, catalogName)) throw new NotFoundError('catalog', catalogName);
      const scope = catalogScope(tenantId, catalogName);
      const existing = this.state.branches.get(scope, branchName);
      if (!existing && !options.createBranchIfMissing) throw new NotFoundError('branch', branchName);
      const rowsScope = branchScope(tenantId, catalogName, branchName);
      const { removed, written, commit } = planCommit(
        tenantId,
        {
          name: branchName,
          head: existing?.headCommitId ?? null,
          row: (key) => this.state.assets.get(rowsScope, assetKey(key.namespace, key.name)),
        },
        checked,
        info,
      );

      // 2. Execute: removals, then rows, then the commit, then the head.
      for (const { namespace, name } of removed) this.state.assets.delete(rowsScope, assetKey(namespace, name));
      for (const { id, namespace, name, kind, location, properties } of written) {
        const row: Asset = copy({ id, tenantId, catalogName, branch: branchName, namespace, name, kind, location, properties });
        this.state.assets.set(rowsScope, assetKey(namespace, name), row);
      }
      const branch: Branch = existing ?? {
        tenantId,
        catalogName,
        name: branchName,
        headCommitId: null,
        branchType: 'experimental',
      };
      this.state.commits.set(tenantId, commit.id, commit);
      this.state.branches.set(scope, branchName, { ...branch, headCommitId: commit.id });
      return copy(commit);
    });
  }
}
