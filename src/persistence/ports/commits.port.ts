import type { Commit } from '../models';

/** Commits are immutable and tenant-scoped (not catalog- or branch-scoped). */
export abstract class CommitsPort {
  /** Returns the commit, or null. */
  abstract getCommit(tenantId: string, id: string): Promise<Commit | null>;

  /**
   * The ancestry of `headCommitId`, head first, following `parentId`, at most `limit` commits, read with ONE
   * query (recursive CTE on SQL, $graphLookup on MongoDB). A null or unknown head gives []. A missing
   * parent ends the chain. A limit of 0 gives []. Only the tenant's own commits are followed.
   */
  abstract getCommitAncestry(tenantId: string, headCommitId: string | null, limit: number): Promise<Commit[]>;

  /**
   * Inserts already-built commits without moving any branch head (for importing history; every branch change
   * goes through UnitOfWorkPort.commitChanges instead). Atomic; throws AlreadyExistsError('commit') on a
   * duplicate id (already stored, or twice in the batch), and then imports none of the batch. Parents need not
   * exist, and a batch may list a child before its parent.
   */
  abstract importCommits(tenantId: string, commits: Commit[]): Promise<void>;
}
