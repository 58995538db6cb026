import { randomUUID } from 'node:crypto';
import { ExpectationFailedError, NotFoundError } from '../../common/errors';
import { Commit, CommitOperation, METADATA_LOCATION_PROPERTY, NamespacePath, qualifiedAssetName, StringMap } from '../models';
import { AssetKey, AssetPut, BranchChanges, CommitChangesOptions, CommitInfo, UnitOfWorkPort } from '../ports';
import { CommitEntity } from './entities';
import { commitEntity } from './mappers';
import { namespaceColumns, namespaceKey } from './namespace-keys';
import { ASSET_COLUMNS, ASSET_UPSERT } from './typeorm-assets';
import type { SqlDatabase, SqlSession } from './sql-database';

interface CurrentRow {
  id: string;
  properties: StringMap;
}

/**
 * The one write path for a branch's content. One transaction: lock the branch row (PostgreSQL
 * `SELECT ... FOR UPDATE`; SQLite is serialised by the adapter's mutex and BEGIN IMMEDIATE), check the
 * expectations against the rows as they are now, delete, upsert, insert the commit, move the head.
 * Statements per call: a fixed handful (lock, read, delete, upsert, commit, head), whatever the number of
 * assets: lists travel as one JSON parameter.
 */
export class TypeormUnitOfWork extends UnitOfWorkPort {
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
    return this.db.write(
      async (s) => {
        const head = await lockBranch(s, tenantId, catalogName, branch, options.createBranchIfMissing ?? false);
        if (changes.expectedHeadCommitId !== undefined && changes.expectedHeadCommitId !== head) {
          throw new ExpectationFailedError(branch, 'head-moved');
        }

        const current = await readCurrentRows(s, tenantId, catalogName, branch, [
          ...changes.expectations,
          ...changes.puts,
          ...changes.deletes,
        ]);
        for (const expectation of changes.expectations) {
          const row = current.get(keyOf(expectation));
          const name = qualifiedAssetName(expectation.namespace, expectation.name);
          if (expectation.state === 'absent') {
            if (row) throw new ExpectationFailedError(name, 'exists');
          } else {
            if (!row) throw new ExpectationFailedError(name, 'missing');
            const location = row.properties[METADATA_LOCATION_PROPERTY] ?? null;
            if (expectation.metadataLocation !== undefined && expectation.metadataLocation !== location) {
              throw new ExpectationFailedError(name, 'location-mismatch');
            }
          }
        }

        const removed = uniqueByKey(changes.deletes).filter((key) => current.has(keyOf(key)));
        if (removed.length > 0) {
          await s.run(
            `DELETE FROM assets WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $3
             AND id IN (${s.jsonStrings(4)})`,
            [tenantId, catalogName, branch, JSON.stringify(removed.map((key) => current.get(keyOf(key))!.id))],
          );
        }

        const written = uniqueByKey(changes.puts).map((put) => ({
          ...put,
          id: put.id ?? current.get(keyOf(put))?.id ?? randomUUID(),
        }));
        if (written.length > 0) await upsertRows(s, tenantId, catalogName, branch, written);

        const operations: CommitOperation[] = [
          ...written.map((put) => ({
            Put: {
              asset: {
                id: put.id,
                name: put.name,
                namespace: [...put.namespace],
                kind: put.kind,
                location: put.location,
                properties: { ...put.properties },
              },
            },
          })),
          ...removed.map((key) => ({ Delete: { name: qualifiedAssetName(key.namespace, key.name) } })),
        ];
        const commit: Commit = {
          id: randomUUID(),
          tenantId,
          parentId: head,
          timestamp: info.timestamp ?? Date.now(),
          author: info.author,
          message: info.message,
          operations,
        };
        await s.repo(CommitEntity).insert(commitEntity(commit));
        await s.run(
          'UPDATE branches SET head_commit_id = $4 WHERE tenant_id = $1 AND catalog_name = $2 AND name = $3',
          [tenantId, catalogName, branch, commit.id],
        );
        return commit;
      },
      { branch, asset: changes.puts[0] ? qualifiedAssetName(changes.puts[0].namespace, changes.puts[0].name) : '' },
    );
  }
}

/** Locks the branch row and returns its head; creates the branch first when asked to. */
async function lockBranch(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  branch: string,
  createIfMissing: boolean,
): Promise<string | null> {
  const select = `SELECT head_commit_id FROM branches WHERE tenant_id = $1 AND catalog_name = $2 AND name = $3${s.forUpdate}`;
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

/** The rows currently on the branch for the given keys, read with one statement. */
async function readCurrentRows(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  branch: string,
  keys: AssetKey[],
): Promise<Map<string, CurrentRow>> {
  const current = new Map<string, CurrentRow>();
  if (keys.length === 0) return current;
  const listed = uniqueByKey(keys).map((key) => ({ k: namespaceKey(key.namespace), n: key.name }));
  const rows = await s.rows<{ id: string; namespace_key: string; name: string; properties: string }>(
    `SELECT a.id, a.namespace_key, a.name, a.properties FROM ${s.jsonRecords(4, { k: 'text', n: 'text' })} CROSS JOIN assets a
     WHERE a.tenant_id = $1 AND a.catalog_name = $2 AND a.branch_name = $3 AND a.namespace_key = l.k AND a.name = l.n`,
    [tenantId, catalogName, branch, JSON.stringify(listed)],
  );
  for (const row of rows) {
    current.set(JSON.stringify([row.namespace_key, row.name]), {
      id: row.id,
      properties: JSON.parse(row.properties) as StringMap,
    });
  }
  return current;
}

/** Inserts or overwrites the rows with one statement (the rows travel as one JSON parameter). */
async function upsertRows(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  branch: string,
  puts: (AssetPut & { id: string })[],
): Promise<void> {
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
  const list = s.jsonRecords(4, {
    id: 'text',
    k: 'text',
    d: 'integer',
    s: 'text',
    n: 'text',
    kind: 'text',
    location: 'text',
    properties: 'text',
  });
  await s.run(
    `INSERT INTO assets (${ASSET_COLUMNS})
     SELECT CAST($1 AS text), CAST($2 AS text), CAST($3 AS text), l.id, l.k, l.d, l.s, l.n, l.kind, l.location,
            l.properties
     FROM ${list} WHERE true
     ${ASSET_UPSERT}`,
    [tenantId, catalogName, branch, JSON.stringify(records)],
  );
}

function keyOf(key: { namespace: NamespacePath; name: string }): string {
  return JSON.stringify([namespaceKey(key.namespace), key.name]);
}

/** One entry per key; a later entry replaces an earlier one (in the earlier one's position). */
function uniqueByKey<T extends { namespace: NamespacePath; name: string }>(items: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(keyOf(item), item);
  return [...byKey.values()];
}
