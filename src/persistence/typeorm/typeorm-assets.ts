import { NotFoundError } from '../../common/errors';
import type { Asset, AssetKind, NamespacePath, Pagination, StringMap } from '../models';
import { locationOverlapKeys } from '../location-keys';
import { AssetsPort } from '../ports';
import { AssetEntity } from './entities';
import { findPage, toAsset } from './mappers';
import { levelsFromKey, namespaceKey } from './namespace-keys';
import type { SqlDatabase, SqlSession } from './sql-database';

/** Columns of an asset row, in INSERT order. */
export const ASSET_COLUMNS =
  'tenant_id, catalog_name, branch_name, id, namespace_key, namespace_depth, namespace_sort, name, kind, location, properties';

/**
 * Overwrite of a dest row with the same key: everything but the key takes the source's value (the id too:
 * ids follow the asset from branch to branch).
 */
export const ASSET_UPSERT =
  'ON CONFLICT (tenant_id, catalog_name, branch_name, namespace_key, name) DO UPDATE SET ' +
  'id = excluded.id, namespace_depth = excluded.namespace_depth, namespace_sort = excluded.namespace_sort, ' +
  'kind = excluded.kind, location = excluded.location, properties = excluded.properties';

interface AssetRow {
  id: string;
  namespace_key: string;
  namespace_depth: number | string;
  name: string;
  kind: string;
  location: string;
  properties: string;
}

export class TypeormAssets extends AssetsPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async getAsset(
    tenantId: string,
    catalogName: string,
    branch: string,
    namespace: NamespacePath,
    name: string,
  ): Promise<Asset | null> {
    // Plain SQL rather than the entity repository: this is the one lookup of every table load and commit,
    // and the query builder costs more CPU than the round trip itself.
    const rows = await this.db.read((s) =>
      s.rows<AssetRow>(
        `SELECT id, namespace_key, namespace_depth, name, kind, location, properties FROM assets
         WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $3 AND namespace_key = $4 AND name = $5`,
        [tenantId, catalogName, branch, namespaceKey(namespace), name],
      ),
    );
    const row = rows[0];
    if (!row || Number(row.namespace_depth) !== namespace.length) return null;
    return {
      id: row.id,
      tenantId,
      catalogName,
      branch,
      namespace: levelsFromKey(row.namespace_key, Number(row.namespace_depth)),
      name: row.name,
      kind: row.kind as AssetKind,
      location: row.location,
      properties: JSON.parse(row.properties) as StringMap,
    };
  }

  async listAssets(
    tenantId: string,
    catalogName: string,
    branch: string,
    namespace?: NamespacePath,
    page?: Pagination,
  ): Promise<Asset[]> {
    const options = findPage(page);
    if (!options) return [];
    const where = namespace
      ? {
          tenantId,
          catalogName,
          branchName: branch,
          namespaceKey: namespaceKey(namespace),
          namespaceDepth: namespace.length,
        }
      : { tenantId, catalogName, branchName: branch };
    const rows = await this.db.read((s) =>
      s.repo(AssetEntity).find({ where, order: { namespaceSort: 'ASC', name: 'ASC' }, ...options }),
    );
    return rows.map(toAsset);
  }

  async findAssetsOverlappingLocation(tenantId: string, location: string): Promise<Asset[]> {
    const { sameOrAbove, belowPrefix } = locationOverlapKeys(location);
    const params: unknown[] = [tenantId, belowPrefix, ...sameOrAbove];
    const list = sameOrAbove.map((_, i) => `$${i + 3}`).join(', ');
    // substr/length rather than LIKE: no escaping of '%' and '_', and case-sensitive on SQLite too.
    const rows = await this.db.read((s) =>
      s.rows<AssetRow & { catalog_name: string; branch_name: string }>(
        `SELECT catalog_name, branch_name, id, namespace_key, namespace_depth, name, kind, location, properties FROM assets
         WHERE tenant_id = $1 AND (location IN (${list}) OR substr(location, 1, length($2)) = $2)`,
        params,
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      tenantId,
      catalogName: row.catalog_name,
      branch: row.branch_name,
      namespace: levelsFromKey(row.namespace_key, Number(row.namespace_depth)),
      name: row.name,
      kind: row.kind as AssetKind,
      location: row.location,
      properties: JSON.parse(row.properties) as StringMap,
    }));
  }

  async copyAssetsBulk(
    tenantId: string,
    catalogName: string,
    srcBranch: string,
    destBranch: string,
    namespace?: NamespacePath,
  ): Promise<number> {
    return this.db.write(async (s) => {
      // Lock both branch rows (in name order, so two opposite copies cannot deadlock): the source cannot
      // change while it is copied, and the copy is serialised with commits on the destination.
      const branches = await s.rows<{ name: string }>(
        `SELECT name FROM branches WHERE tenant_id = $1 AND catalog_name = $2 AND name IN ($3, $4)
         ORDER BY name${s.forUpdate}`,
        [tenantId, catalogName, srcBranch, destBranch],
      );
      if (!branches.some((b) => b.name === srcBranch)) throw new NotFoundError('branch', srcBranch);
      let destIsNew = false;
      if (!branches.some((b) => b.name === destBranch)) {
        destIsNew =
          (await s.run(
            `INSERT INTO branches (tenant_id, catalog_name, name, head_commit_id, branch_type)
             VALUES ($1, $2, $3, NULL, 'experimental') ON CONFLICT DO NOTHING`,
            [tenantId, catalogName, destBranch],
          )) === 1;
      }
      const filter = namespace === undefined ? undefined : namespaceKey(namespace);
      if (!destIsNew) await removeRowsHoldingCopiedIds(s, tenantId, catalogName, srcBranch, destBranch, filter);
      return copyBranchRows(s, tenantId, catalogName, srcBranch, destBranch, { namespaceKey: filter, overwrite: !destIsNew });
    });
  }
}

