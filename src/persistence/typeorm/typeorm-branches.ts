import { NotFoundError } from '../../common/errors';
import { Branch, NamespacePath, Pagination, qualifiedAssetName } from '../models';
import { BranchesPort, CreateBranchRequest, CreatedBranch } from '../ports';
import { BranchEntity } from './entities';
import { findPage, toBranch } from './mappers';
import { levelsFromKey, namespaceKey } from './namespace-keys';
import { ASSET_COLUMNS, copyBranchRows } from './typeorm-assets';
import type { SqlDatabase, SqlSession } from './sql-database';

interface AssetKeyRecord {
  /** Namespace key. */
  k: string;
  /** Asset name. */
  n: string;
}

export class TypeormBranches extends BranchesPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createBranch(tenantId: string, catalogName: string, request: CreateBranchRequest): Promise<CreatedBranch> {
    return this.db.write(
      async (s) => {
        // FOR SHARE keeps commits off the source until this transaction ends, so the head and the copied
        // rows are one consistent state of it.
        const source = await s.rows<{ head_commit_id: string | null }>(
          `SELECT head_commit_id FROM branches WHERE tenant_id = $1 AND catalog_name = $2 AND name = $3
           ${s.dialect === 'postgres' ? 'FOR SHARE' : ''}`,
          [tenantId, catalogName, request.fromBranch],
        );
        if (source.length === 0) throw new NotFoundError('branch', request.fromBranch);
        const branch: Branch = {
          tenantId,
          catalogName,
          name: request.name,
          headCommitId: source[0].head_commit_id,
          branchType: request.branchType,
        };
        await s.repo(BranchEntity).insert({ ...branch });
        const copied =
          request.assets === undefined
            ? await copyBranchRows(s, tenantId, catalogName, request.fromBranch, request.name, { overwrite: false })
            : await copyListedRows(s, tenantId, catalogName, request.fromBranch, request.name, request.assets);
        return { branch, copied };
      },
      { branch: request.name },
    );
  }

  async getBranch(tenantId: string, catalogName: string, name: string): Promise<Branch | null> {
    const row = await this.db.read((s) => s.repo(BranchEntity).findOneBy({ tenantId, catalogName, name }));
    return row ? toBranch(row) : null;
  }

  async listBranches(tenantId: string, catalogName: string, page?: Pagination): Promise<Branch[]> {
    const options = findPage(page);
    if (!options) return [];
    const rows = await this.db.read((s) =>
      s.repo(BranchEntity).find({ where: { tenantId, catalogName }, order: { name: 'ASC' }, ...options }),
    );
    return rows.map(toBranch);
  }

  async listBranchAssetNames(tenantId: string, catalogName: string, branch: string): Promise<string[]> {
    const rows = await this.db.read((s) =>
      s.rows<{ namespace_key: string; namespace_depth: number; name: string }>(
        `SELECT namespace_key, namespace_depth, name FROM assets
         WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $3
         ORDER BY namespace_sort, name`,
        [tenantId, catalogName, branch],
      ),
    );
    return rows.map((r) => qualifiedAssetName(levelsFromKey(r.namespace_key, Number(r.namespace_depth)), r.name));
  }

  async deleteBranch(tenantId: string, catalogName: string, name: string): Promise<void> {
    await this.db.write(async (s) => {
      const branch = await s.findForUpdate(BranchEntity, { tenantId, catalogName, name });
      if (!branch) throw new NotFoundError('branch', name);
      await s.run('DELETE FROM assets WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $3', [
        tenantId,
        catalogName,
        name,
      ]);
      await s.run('DELETE FROM branches WHERE tenant_id = $1 AND catalog_name = $2 AND name = $3', [
        tenantId,
        catalogName,
        name,
      ]);
    });
  }
}

/**
 * Copies exactly the listed assets onto the new (empty) branch with ONE `INSERT ... SELECT` joining the
 * source rows with the list, passed as a JSON parameter. When fewer rows were copied than listed, a listed
 * asset is missing from the source: the first such asset (in list order) is reported and, the error rolling
 * the transaction back, nothing is written.
 */
async function copyListedRows(
  s: SqlSession,
  tenantId: string,
  catalogName: string,
  srcBranch: string,
  destBranch: string,
  assets: { namespace: NamespacePath; name: string }[],
): Promise<number> {
  const listed = uniqueKeys(assets);
  if (listed.length === 0) return 0;
  const list = s.jsonRecords(5, { k: 'text', n: 'text' });
  const params = [tenantId, catalogName, srcBranch, destBranch, JSON.stringify(listed)];
  const copied = await s.run(
    `INSERT INTO assets (${ASSET_COLUMNS})
     SELECT a.tenant_id, a.catalog_name, CAST($4 AS text), a.id, a.namespace_key, a.namespace_depth, a.namespace_sort,
            a.name, a.kind, a.location, a.properties
     FROM ${list} CROSS JOIN assets a
     WHERE a.tenant_id = $1 AND a.catalog_name = $2 AND a.branch_name = $3 AND a.namespace_key = l.k AND a.name = l.n`,
    params,
  );
  if (copied < listed.length) {
    const present = await s.rows<{ k: string; n: string }>(
      `SELECT a.namespace_key AS k, a.name AS n FROM ${s.jsonRecords(4, { k: 'text', n: 'text' })} CROSS JOIN assets a
       WHERE a.tenant_id = $1 AND a.catalog_name = $2 AND a.branch_name = $3 AND a.namespace_key = l.k AND a.name = l.n`,
      [tenantId, catalogName, srcBranch, JSON.stringify(listed)],
    );
    const found = new Set(present.map((p) => JSON.stringify([p.k, p.n])));
    const index = listed.findIndex((key) => !found.has(JSON.stringify([key.k, key.n])));
    const missing = assets.find((a) => namespaceKey(a.namespace) === listed[index]?.k && a.name === listed[index]?.n);
    const name = missing ? qualifiedAssetName(missing.namespace, missing.name) : 'unknown';
    throw new NotFoundError('asset', name);
  }
  return copied;
}

function uniqueKeys(assets: { namespace: NamespacePath; name: string }[]): AssetKeyRecord[] {
  const seen = new Set<string>();
  const keys: AssetKeyRecord[] = [];
  for (const asset of assets) {
    const key = { k: namespaceKey(asset.namespace), n: asset.name };
    const id = JSON.stringify([key.k, key.n]);
    if (!seen.has(id)) {
      seen.add(id);
      keys.push(key);
    }
  }
  return keys;
}
