import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/http/principal';
import { slicePage } from '../common/http/pagination';
import { METADATA_LOCATION_PROPERTY, NamespacePath, Pagination } from '../persistence/models';
import { AssetsPort } from '../persistence/ports';
import { IcebergCatalogService } from './iceberg-catalog.service';
import { NamespaceSegment, resolveBranch, TableSegment } from './http/iceberg-paths';
import { NamespaceService } from './namespace.service';
import { configDependsOnWriteAccess, type TableAccess } from './table-config';
import { TableContext } from './table-context';
import { JsonChunks } from './table-result';

/** Iceberg table reads: list, load and exists (DESIGN §3.2, contract iceberg-rest §6). */
@Injectable()
export class TableReadsService {
  constructor(
    private readonly context: TableContext,
    private readonly catalogs: IcebergCatalogService,
    private readonly namespaces: NamespaceService,
    private readonly assets: AssetsPort,
  ) {}


  /**
   * Names of the Iceberg tables of a namespace on a branch (namespace `@b`, then `?branch=`, then main).
   * NotFoundError for a missing catalog, namespace or branch (404 NoSuchNamespaceException on this route).
   */
  async listTables(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    queryBranch: unknown,
    page: Pagination,
  ): Promise<{ levels: NamespacePath; rows: string[] }> {
    const tenantId = principal.tenantId;
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    await this.namespaces.require(tenantId, catalog.name, namespace.levels);
    const branch = resolveBranch({ namespace: namespace.branch, query: queryBranch });
    await this.context.requireBranch(tenantId, catalog.name, branch);
    // Other asset kinds share the namespace, so the kind filter runs before the page is cut.
    const tables = (await this.assets.listAssets(tenantId, catalog.name, branch, namespace.levels))
      .filter((asset) => asset.kind === 'ICEBERG_TABLE')
      .map((asset) => asset.name);
    return { levels: namespace.levels, rows: slicePage(tables, page) };
  }

  /**
   * LoadTableResult bytes: pointer lookup, cached metadata bytes, spliced response (no parse). Whether the
   * caller may write the table decides which storage credentials the config hands out (see tableConfig);
   * `mayWrite` is asked only when the warehouse's config depends on it.
   */
  async loadTable(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
    mayWrite: () => Promise<boolean>,
  ): Promise<JsonChunks> {
    const target = await this.context.resolveTableTarget(principal, prefix, namespace, table, queryBranch);
    const asset = await this.context.requireTableAsset(target);
    const metadataLocation = asset.properties[METADATA_LOCATION_PROPERTY];
    const metadataBytes = await this.context.readMetadata(target, metadataLocation);
    const access: TableAccess = { mayWrite: configDependsOnWriteAccess(target.warehouse) && (await mayWrite()) };
    return this.context.tableResult(target, asset.id, metadataLocation, metadataBytes, access);
  }

  /** HEAD: NotFoundError unless the table exists on the branch. */
  async assertTableExists(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
  ): Promise<void> {
    const target = await this.context.resolveTableTarget(principal, prefix, namespace, table, queryBranch);
    await this.context.requireTableAsset(target);
  }
}
