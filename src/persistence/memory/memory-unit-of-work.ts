import { randomUUID } from 'node:crypto';
import { checkAssetExpectation, newCommit } from '../unit-of-work-rules';
import { ExpectationFailedError, NotFoundError } from '../../common/errors';
import {
  qualifiedAssetName,
  type Asset,
  type Branch,
  type Commit,
  type CommitOperation,
} from '../models';
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
      // 1. Validate everything; nothing has been written yet, so throwing leaves the state untouched.
      if (!this.state.catalogs.has(tenantId, catalogName)) throw new NotFoundError('catalog', catalogName);
      const scope = catalogScope(tenantId, catalogName);
      const existing = this.state.branches.get(scope, branchName);
      if (!existing && !options.createBranchIfMissing) throw new NotFoundError('branch', branchName);
      const rowsScope = branchScope(tenantId, catalogName, branchName);
      const head = existing?.headCommitId ?? null;
      if (changes.expectedHeadCommitId !== undefined && changes.expectedHeadCommitId !== head) {
        throw new ExpectationFailedError(branchName, 'head-moved');
      }
      for (const expectation of changes.expectations) {
        checkAssetExpectation(expectation, this.state.assets.get(rowsScope, assetKey(expectation.namespace, expectation.name)));
      }

      // 2. Apply: rows, then the commit, then the head.
      const branch: Branch = existing ?? {
        tenantId,
        catalogName,
        name: branchName,
        headCommitId: null,
        branchType: 'experimental',
      };
      const operations: CommitOperation[] = [];
      for (const put of changes.puts) {
        const rowKey = assetKey(put.namespace, put.name);
        const row: Asset = copy({
          id: put.id ?? this.state.assets.get(rowsScope, rowKey)?.id ?? randomUUID(),
          tenantId,
          catalogName,
          branch: branchName,
          namespace: put.namespace,
          name: put.name,
          kind: put.kind,
          location: put.location,
          properties: put.properties,
        });
        this.state.assets.set(rowsScope, rowKey, row);
        const { id, name, namespace, kind, location, properties } = row;
        operations.push({ Put: { asset: copy({ id, name, namespace, kind, location, properties }) } });
      }
      for (const { namespace, name } of changes.deletes) {
        if (this.state.assets.delete(rowsScope, assetKey(namespace, name))) {
          operations.push({ Delete: { name: qualifiedAssetName(namespace, name) } });
        }
      }
      const commit = newCommit(tenantId, head, info, operations);
      this.state.commits.set(tenantId, commit.id, commit);
      this.state.branches.set(scope, branchName, { ...branch, headCommitId: commit.id });
      return copy(commit);
    });
  }
}

