import {
  checkChanges,
  planCommit,
  type CheckedChanges,
  type CommitPlan,
  type CurrentRow,
  type WrittenRow,
} from '../unit-of-work-rules';
import {
  BackendUnavailableError,
  CommitStateUnknownError,
  ExpectationFailedError,
  NotFoundError,
  ValidationError,
} from '../../common/errors';
import { Commit, NamespacePath, qualifiedAssetName, StringMap } from '../models';
import { AssetKey, BranchChanges, CommitChangesOptions, CommitInfo, UnitOfWorkPort } from '../ports';
import { BranchCommitBatcher, settled } from './branch-commit-batcher';
import { isConnectionLoss } from './driver-errors';
import { commitEntity } from './mappers';
import { namespaceColumns, namespaceKey } from './namespace-keys';
import { ASSET_COLUMNS, ASSET_UPSERT } from './typeorm-assets';
import type { SqlDatabase, SqlSession } from './sql-database';

/** One commitChanges call, as it waits for its batch. */
interface CommitCall {
  tenantId: string;
  catalogName: string;
  branch: string;
  changes: CheckedChanges;
  info: CommitInfo;
  options: CommitChangesOptions;
}

/** Calls of one branch that share a transaction at most; the rest wait for the next one. */
const MAX_BATCH_SIZE = 64;

/**
 * The one write path for a branch's content. One transaction: lock the branch row (PostgreSQL
 * `SELECT ... FOR UPDATE`; SQLite is serialised by the adapter's mutex and BEGIN IMMEDIATE), check the
 * expectations against the rows as they are now, delete, upsert, insert the commit, move the head.
 * Statements per call: a fixed handful (lock, read, delete, upsert, commit, head), whatever the number of
 * assets: lists travel as one JSON parameter.
 *
 * Group commit: concurrent calls on one branch may share one transaction (see BranchCommitBatcher), so the
 * branch lock is taken once for many of them. A call on an idle branch runs alone at once. The calls of a
 * batch are evaluated in arrival order against an in-memory view of the branch (the rows read under the lock,
 * updated by each accepted call), so each caller's result is what sequential execution in arrival order would
 * give; a call whose expectation fails gets its ExpectationFailedError and contributes nothing. The batch then
 * writes the net effect with the same fixed handful of statements (one DELETE, one upsert, one INSERT of the
 * chained commits, one head update), whatever the number of calls. A batch that fails as a whole (e.g. one
 * call's put violates a unique key) is re-run call by call, so only the culprit fails; an unknown COMMIT
 * outcome, a lost backend and a missing catalog or branch go to every caller of the batch.
 */
export class TypeormUnitOfWork extends UnitOfWorkPort {
  private readonly batcher = new BranchCommitBatcher<CommitCall, Commit>(
    (calls) => this.commitBatch(calls),
    MAX_BATCH_SIZE,
  );

  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async commitChanges(
    tenantId: string,
    catalogName: string,
    branch: string,
    changes: BranchChanges,
    info: CommitInfo,
    options: CommitChangesOptions = {},
  ): Promise<Commit> {
    // An invalid change set fails before it joins a batch or takes the branch lock.
    const call: CommitCall = { tenantId, catalogName, branch, changes: checkChanges(changes), info, options };
    return this.batcher.submit(JSON.stringify([tenantId, catalogName, branch]), call);
  }

  /** Settles the calls of one batch (all on one branch, in arrival order). */
  private async commitBatch(calls: CommitCall[]): Promise<PromiseSettledResult<Commit>[]> {
    if (calls.length === 1) return [await settled(this.commitAlone(calls[0]))];
    try {
      return await this.commitTogether(calls);
    } catch (error) {
      if (!shouldRetryAlone(error, calls)) return calls.map(() => ({ status: 'rejected', reason: error }));
      // Nothing of the batch was written: each call on its own, in arrival order, so only a culprit fails.
      const outcomes: PromiseSettledResult<Commit>[] = [];
      for (const call of calls) outcomes.push(await settled(this.commitAlone(call)));
      return outcomes;
    }
  }

  /** One call in its own transaction. */
  private commitAlone({ tenantId, catalogName, branch, changes, info, options }: CommitCall): Promise<Commit> {
    return this.db.write(
      async (s) => {
        const { head, current } = await lockBranchAndRead(
          s,
          tenantId,
          catalogName,
          branch,
          changes.keys,
          options.createBranchIfMissing ?? false,
        );
        const { removed, written, commit } = planCommit(
          tenantId,
          { name: branch, head, row: (key) => current.get(keyOf(key)) },
          changes,
          info,
        );

        if (removed.length > 0) {
          await deleteRows(s, tenantId, catalogName, branch, removed.map((row) => row.id));
        }
        await writeRowsCommitsAndHead(s, tenantId, catalogName, branch, written, [commit]);
        return commit;
      },
      { branch, asset: changes.puts[0] ? qualifiedAssetName(changes.puts[0].namespace, changes.puts[0].name) : '' },
      { openWithFirstStatements: true },
    );
  }