/**
 * THE bulk copy: one `INSERT INTO assets (...) SELECT ... FROM assets WHERE ...` statement, executed by the
 * database without any row coming back to the application. Ids are copied, not generated (an asset keeps
 * its id on every branch). With `overwrite`, a dest row with the same key takes the source's values.
 * Returns the number of rows written.
 */
export function copyBranchRows(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  srcBranch: string,
  destBranch: string,
  options: { namespaceKey?: string; overwrite: boolean },
): Promise<number> {
  const params: unknown[] = [tenantId, catalogName, srcBranch, destBranch];
  let namespaceFilter = '';
  if (options.namespaceKey !== undefined) {
    params.push(options.namespaceKey);
    namespaceFilter = ` AND namespace_key = $${params.length}`;
  }
  return s.run(
    `INSERT INTO assets (${ASSET_COLUMNS})
     SELECT tenant_id, catalog_name, CAST($4 AS text), id, namespace_key, namespace_depth, namespace_sort, name,
            kind, location, properties
     FROM assets WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $3${namespaceFilter}
     ${options.overwrite ? ASSET_UPSERT : ''}`,
    params,
  );
}

/**
 * Before copying onto a branch that already has rows: a dest row holding the id of a copied source row under
 * ANOTHER key (the asset was renamed on one side) would collide with the copy on the per-branch id. The copy
 * overwrites by key, so that stale row goes. One statement; nothing matches on an empty or unrelated branch.
 */
async function removeRowsHoldingCopiedIds(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  srcBranch: string,
  destBranch: string,
  filterNamespaceKey: string | undefined,
): Promise<void> {
  const params: unknown[] = [tenantId, catalogName, srcBranch, destBranch];
  let namespaceFilter = '';
  if (filterNamespaceKey !== undefined) {
    params.push(filterNamespaceKey);
    namespaceFilter = ` AND src.namespace_key = $${params.length}`;
  }
  await s.run(
    `DELETE FROM assets
     WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $4
       AND EXISTS (
         SELECT 1 FROM assets src
         WHERE src.tenant_id = $1 AND src.catalog_name = $2 AND src.branch_name = $3${namespaceFilter}
           AND src.id = assets.id
           AND (src.namespace_key <> assets.namespace_key OR src.name <> assets.name))`,
    params,
  );
}
