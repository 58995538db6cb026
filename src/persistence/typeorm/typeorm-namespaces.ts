import { NamespaceNotEmptyError, NotFoundError } from '../../common/errors';
import type { Namespace, NamespacePath, Pagination, StringMap } from '../models';
import { NamespacePropertiesChange, NamespacesPort } from '../ports';
import { NamespaceEntity } from './entities';
import { findPage, namespaceEntity, toNamespace } from './mappers';
import { codePointLength, LEVEL_SEPARATOR, namespaceColumns, namespaceKey } from './namespace-keys';
import type { SqlDatabase } from './sql-database';

export class TypeormNamespaces extends NamespacesPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createNamespace(namespace: Namespace): Promise<Namespace> {
    return this.db.write(
      async (s) => {
        await s.repo(NamespaceEntity).insert(namespaceEntity(namespace));
        return structuredClone(namespace);
      },
      { namespace: namespace.levels.join('.') },
    );
  }

  async getNamespace(tenantId: string, catalogName: string, levels: NamespacePath): Promise<Namespace | null> {
    const row = await this.db.read((s) =>
      s.repo(NamespaceEntity).findOneBy({ tenantId, catalogName, namespaceKey: namespaceKey(levels) }),
    );
    return row && row.depth === levels.length ? toNamespace(row) : null;
  }

  async listNamespaces(
    tenantId: string,
    catalogName: string,
    parent?: NamespacePath,
    page?: Pagination,
  ): Promise<Namespace[]> {
    const options = findPage(page);
    if (!options) return [];
    const where = parent
      ? { tenantId, catalogName, parentKey: namespaceKey(parent), depth: parent.length + 1 }
      : { tenantId, catalogName };
    const rows = await this.db.read((s) =>
      s.repo(NamespaceEntity).find({ where, order: { sortKey: 'ASC' }, ...options }),
    );
    return rows.map(toNamespace);
  }

  async updateNamespaceProperties(
    tenantId: string,
    catalogName: string,
    levels: NamespacePath,
    removals: string[],
    updates: StringMap,
  ): Promise<NamespacePropertiesChange> {
    return this.db.write(async (s) => {
      const key = namespaceKey(levels);
      const row = await s.findForUpdate(NamespaceEntity, { tenantId, catalogName, namespaceKey: key });
      if (!row || row.depth !== levels.length) throw new NotFoundError('namespace', levels.join('.'));
      const properties = { ...row.properties };
      const removed: string[] = [];
      const missing: string[] = [];
      for (const name of removals) {
        if (Object.prototype.hasOwnProperty.call(properties, name)) {
          delete properties[name];
          removed.push(name);
        } else {
          missing.push(name);
        }
      }
      Object.assign(properties, updates);
      await s.repo(NamespaceEntity).update({ tenantId, catalogName, namespaceKey: key }, { properties });
      return { updated: Object.keys(updates), removed, missing };
    });
  }

  async deleteNamespace(tenantId: string, catalogName: string, levels: NamespacePath): Promise<void> {
    await this.db.write(async (s) => {
      const { key, depth } = namespaceColumns(levels);
      const row = await s.findForUpdate(NamespaceEntity, { tenantId, catalogName, namespaceKey: key });
      if (!row || row.depth !== depth) throw new NotFoundError('namespace', levels.join('.'));
      // A nested namespace, direct child or deeper: its key starts with this key and a separator.
      const prefix = key + LEVEL_SEPARATOR;
      const children = await s.rows(
        `SELECT 1 AS child FROM namespaces
         WHERE tenant_id = $1 AND catalog_name = $2 AND depth > $3 AND substr(namespace_key, 1, $4) = $5 LIMIT 1`,
        [tenantId, catalogName, depth, codePointLength(prefix), prefix],
      );
      // Any branch holding an asset in exactly this namespace: one probe of the assets unique key
      // (tenant, catalog, branch, namespace_key, name) per branch, rather than a scan of the catalog.
      const assets = await s.rows(
        `SELECT 1 AS asset FROM branches b
         WHERE b.tenant_id = $1 AND b.catalog_name = $2
           AND EXISTS (SELECT 1 FROM assets a
                       WHERE a.tenant_id = $1 AND a.catalog_name = $2 AND a.branch_name = b.name
                         AND a.namespace_key = $3 AND a.namespace_depth = $4)
         LIMIT 1`,
        [tenantId, catalogName, key, depth],
      );
      if (children.length > 0 || assets.length > 0) {
        throw new NamespaceNotEmptyError(`Namespace '${levels.join('.')}' is not empty`);
      }
      await s.repo(NamespaceEntity).delete({ tenantId, catalogName, namespaceKey: key });
    });
  }
}