  /**
   * Several calls in ONE transaction: lock the branch once, read the rows of every key of every call with one
   * statement, plan each call in arrival order against the view of the branch the earlier accepted calls
   * left, then write the net effect and one commit per accepted call, chained in that order.
   */
  private async commitTogether(calls: CommitCall[]): Promise<PromiseSettledResult<Commit>[]> {
    const { tenantId, catalogName, branch } = calls[0];
    try {
      return await this.db.write(
        async (s) => {
          const keys = calls.flatMap((call) => call.changes.keys);
          const { head: lockedHead, current: start } = await lockBranchAndRead(s, tenantId, catalogName, branch, keys, false);
          const view = new BranchView(lockedHead, start);
          const outcomes = calls.map((call): PromiseSettledResult<Commit> => {
            try {
              const plan = planCommit(
                tenantId,
                { name: branch, head: view.head, row: (key) => view.row(key) },
                call.changes,
                call.info,
              );
              return { status: 'fulfilled', value: view.accept(plan) };
            } catch (error) {
              // The call's own failure against the view: it alone fails, the batch goes on.
              if (error instanceof ExpectationFailedError || error instanceof ValidationError) {
                return { status: 'rejected', reason: error };
              }
              throw error;
            }
          });
          if (view.commits.length === 0) throw new NothingToWrite(outcomes);

          const { deletedIds, upserted } = view.netEffect();
          if (deletedIds.length > 0) await deleteRows(s, tenantId, catalogName, branch, deletedIds);
          await writeRowsCommitsAndHead(s, tenantId, catalogName, branch, upserted, view.commits);
          return outcomes;
        },
        { branch },
        { openWithFirstStatements: true },
      );
    } catch (error) {
      if (error instanceof NothingToWrite) return error.outcomes;
      throw error;
    }
  }
}

/**
 * The branch as a batch sees it between its calls: the rows read under the lock, overlaid with what each
 * accepted call removed and wrote (in the order the SQL of one call does it: deletes, then puts), and the head
 * moved to each accepted call's commit.
 */
class BranchView {
  /** Commits of the accepted calls, in order; each one's parent is the one before (the first: the locked head). */
  readonly commits: Commit[] = [];
  /** Rows changed by the batch: the row now, or null when removed. */
  private readonly changed = new Map<string, CurrentRow | null>();
  /** The last put of each key still present: what the upsert writes. */
  private readonly finalPuts = new Map<string, WrittenRow>();

  constructor(
    public head: string | null,
    private readonly start: Map<string, CurrentRow>,
  ) {}

  row(key: AssetKey): CurrentRow | undefined {
    const changed = this.changed.get(keyOf(key));
    if (changed !== undefined) return changed ?? undefined;
    return this.start.get(keyOf(key));
  }

  /** Applies an accepted call's plan to the view; returns its commit. */
  accept({ removed, written, commit }: CommitPlan): Commit {
    for (const key of removed) {
      this.changed.set(keyOf(key), null);
      this.finalPuts.delete(keyOf(key));
    }
    for (const put of written) {
      this.changed.set(keyOf(put), { id: put.id, properties: put.properties });
      this.finalPuts.set(keyOf(put), put);
    }
    this.commits.push(commit);
    this.head = commit.id;
    return commit;
  }

  /**
   * The writes that turn the rows read into the rows of the view: delete the rows read that are gone or whose
   * id changed (so an id may move to another key within the batch), then upsert the final row of every key
   * the batch wrote.
   */
  netEffect(): { deletedIds: string[]; upserted: WrittenRow[] } {
    const deletedIds: string[] = [];
    for (const [key, row] of this.start) {
      const now = this.changed.get(key);
      if (now === null || (now !== undefined && now.id !== row.id)) deletedIds.push(row.id);
    }
    return { deletedIds, upserted: [...this.finalPuts.values()] };
  }
}

/** Ends a batch transaction in which every call failed its expectations: roll back, settle each call. */
class NothingToWrite {
  constructor(readonly outcomes: PromiseSettledResult<Commit>[]) {}
}

