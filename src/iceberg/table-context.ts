import { Injectable, Logger } from '@nestjs/common';
import { AlreadyExistsError, ExpectationFailedError, NotFoundError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { MetadataWorkerPool } from '../metadata-workers';
import {
  Asset,
  Catalog,
  METADATA_LOCATION_PROPERTY,
  NamespacePath,
  qualifiedAssetName,
  Warehouse,
} from '../persistence/models';
import { AssetPut, AssetsPort, BranchesPort, WarehousesPort } from '../persistence/ports';
import { MetadataBytesCache, ObjectNotFoundError, ObjectStorage, TableNamingFileIO, type FileIO } from '../storage';
import { IcebergCatalogService } from './iceberg-catalog.service';
import { describeTable, NamespaceSegment, resolveBranch, TableSegment } from './http/iceberg-paths';
import { StoredMetadataUnreadableError } from './metadata';
import { assertTableLocationConfined, CatalogStorage } from './table-location';
import { tableConfig, WRITE_ACCESS, type TableAccess } from './table-config';
import { JsonChunks, tableResultChunks } from './table-result';

/** A table addressed by a request, with everything resolved that the pipelines need. */
export interface TableTarget extends CatalogStorage {
  tenantId: string;
  branch: string;
  namespace: NamespacePath;
  name: string;
}

/**
 * What the table reads, commits and administration services share: resolving the table a request addresses,
 * reading its metadata, building its rows, results and commit records, and the errors that name it.
 */
@Injectable()
export class TableContext {
  private readonly logger = new Logger('IcebergTables');

  constructor(
    private readonly catalogs: IcebergCatalogService,
    private readonly warehouses: WarehousesPort,
    private readonly assets: AssetsPort,
    private readonly branches: BranchesPort,
    private readonly storage: ObjectStorage,
    private readonly metadataCache: MetadataBytesCache,
    private readonly workers: MetadataWorkerPool,
  ) {}

  /** Catalog, branch (table `@b`, namespace `@b`, `?branch=`, main) and warehouse of a table route. */
  async resolveTableTarget(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
  ): Promise<TableTarget> {
    const tenantId = principal.tenantId;
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    return {
      tenantId,
      catalog,
      warehouse: await this.warehouseOf(tenantId, catalog),
      branch: resolveBranch({ table: table.branch, namespace: namespace.branch, query: queryBranch }),
      namespace: namespace.levels,
      name: table.name,
    };
  }

  /** The Iceberg table row on the target's branch, or 404 NoSuchTableException naming the branch. */
  async requireTableAsset(target: TableTarget): Promise<Asset> {
    const asset = await this.assets.getAsset(target.tenantId, target.catalog.name, target.branch, target.namespace, target.name);
    if (!asset || asset.kind !== 'ICEBERG_TABLE' || !asset.properties[METADATA_LOCATION_PROPERTY]) {
      throw this.noSuchTable(target);
    }
    return asset;
  }

  async requireBranch(tenantId: string, catalogName: string, branch: string): Promise<void> {
    if (!(await this.branches.getBranch(tenantId, catalogName, branch))) {
      throw new NotFoundError('branch', branch, `Branch '${branch}' does not exist in catalog '${catalogName}'`);
    }
  }

  async warehouseOf(tenantId: string, catalog: Catalog): Promise<Warehouse | null> {
    if (!catalog.warehouseName) return null;
    const warehouse = await this.warehouses.getWarehouse(tenantId, catalog.warehouseName);
    if (!warehouse) {
      throw new ValidationError(
        `Catalog '${catalog.name}' refers to warehouse '${catalog.warehouseName}', which does not exist`,
      );
    }
    return warehouse;
  }

  /** A new or changed table location, checked by the table location rules (see table-location.ts). */
  confinedLocation(target: TableTarget, location: string, id: string | undefined): Promise<string> {
    return assertTableLocationConfined(this.storage, this.assets, target, { ...target, id }, location);
  }

  /** The table's FileIO; its storage errors tell the client the table's name, never its file's path. */
  fileIoFor(target: TableTarget, location: string): FileIO {
    return new TableNamingFileIO(this.storage.fileIoFor(location, target.warehouse), describeTable(target.namespace, target.name));
  }

  /**
   * The current metadata bytes: the cache (files are immutable), else the file. A file entering the cache is
   * validated once, off the main thread for large ones: files this server did not write itself (registered,
   * or migrated from Pangolin v0.4.0) may need the legacy repairs of contract §7.4 before clients can read
   * them. A file the pointer names but storage lacks, or one that is not valid metadata, is a server-side
   * fault (500), never a client error.
   */
  async readMetadata(target: TableTarget, location: string): Promise<Buffer> {
    return this.metadataCache.getOrLoad(location, async () => {
      let fileBytes: Buffer;
      try {
        fileBytes = await this.fileIoFor(target, location).read(location);
      } catch (err) {
        if (err instanceof ObjectNotFoundError) throw new StoredMetadataUnreadableError(location, 'the file is missing');
        throw err;
      }
      try {
        return (await this.workers.validateMetadataFile(fileBytes)).metadataBytes;
      } catch (err) {
        if (err instanceof ValidationError) throw new StoredMetadataUnreadableError(location, err.message);
        throw err;
      }
    });
  }

  /**
   * LoadTableResult / CommitTableResponse bytes (with the Pangolin `id` extension), spliced, never parsed.
   * Every caller but loadTable creates, registers or commits, which only a caller allowed to write reaches.
   */
  tableResult(
    target: TableTarget,
    id: string | undefined,
    metadataLocation: string | null,
    metadataBytes: Buffer,
    access: TableAccess = WRITE_ACCESS,
  ): JsonChunks {
    return tableResultChunks(metadataLocation, metadataBytes, tableConfig(target.warehouse, access), id === undefined ? {} : { id });
  }

  tableRow(target: TableTarget, id: string | undefined, location: string, metadataLocation: string, existing?: Asset): AssetPut {
    return {
      id,
      namespace: target.namespace,
      name: target.name,
      kind: 'ICEBERG_TABLE',
      location,
      properties: { ...(existing?.properties ?? {}), [METADATA_LOCATION_PROPERTY]: metadataLocation },
    };
  }

  commitInfo(principal: Principal, operation: string, target: TableTarget): { author: string; message: string } {
    return { author: principal.username, message: `iceberg ${operation} ${describeTable(target.namespace, target.name)}` };
  }

  describeTarget(target: TableTarget): string {
    return `table ${describeTable(target.namespace, target.name)} on branch '${target.branch}'`;
  }

  noSuchTable(target: TableTarget): NotFoundError {
    return new NotFoundError(
      'table',
      qualifiedAssetName(target.namespace, target.name),
      `Table ${describeTable(target.namespace, target.name)} does not exist on branch '${target.branch}'`,
    );
  }

  tableExists(target: TableTarget): AlreadyExistsError {
    return new AlreadyExistsError(
      'table',
      qualifiedAssetName(target.namespace, target.name),
      `Table ${describeTable(target.namespace, target.name)} already exists on branch '${target.branch}'`,
    );
  }

  /** A create or register that lost the race against another one is 409 AlreadyExists. */
  translateCreateConflict(err: unknown, target: TableTarget): unknown {
    if (err instanceof ExpectationFailedError && err.failure === 'exists') return this.tableExists(target);
    if (err instanceof ExpectationFailedError && err.failure === 'location-mismatch') {
      return new ExpectationFailedError(describeTable(target.namespace, target.name), 'location-mismatch');
    }
    return err;
  }

  /** Removes a metadata file no pointer references (best effort: an orphaned file is harmless). */
  async discardUnreferencedFile(fileIo: FileIO, location: string, cause: unknown): Promise<void> {
    try {
      await fileIo.delete(location);
    } catch (err) {
      this.logger.warn(`Could not remove unreferenced metadata file ${location} (${describeError(cause)}): ${describeError(err)}`);
    }
  }
}

export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
