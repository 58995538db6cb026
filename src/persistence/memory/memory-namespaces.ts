import { AlreadyExistsError, NamespaceNotEmptyError, NotFoundError } from '../../common/errors';
import type { Namespace, NamespacePath, Pagination, StringMap } from '../models';
import { NamespacesPort, type NamespacePropertiesChange } from '../ports';
import { branchScope, catalogScope, compareLevels, copy, key, listOf, type MemoryState } from './memory-state';

export class MemoryNamespaces extends NamespacesPort {
  constructor(private readonly state: MemoryState) {
    super();
  }

  createNamespace(namespace: Namespace): Promise<Namespace> {
    return this.state.exclusive(() => {
      const scope = catalogScope(namespace.tenantId, namespace.catalogName);
      if (this.state.namespaces.has(scope, key(namespace.levels))) {
        throw new AlreadyExistsError('namespace', namespace.levels.join('.'));
      }
      this.state.namespaces.set(scope, key(namespace.levels), copy(namespace));
      return copy(namespace);
    });
  }

  async getNamespace(tenantId: string, catalogName: string, levels: NamespacePath): Promise<Namespace | null> {
    const namespace = this.state.namespaces.get(catalogScope(tenantId, catalogName), key(levels));
    return namespace ? copy(namespace) : null;
  }

  async listNamespaces(
    tenantId: string,
    catalogName: string,
    parent?: NamespacePath,
    page?: Pagination,
  ): Promise<Namespace[]> {
    let rows = this.state.namespaces.rows(catalogScope(tenantId, catalogName));
    if (parent) rows = rows.filter((n) => n.levels.length === parent.length + 1 && startsWith(n.levels, parent));
    return listOf(rows, (a, b) => compareLevels(a.levels, b.levels), page);
  }

  updateNamespaceProperties(
    tenantId: string,
    catalogName: string,
    levels: NamespacePath,
    removals: string[],
    updates: StringMap,
  ): Promise<NamespacePropertiesChange> {
    return this.state.exclusive(() => {
      const stored = this.state.namespaces.get(catalogScope(tenantId, catalogName), key(levels));
      if (!stored) throw new NotFoundError('namespace', levels.join('.'));
      const properties = { ...stored.properties };
      const change: NamespacePropertiesChange = { updated: Object.keys(updates), removed: [], missing: [] };
      for (const removal of removals) {
        if (Object.hasOwn(properties, removal)) {
          delete properties[removal];
          change.removed.push(removal);
        } else {
          change.missing.push(removal);
        }
      }
      Object.assign(properties, updates);
      stored.properties = copy(properties);
      return change;
    });
  }

  deleteNamespace(tenantId: string, catalogName: string, levels: NamespacePath): Promise<void> {
    return this.state.exclusive(() => {
      const scope = catalogScope(tenantId, catalogName);
      const name = levels.join('.');
      if (!this.state.namespaces.has(scope, key(levels))) throw new NotFoundError('namespace', name);
      const hasChild = this.state.namespaces
        .rows(scope)
        .some((n) => n.levels.length > levels.length && startsWith(n.levels, levels));
      const holdsAsset = this.state.branches
        .rows(scope)
        .some((branch) =>
          this.state.assets
            .rows(branchScope(tenantId, catalogName, branch.name))
            .some((asset) => compareLevels(asset.namespace, levels) === 0),
        );
      if (hasChild || holdsAsset) throw new NamespaceNotEmptyError(`Namespace '${name}' is not empty`);
      this.state.namespaces.delete(scope, key(levels));
    });
  }
}

function startsWith(levels: NamespacePath, prefix: NamespacePath): boolean {
  return prefix.every((level, i) => levels[i] === level);
}
