import type { AssetKind, Commit, NamespacePath, StringMap } from '../models';

/** An asset row to write (insert or overwrite) on the branch. */
export interface AssetPut {
  /** Kept when the row exists and this is undefined; a new random UUID when the row is new. */
  id?: string;
  namespace: NamespacePath;
  name: string;
  kind: AssetKind;
  location: string;
  properties: StringMap;
}

export interface AssetKey {
  namespace: NamespacePath;
  name: string;
}

/**
 * A condition checked inside the transaction before anything is written.
 * - `absent`: no row with this key exists on the branch;
 * - `present`: the row exists; with `metadataLocation` (string or null), its `properties.metadata_location`
 *   must equal it (null = the property is unset). This is the compare-and-swap of table commits.
 */
export type AssetExpectation =
  | (AssetKey & { state: 'absent' })
  | (AssetKey & { state: 'present'; metadataLocation?: string | null });

export interface BranchChanges {
  puts: AssetPut[];
  /** Rows to remove. A key that does not exist is ignored unless an expectation requires it. */
  deletes: AssetKey[];
  expectations: AssetExpectation[];
  /** When defined, the branch head must still be this commit id (null = no commit yet). */
  expectedHeadCommitId?: string | null;
}

export interface CommitInfo {
  author: string;
  message: string;
  /** Milliseconds since the epoch; defaults to now. */
  timestamp?: number;
}

export interface CommitChangesOptions {
  /**
   * Create the branch (experimental, head null, empty) when it does not exist: fork-on-write for table
   * create and register. Otherwise a missing branch throws NotFoundError('branch').
   */
  createBranchIfMissing?: boolean;
}

/** The one write path for a branch's content. */
export abstract class UnitOfWorkPort {
  /**
   * In ONE transaction: checks every expectation (and the expected head, when given); writes the puts and
   * deletes; appends a Commit whose parent is the branch's current head and whose operations are one `Put`
   * per written row (the row as written) and one `Delete` per removed row; moves the branch head to it.
   *
   * Throws ExpectationFailedError (a ConflictError) when any expectation fails, NotFoundError('branch') when
   * the branch is missing (unless createBranchIfMissing), NotFoundError('catalog') when the catalog is
   * missing. On any error nothing is written. Concurrent calls on the same branch are serialised (row lock
   * on SQL, a transaction on MongoDB, a mutex in memory), so exactly one of several calls with the same
   * expectation succeeds. Returns the new commit.
   *
   * Details every backend shares (the rules live in unit-of-work-rules.ts): a key named twice in `puts`, or
   * twice in `deletes`, is ValidationError before anything else is checked. Then the catalog (a missing
   * catalog is NotFoundError('catalog') even with createBranchIfMissing), the branch, the expected head and
   * the expectations, all against the branch before the change. Deletes apply before puts, so a key in both
   * lists is replaced (a rename chain or a swap works in one call). A put with an `id` stores that id, also
   * over an existing row; without one it keeps the row's id, unless the row is new or deleted by the same
   * call (then a new UUID); two written rows sharing an id is ValidationError. The commit's operations are
   * the net effect: the `Put`s in the order of `puts`, then the `Delete`s in the order of `deletes`, leaving
   * out a delete of a key that does not exist or that is put again. ExpectationFailedError's `assetName` is
   * the qualified name (`ns1.ns2.asset`), or the branch name for `head-moved`. `timestamp` is stored as given
   * (milliseconds, an integer).
   */
  abstract commitChanges(
    tenantId: string,
    catalogName: string,
    branch: string,
    changes: BranchChanges,
    info: CommitInfo,
    options?: CommitChangesOptions,
  ): Promise<Commit>;
}