/**
 * Whether the calls of a batch that failed as a whole should each be re-run alone. Not when re-running cannot
 * change the answer or must not happen: an unknown COMMIT outcome (never retried), a lost connection to the
 * backend, a missing catalog; nor a missing branch, unless a call may create it (then the calls before it fail
 * and the ones after it see it, as in sequential execution).
 */
function shouldRetryAlone(error: unknown, calls: CommitCall[]): boolean {
  if (error instanceof CommitStateUnknownError) return false;
  if (error instanceof BackendUnavailableError && isBackendUnreachable(error.cause)) return false;
  if (error instanceof NotFoundError) {
    return error.resource === 'branch' && calls.some((call) => call.options.createBranchIfMissing);
  }
  return true;
}

function isBackendUnreachable(driverError: unknown): boolean {
  const message = (driverError as { message?: unknown } | undefined)?.message;
  return (
    isConnectionLoss(driverError) ||
    (typeof message === 'string' && /timeout exceeded when trying to connect/i.test(message))
  );
}

/** Locks the branch row and returns its head; creates the branch first when asked to. */
async function lockBranch(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  branch: string,
  createIfMissing: boolean,
): Promise<string | null> {
  const select = lockBranchStatement(s);
  const params = [tenantId, catalogName, branch];
  let rows = await s.rows<{ head_commit_id: string | null }>(select, params);
  if (rows.length === 0) {
    const catalog = await s.rows('SELECT 1 AS found FROM catalogs WHERE tenant_id = $1 AND name = $2', [
      tenantId,
      catalogName,
    ]);
    if (catalog.length === 0) throw new NotFoundError('catalog', catalogName);
    if (!createIfMissing) throw new NotFoundError('branch', branch);
    // A concurrent call may create it first: then this insert waits for it and does nothing.
    await s.run(
      `INSERT INTO branches (tenant_id, catalog_name, name, head_commit_id, branch_type)
       VALUES ($1, $2, $3, NULL, 'experimental') ON CONFLICT DO NOTHING`,
      params,
    );
    rows = await s.rows(select, params);
  }
  return rows[0].head_commit_id;
}

/**
 * Opens the transaction, locks the branch row and reads the rows of `keys`: on PostgreSQL in ONE round trip
 * (BEGIN, the lock, the read; the read's snapshot is taken after the lock is granted, so it sees what the
 * previous holder committed). A missing branch takes the slow path: lockBranch creates it or throws.
 */
async function lockBranchAndRead(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  branch: string,
  keys: readonly AssetKey[],
  createIfMissing: boolean,
): Promise<{ head: string | null; current: Map<string, CurrentRow> }> {
  const branchParams = [tenantId, catalogName, branch];
  const read = keys.length > 0 ? currentRowsStatement(s, tenantId, catalogName, branch, keys) : undefined;
  const [locked, rows] = await s.rowsOfEach([
    { sql: lockBranchStatement(s), params: branchParams },
    ...(read ? [read] : []),
  ]);
  if (locked.length === 0) {
    const head = await lockBranch(s, tenantId, catalogName, branch, createIfMissing);
    return { head, current: await readCurrentRows(s, tenantId, catalogName, branch, keys) };
  }
  return { head: (locked[0].head_commit_id as string | null) ?? null, current: currentRowsByKey((rows ?? []) as unknown as CurrentRowRecord[]) };
}

function lockBranchStatement(s: SqlSession): string {
  return `SELECT head_commit_id FROM branches WHERE tenant_id = $1 AND catalog_name = $2 AND name = $3${s.forUpdate}`;
}

interface CurrentRowRecord {
  id: string;
  namespace_key: string;
  name: string;
  properties: string;
}

/** The rows currently on the branch for the given keys, read with one statement. */
async function readCurrentRows(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  branch: string,
  keys: readonly AssetKey[],
): Promise<Map<string, CurrentRow>> {
  if (keys.length === 0) return new Map();
  const { sql, params } = currentRowsStatement(s, tenantId, catalogName, branch, keys);
  return currentRowsByKey(await s.rows<CurrentRowRecord>(sql, params));
}

function currentRowsStatement(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  branch: string,
  keys: readonly AssetKey[],
): { sql: string; params: string[] } {
  const listed = uniqueByKey(keys).map((key) => ({ k: namespaceKey(key.namespace), n: key.name }));
  return {
    sql: `SELECT a.id, a.namespace_key, a.name, a.properties FROM ${s.jsonRecords(4, { k: 'text', n: 'text' })} CROSS JOIN assets a
     WHERE a.tenant_id = $1 AND a.catalog_name = $2 AND a.branch_name = $3 AND a.namespace_key = l.k AND a.name = l.n`,
    params: [tenantId, catalogName, branch, JSON.stringify(listed)],
  };
}

