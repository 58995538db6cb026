import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import type { Namespace, NamespacePath, Pagination, StringMap } from '../persistence/models';
import { NamespacePropertiesChange, NamespacesPort } from '../persistence/ports';
import { IcebergCatalogService } from './iceberg-catalog.service';

/** Namespaces of a catalog, as the Iceberg REST routes see them (contract iceberg-rest §5). */
@Injectable()
export class NamespaceService {
  constructor(
    private readonly catalogs: IcebergCatalogService,
    private readonly namespaces: NamespacesPort,
  ) {}

  /**
   * Without `parent`: every namespace of the catalog, nested ones included (DESIGN §2.4). With `parent`:
   * its direct children; NotFoundError('namespace') when the parent does not exist.
   */
  async list(tenantId: string, prefix: string, parent: NamespacePath | undefined, page: Pagination): Promise<Namespace[]> {
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    if (parent) await this.require(tenantId, catalog.name, parent);
    return this.namespaces.listNamespaces(tenantId, catalog.name, parent, page);
  }

  /** Creates it; AlreadyExistsError('namespace') when it exists. Parents need not exist (contract §5.2). */
  async create(tenantId: string, prefix: string, levels: NamespacePath, properties: StringMap): Promise<Namespace> {
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    return this.namespaces.createNamespace({ tenantId, catalogName: catalog.name, levels, properties });
  }

  async load(tenantId: string, prefix: string, levels: NamespacePath): Promise<Namespace> {
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    return this.require(tenantId, catalog.name, levels);
  }

  /** Throws NotFoundError when the catalog or the namespace is missing. */
  async assertExists(tenantId: string, prefix: string, levels: NamespacePath): Promise<void> {
    await this.load(tenantId, prefix, levels);
  }

  /** NotFoundError when missing; NamespaceNotEmptyError (409) when it has children or assets on any branch. */
  async drop(tenantId: string, prefix: string, levels: NamespacePath): Promise<void> {
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    await this.namespaces.deleteNamespace(tenantId, catalog.name, levels);
  }

  async updateProperties(
    tenantId: string,
    prefix: string,
    levels: NamespacePath,
    removals: string[],
    updates: StringMap,
  ): Promise<NamespacePropertiesChange> {
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    return this.namespaces.updateNamespaceProperties(tenantId, catalog.name, levels, removals, updates);
  }

  /** The namespace in an already-resolved catalog, or NotFoundError('namespace'). */
  async require(tenantId: string, catalogName: string, levels: NamespacePath): Promise<Namespace> {
    const namespace = await this.namespaces.getNamespace(tenantId, catalogName, levels);
    if (!namespace) throw new NotFoundError('namespace', levels.join('.'), `Namespace '${levels.join('.')}' does not exist`);
    return namespace;
  }
}
