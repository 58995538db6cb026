import type { Namespace, NamespacePath, Pagination, StringMap } from '../models';

export interface NamespacePropertiesChange {
  updated: string[];
  removed: string[];
  /** Keys asked to be removed that were not present. */
  missing: string[];
}

/** Namespaces belong to a catalog and are shared by all of its branches. */
export abstract class NamespacesPort {
  /** Inserts a namespace. Throws AlreadyExistsError('namespace'). */
  abstract createNamespace(namespace: Namespace): Promise<Namespace>;

  /** Returns the namespace, or null. */
  abstract getNamespace(tenantId: string, catalogName: string, levels: NamespacePath): Promise<Namespace | null>;

  /**
   * Without `parent`: every namespace of the catalog, nested ones included. With `parent`: its direct
   * children only (the parent itself need not be checked here). Ordered by levels (level by level,
   * lexicographic), then paginated. `parent` `[]` gives the top-level namespaces.
   */
  abstract listNamespaces(
    tenantId: string,
    catalogName: string,
    parent?: NamespacePath,
    page?: Pagination,
  ): Promise<Namespace[]>;

  /**
   * Removes `removals` and applies `updates` atomically; a key in both is an error for the caller to catch
   * earlier. Throws NotFoundError('namespace'). `updated` lists every key of `updates` (in its order);
   * `removed` and `missing` follow the order of `removals`.
   */
  abstract updateNamespaceProperties(
    tenantId: string,
    catalogName: string,
    levels: NamespacePath,
    removals: string[],
    updates: StringMap,
  ): Promise<NamespacePropertiesChange>;

  /**
   * Deletes the namespace. Atomic. Throws NotFoundError('namespace'); throws NamespaceNotEmptyError when a
   * child namespace exists or any branch holds an asset in it (nothing is deleted then). "In it" means in
   * exactly that namespace; assets of nested namespaces are covered by the child-namespace rule.
   */
  abstract deleteNamespace(tenantId: string, catalogName: string, levels: NamespacePath): Promise<void>;
}