function currentRowsByKey(rows: CurrentRowRecord[]): Map<string, CurrentRow> {
  const current = new Map<string, CurrentRow>();
  for (const row of rows) {
    current.set(JSON.stringify([row.namespace_key, row.name]), {
      id: row.id,
      properties: JSON.parse(row.properties) as StringMap,
    });
  }
  return current;
}

/** Deletes the branch's rows with these ids, with one statement. */
async function deleteRows(s: SqlSession, tenantId: string, catalogName: string, branch: string, ids: string[]) {
  await s.run(
    `DELETE FROM assets WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $3
     AND id IN (${s.jsonStrings(4)})`,
    [tenantId, catalogName, branch, JSON.stringify(ids)],
  );
}

/**
 * Writes the rows, inserts the commits (chained, oldest first) and moves the head to the last one. On
 * PostgreSQL that is ONE statement (the two inserts as data-modifying CTEs of the head update: they touch
 * different tables, so running them together is safe), which saves two round trips while the branch row is
 * locked. SQLite runs them one after the other: its statements are in-process calls.
 */
async function writeRowsCommitsAndHead(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  branch: string,
  rows: WrittenRow[],
  commits: Commit[],
): Promise<void> {
  const params: unknown[] = [tenantId, catalogName, branch, commits[commits.length - 1].id];
  const upsert = rows.length > 0 ? upsertRowsStatement(s, rows, params) : undefined;
  const insert = insertCommitsStatement(s, commits, params);
  const moveHead = 'UPDATE branches SET head_commit_id = $4 WHERE tenant_id = $1 AND catalog_name = $2 AND name = $3';
  if (s.dialect === 'postgres') {
    const ctes = [...(upsert ? [`upserted AS (${upsert})`] : []), `inserted AS (${insert})`];
    await s.run(`WITH ${ctes.join(', ')} ${moveHead}`, params);
    return;
  }
  if (upsert) await s.run(upsert, params);
  await s.run(insert, params);
  await s.run(moveHead, params);
}

/**
 * INSERT of the commits (the rows travel as one JSON parameter, appended to `params`); `$1` is the tenant.
 */
function insertCommitsStatement(s: SqlSession, commits: Commit[], params: unknown[]): string {
  const records = commits.map((commit) => {
    const row = commitEntity(commit);
    return {
      id: row.id,
      parent_id: row.parentId,
      committed_at: row.committedAt,
      author: row.author,
      message: row.message,
      operations: JSON.stringify(row.operations), // the entity's JSON text column
    };
  });
  params.push(JSON.stringify(records));
  const list = s.jsonRecords(params.length, {
    id: 'text',
    parent_id: 'text',
    committed_at: 'bigint',
    author: 'text',
    message: 'text',
    operations: 'text',
  });
  return `INSERT INTO commits (tenant_id, id, parent_id, committed_at, author, message, operations)
     SELECT CAST($1 AS text), l.id, l.parent_id, l.committed_at, l.author, l.message, l.operations FROM ${list}`;
}

/**
 * Upsert of the branch's rows (one JSON parameter, appended to `params`); `$1..$3` are tenant, catalog and
 * branch.
 */
function upsertRowsStatement(s: SqlSession, puts: WrittenRow[], params: unknown[]): string {
  const records = puts.map((put) => {
    const ns = namespaceColumns(put.namespace);
    return {
      id: put.id,
      k: ns.key,
      d: ns.depth,
      s: ns.sortKey,
      n: put.name,
      kind: put.kind,
      location: put.location,
      properties: JSON.stringify(put.properties),
    };
  });
  params.push(JSON.stringify(records));
  const list = s.jsonRecords(params.length, {
    id: 'text',
    k: 'text',
    d: 'integer',
    s: 'text',
    n: 'text',
    kind: 'text',
    location: 'text',
    properties: 'text',
  });
  return `INSERT INTO assets (${ASSET_COLUMNS})
     SELECT CAST($1 AS text), CAST($2 AS text), CAST($3 AS text), l.id, l.k, l.d, l.s, l.n, l.kind, l.location,
            l.properties
     FROM ${list} WHERE true
     ${ASSET_UPSERT}`;
}

function keyOf(key: { namespace: NamespacePath; name: string }): string {
  return JSON.stringify([namespaceKey(key.namespace), key.name]);
}

/** One entry per key (the keys of a batch's calls overlap); a later entry replaces an earlier one. */
function uniqueByKey<T extends { namespace: NamespacePath; name: string }>(items: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(keyOf(item), item);
  return [...byKey.values()];
}
