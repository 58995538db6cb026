import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  AlreadyExistsError,
  CommitStateUnknownError,
  ConflictError,
  DomainError,
  ExpectationFailedError,
  NotFoundError,
  ValidationError,
} from '../common/errors';
import type { Principal } from '../common/http/principal';
import { slicePage } from '../common/http/pagination';
import { KeyedSerialQueue } from '../common/keyed-serial-queue';
import { parseJsonLossless } from '../common/lossless-json';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { MetadataWorkerPool } from '../metadata-workers';
import { MetricsService } from '../observability/metrics.service';
import {
  Asset,
  Catalog,
  METADATA_LOCATION_PROPERTY,
  NamespacePath,
  Pagination,
  qualifiedAssetName,
  Warehouse,
} from '../persistence/models';
import { AssetPut, AssetsPort, BranchesPort, UnitOfWorkPort, WarehousesPort } from '../persistence/ports';
import {
  InvalidLocationError,
  MetadataBytesCache,
  normalizeLocation,
  ObjectNotFoundError,
  ObjectStorage,
  TableNamingFileIO,
  type FileIO,
} from '../storage';
import { IcebergCatalogService } from './iceberg-catalog.service';
import { describeTable, NamespaceSegment, resolveBranch, splitBranchSuffix, TableSegment } from './http/iceberg-paths';
import {
  assertWellFormedText,
  isJsonObject,
  JsonObject,
  optionalBoolean,
  requiredString,
  requiredTableIdentifier,
} from './http/json-body';
import { readTopLevelFields, TopLevelField } from './http/top-level-fields';
import { nextMetadataFileName, StoredMetadataUnreadableError } from './metadata';
import { NamespaceService } from './namespace.service';
import { TablePurgeService } from './purge/table-purge.service';
import {
  assertInsideCatalogStorage,
  assertTableLocationConfined,
  CatalogStorage,
  defaultTableLocation,
} from './table-location';
import { configDependsOnWriteAccess, tableConfig, WRITE_ACCESS, type TableAccess } from './table-config';
import { JsonChunks, tableResultChunks } from './table-result';

/** A table addressed by a request, with everything resolved that the pipelines need. */
interface TableTarget extends CatalogStorage {
  tenantId: string;
  branch: string;
  namespace: NamespacePath;
  name: string;
}

/**
 * Iceberg tables: the create / load / commit / drop / rename / register pipelines (DESIGN §3.2, contract
 * iceberg-rest §6–§8).
 *
 * Metadata documents never get parsed on the main thread: they are created, changed and validated by the
 * metadata worker pool (inline below a size threshold) as bytes, and responses splice those bytes into the
 * response body. Metadata files are written BEFORE the pointer moves; every change of a branch's content
 * goes through UnitOfWorkPort.commitChanges, which moves the pointer and appends a Commit atomically.
 */
@Injectable()
export class TableService {
  private readonly logger = new Logger('IcebergTables');
  /**
   * Commits to one table on one branch that reach this instance together run one after another, each on the
   * previous one's result: without it, all but one of them would lose the pointer swap and burn their retries
   * against each other. Commits from other replicas are still handled by the retry loop.
   */
  private readonly commitsPerTable = new KeyedSerialQueue();

  constructor(
    private readonly catalogs: IcebergCatalogService,
    private readonly namespaces: NamespaceService,
    private readonly warehouses: WarehousesPort,
    private readonly assets: AssetsPort,
    private readonly branches: BranchesPort,
    private readonly unitOfWork: UnitOfWorkPort,
    private readonly storage: ObjectStorage,
    private readonly metadataCache: MetadataBytesCache,
    private readonly workers: MetadataWorkerPool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly purger: TablePurgeService,
  ) {}

  // ---------------------------------------------------------------------------------------------------
  // Reads

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
    await this.requireBranch(tenantId, catalog.name, branch);
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
    const target = await this.resolveTableTarget(principal, prefix, namespace, table, queryBranch);
    const asset = await this.requireTableAsset(target);
    const metadataLocation = asset.properties[METADATA_LOCATION_PROPERTY];
    const metadataBytes = await this.readMetadata(target, metadataLocation);
    const access: TableAccess = { mayWrite: configDependsOnWriteAccess(target.warehouse) && (await mayWrite()) };
    return this.tableResult(target, asset.id, metadataLocation, metadataBytes, access);
  }

  /** HEAD: NotFoundError unless the table exists on the branch. */
  async assertTableExists(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
  ): Promise<void> {
    const target = await this.resolveTableTarget(principal, prefix, namespace, table, queryBranch);
    await this.requireTableAsset(target);
  }

  // ---------------------------------------------------------------------------------------------------
  // Create and register

  /**
   * Creates a table (or, with `stage-create`, only builds its metadata and persists nothing, contract §8.7).
   * The branch is the body name's `@b`, then the namespace segment's, then `?branch=`, then main; a branch
   * that does not exist is created empty (fork-on-write).
   */
  async createTable(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    queryBranch: unknown,
    body: Buffer,
  ): Promise<JsonChunks> {
    const fields = readTopLevelFields(body, ['name', 'location', 'stage-create']);
    const rawName = scalarString(fields.get('name'), 'name', true);
    const { name, branch: nameBranch } = splitBranchSuffix(rawName);
    if (name === '') throw new ValidationError("Field 'name' must not be empty");
    const requestedLocation = scalarString(fields.get('location'), 'location', false);
    const stageCreate = scalarBoolean(fields.get('stage-create'), 'stage-create');

    const tenantId = principal.tenantId;
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    await this.namespaces.require(tenantId, catalog.name, namespace.levels);
    const branch = resolveBranch({ table: nameBranch, namespace: namespace.branch, query: queryBranch });
    const target: TableTarget = {
      tenantId,
      catalog,
      warehouse: await this.warehouseOf(tenantId, catalog),
      branch,
      namespace: namespace.levels,
      name,
    };
    if (await this.assets.getAsset(tenantId, catalog.name, branch, namespace.levels, name)) {
      throw this.tableExists(target);
    }
    const location = await this.confinedLocation(
      target,
      requestedLocation !== undefined && requestedLocation !== ''
        ? requestedLocation
        : defaultTableLocation(this.storage, target, target.namespace, name),
      undefined,
    );

    const tableUuid = randomUUID();
    const created = await this.workers.createTable(body, { location, tableUuid, nowMs: Date.now() });
    if (stageCreate) {
      // Nothing is persisted: the client commits later with assert-create. No id, no metadata location.
      return this.tableResult(target, undefined, null, created.metadataBytes);
    }

    const metadataLocation = nextMetadataFileName(null, location, randomUUID());
    const fileIo = this.fileIoFor(target, metadataLocation);
    await fileIo.write(metadataLocation, created.metadataBytes);
    try {
      await this.unitOfWork.commitChanges(
        tenantId,
        catalog.name,
        branch,
        {
          puts: [this.tableRow(target, tableUuid, location, metadataLocation)],
          deletes: [],
          expectations: [{ namespace: target.namespace, name, state: 'absent' }],
        },
        this.commitInfo(principal, 'create', target),
        { createBranchIfMissing: true },
      );
    } catch (err) {
      await this.discardUnreferencedFile(fileIo, metadataLocation, err);
      throw this.translateCreateConflict(err, target);
    }
    this.metadataCache.set(metadataLocation, created.metadataBytes);
    return this.tableResult(target, tableUuid, metadataLocation, created.metadataBytes);
  }

  /**
   * Registers an existing metadata file as a table (contract §6.8): the file must lie inside the catalog's
   * storage and be valid table metadata (400 otherwise); an existing table is 409 unless `overwrite`.
   */
  async registerTable(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    queryBranch: unknown,
    body: JsonObject,
  ): Promise<JsonChunks> {
    const rawName = requiredString(body, 'name');
    const { name, branch: nameBranch } = splitBranchSuffix(rawName);
    if (name === '') throw new ValidationError("Field 'name' must not be empty");
    const requestedMetadataLocation = requiredString(body, 'metadata-location');
    const overwrite = optionalBoolean(body, 'overwrite') ?? false;

    const tenantId = principal.tenantId;
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    await this.namespaces.require(tenantId, catalog.name, namespace.levels);
    const branch = resolveBranch({ table: nameBranch, namespace: namespace.branch, query: queryBranch });
    const target: TableTarget = {
      tenantId,
      catalog,
      warehouse: await this.warehouseOf(tenantId, catalog),
      branch,
      namespace: namespace.levels,
      name,
    };
    // Only files of this catalog's storage can be registered, checked before anything is read (symbolic
    // links resolved): anything else would let a caller read arbitrary files of the server or of other
    // tenants, or probe which files exist.
    const metadataLocation = await assertInsideCatalogStorage(this.storage, target, requestedMetadataLocation);
    const existing = await this.assets.getAsset(tenantId, catalog.name, branch, target.namespace, name);
    if (existing && !overwrite) throw this.tableExists(target);

    let fileBytes: Buffer;
    try {
      fileBytes = await this.fileIoFor(target, metadataLocation).read(metadataLocation);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) {
        throw new ValidationError(`Metadata file '${requestedMetadataLocation}' does not exist`);
      }
      throw err;
    }
    let validated: Awaited<ReturnType<MetadataWorkerPool['validateMetadataFile']>>;
    try {
      validated = await this.workers.validateMetadataFile(fileBytes);
    } catch (err) {
      // Parser and validation messages quote the document; its bytes are never echoed.
      if (err instanceof ValidationError) {
        throw new ValidationError(`Metadata file '${requestedMetadataLocation}' is not valid Iceberg table metadata`);
      }
      throw err;
    }
    // A new row gets a fresh id: the file may well belong to a table this catalog already holds (ids are
    // unique per branch), e.g. the same table on another branch.
    const id = existing?.id ?? randomUUID();
    const location = await this.confinedLocation(target, validated.summary.location, id);
    try {
      await this.unitOfWork.commitChanges(
        tenantId,
        catalog.name,
        branch,
        {
          puts: [this.tableRow(target, id, location, metadataLocation, existing ?? undefined)],
          deletes: [],
          expectations: [
            existing
              ? {
                  namespace: target.namespace,
                  name,
                  state: 'present',
                  metadataLocation: existing.properties[METADATA_LOCATION_PROPERTY] ?? null,
                }
              : { namespace: target.namespace, name, state: 'absent' },
          ],
        },
        this.commitInfo(principal, 'register', target),
        { createBranchIfMissing: true },
      );
    } catch (err) {
      throw this.translateCreateConflict(err, target);
    }
    this.metadataCache.set(metadataLocation, validated.metadataBytes);
    return this.tableResult(target, id, metadataLocation, validated.metadataBytes);
  }

  // ---------------------------------------------------------------------------------------------------
  // Commit

  /**
   * The commit pipeline (DESIGN §3.2): read the pointer, get the metadata bytes, check requirements and
   * apply updates in the worker pool, write the new file, swap the pointer with commitChanges. A lost swap
   * re-runs from the read while the client's requirements still hold, at most `commitMaxRetries` times.
   * A table missing on the branch is a create transaction when the requirements carry `assert-create`.
   */
  async commitTable(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
    body: Buffer,
  ): Promise<JsonChunks> {
    try {
      return await this.commitWithRetries(principal, prefix, namespace, table, queryBranch, body);
    } catch (err) {
      if (err instanceof ConflictError) this.metrics.commitConflicts.inc();
      throw err;
    }
  }

  private async commitWithRetries(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
    body: Buffer,
  ): Promise<JsonChunks> {
    const target = await this.resolveTableTarget(principal, prefix, namespace, table, queryBranch);
    const tableKey = [target.tenantId, target.catalog.name, target.branch, ...target.namespace, target.name].join('\u0000');
    return this.commitsPerTable.run(tableKey, () => this.commitInSequence(principal, target, body));
  }

  private async commitInSequence(principal: Principal, target: TableTarget, body: Buffer): Promise<JsonChunks> {
    const maxAttempts = this.config.metadata.commitMaxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      const asset = await this.assets.getAsset(target.tenantId, target.catalog.name, target.branch, target.namespace, target.name);
      const result = asset
        ? await this.commitToExistingTable(principal, target, asset, body)
        : await this.commitCreateTransaction(principal, target, body);
      if (result.kind === 'done') return result.response;
      if (attempt >= maxAttempts) {
        throw new ExpectationFailedError(
          describeTable(target.namespace, target.name),
          'location-mismatch',
          `Commit to ${this.describeTarget(target)} failed: the table changed concurrently ${attempt} times; ` +
            'refresh and retry',
        );
      }
      this.metrics.commitRetries.inc();
      this.logger.debug(`Pointer of ${this.describeTarget(target)} moved concurrently; re-running commit (attempt ${attempt + 1})`);
      await sleep(retryBackoffMs(attempt));
    }
  }

  private async commitToExistingTable(
    principal: Principal,
    target: TableTarget,
    asset: Asset,
    body: Buffer,
  ): Promise<CommitAttempt> {
    const currentLocation = asset.properties[METADATA_LOCATION_PROPERTY];
    if (asset.kind !== 'ICEBERG_TABLE' || !currentLocation) {
      // Another kind of asset holds the name: no table to commit to, and none can be created there.
      throw requestsAssertCreate(body) ? this.tableExists(target) : this.noSuchTable(target);
    }
    const currentBytes = await this.readMetadata(target, currentLocation);
    // Requirements are checked against exactly these bytes: RequirementFailedError (409) or a validation
    // error (400) ends the commit with nothing written.
    const committed = await this.workers.commitTable({ bytes: currentBytes, location: currentLocation }, body, {
      nowMs: Date.now(),
    });
    if (!committed.summary.changed) {
      // A no-op commit: nothing is written, the pointer stays.
      return { kind: 'done', response: this.tableResult(target, asset.id, currentLocation, committed.metadataBytes) };
    }
    // A location accepted when it was set stays valid (tables created before the tenant-scoped layout
    // keep working); a changed one (set-location) is checked in full.
    const requested = normalizeLocation(committed.summary.location);
    const location = sameLocation(requested, asset.location)
      ? requested
      : await this.confinedLocation(target, requested, asset.id);
    const newMetadataLocation = nextMetadataFileName(currentLocation, location, randomUUID());
    const fileIo = this.fileIoFor(target, newMetadataLocation);
    await fileIo.write(newMetadataLocation, committed.metadataBytes);
    try {
      await this.unitOfWork.commitChanges(
        target.tenantId,
        target.catalog.name,
        target.branch,
        {
          puts: [this.tableRow(target, asset.id, location, newMetadataLocation, asset)],
          deletes: [],
          expectations: [
            { namespace: target.namespace, name: target.name, state: 'present', metadataLocation: currentLocation },
          ],
        },
        this.commitInfo(principal, 'commit', target),
      );
    } catch (err) {
      if (isLostSwap(err)) {
        await this.discardUnreferencedFile(fileIo, newMetadataLocation, err);
        return { kind: 'retry' };
      }
      if (err instanceof ExpectationFailedError && err.failure === 'missing') {
        await this.discardUnreferencedFile(fileIo, newMetadataLocation, err);
        throw this.noSuchTable(target);
      }
      throw await this.afterFailedSwap(err, fileIo, newMetadataLocation, target);
    }
    this.metadataCache.set(newMetadataLocation, committed.metadataBytes);
    return { kind: 'done', response: this.tableResult(target, asset.id, newMetadataLocation, committed.metadataBytes) };
  }

  /**
   * Commit to a table absent from the branch: only a create transaction (requirements with `assert-create`,
   * contract §8.7) may do that; anything else is 404. Starts from empty metadata, writes version 00000.
   */
  private async commitCreateTransaction(principal: Principal, target: TableTarget, body: Buffer): Promise<CommitAttempt> {
    if (!requestsAssertCreate(body)) throw this.noSuchTable(target);
    await this.namespaces.require(target.tenantId, target.catalog.name, target.namespace);
    const committed = await this.workers.commitTable(null, body, { nowMs: Date.now(), tableUuid: randomUUID() });
    const id = committed.summary.tableUuid;
    const location = await this.confinedLocation(target, committed.summary.location, id);
    const metadataLocation = nextMetadataFileName(null, location, randomUUID());
    const fileIo = this.fileIoFor(target, metadataLocation);
    await fileIo.write(metadataLocation, committed.metadataBytes);
    try {
      await this.unitOfWork.commitChanges(
        target.tenantId,
        target.catalog.name,
        target.branch,
        {
          puts: [this.tableRow(target, id, location, metadataLocation)],
          deletes: [],
          expectations: [{ namespace: target.namespace, name: target.name, state: 'absent' }],
        },
        this.commitInfo(principal, 'create', target),
        { createBranchIfMissing: true },
      );
    } catch (err) {
      if (err instanceof ExpectationFailedError && err.failure === 'exists') {
        // Another create won the race; assert-create now fails against it.
        await this.discardUnreferencedFile(fileIo, metadataLocation, err);
        throw this.tableExists(target);
      }
      throw await this.afterFailedSwap(err, fileIo, metadataLocation, target);
    }
    this.metadataCache.set(metadataLocation, committed.metadataBytes);
    return { kind: 'done', response: this.tableResult(target, id, metadataLocation, committed.metadataBytes) };
  }

  /**
   * What a failed pointer swap becomes. Errors that are the unit of work's own decision (a failed
   * expectation, a missing catalog or branch, invalid input) mean nothing was written: the new file is
   * removed and the error stands. Anything else (a lost connection, a driver fault) leaves the outcome
   * unknown: the file is kept, since the swap may have committed, and the client is told so
   * (CommitStateUnknownException, 5xx) rather than a 409 or 503 after which it would delete data files a
   * committed snapshot references.
   */
  private async afterFailedSwap(err: unknown, fileIo: FileIO, location: string, target: TableTarget): Promise<unknown> {
    if (err instanceof CommitStateUnknownError) return err;
    if (err instanceof DomainError && DEFINITE_FAILURE_KINDS.has(err.kind)) {
      await this.discardUnreferencedFile(fileIo, location, err);
      return err;
    }
    this.logger.error(
      `Commit to ${this.describeTarget(target)}: outcome of the pointer swap is unknown (${describeError(err)})`,
    );
    return new CommitStateUnknownError(
      `The outcome of the commit to ${this.describeTarget(target)} is unknown; reload the table before retrying`,
    );
  }

  // ---------------------------------------------------------------------------------------------------
  // Drop and rename

  /**
   * Removes the table from the branch (a Commit with a Delete). With `purge`, then deletes the files its
   * metadata references (TablePurgeService), unless another row still references the table; the answer
   * carries how many files were deleted. A purge failure never undoes or fails the drop.
   */
  async dropTable(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
    purge: boolean,
  ): Promise<{ purgedFiles?: number }> {
    const target = await this.resolveTableTarget(principal, prefix, namespace, table, queryBranch);
    const asset = await this.requireTableAsset(target);
    try {
      await this.unitOfWork.commitChanges(
        target.tenantId,
        target.catalog.name,
        target.branch,
        {
          puts: [],
          deletes: [{ namespace: target.namespace, name: target.name }],
          expectations: [{ namespace: target.namespace, name: target.name, state: 'present' }],
        },
        this.commitInfo(principal, 'drop', target),
      );
    } catch (err) {
      if (err instanceof ExpectationFailedError && err.failure === 'missing') throw this.noSuchTable(target);
      throw err;
    }
    if (!purge) return {};
    const purged = await this.purger.purgeDroppedTable({
      tenantId: target.tenantId,
      catalogName: target.catalog.name,
      branch: target.branch,
      namespace: target.namespace,
      name: target.name,
      warehouse: target.warehouse,
      asset,
    });
    return { purgedFiles: purged.deleted };
  }

  /** Renames a table on main (contract §6.7); the row keeps its id, location and files. */
  async renameTable(principal: Principal, prefix: string, body: JsonObject): Promise<void> {
    const source = requiredTableIdentifier(body, 'source');
    const destination = requiredTableIdentifier(body, 'destination');
    const tenantId = principal.tenantId;
    const catalog = await this.catalogs.requireCatalog(tenantId, prefix);
    const branch = resolveBranch({});
    const sourceTarget: TableTarget = { tenantId, catalog, warehouse: null, branch, ...source };
    const destinationTarget: TableTarget = { tenantId, catalog, warehouse: null, branch, ...destination };
    const asset = await this.requireTableAsset(sourceTarget);
    await this.namespaces.require(tenantId, catalog.name, destination.namespace);
    if (await this.assets.getAsset(tenantId, catalog.name, branch, destination.namespace, destination.name)) {
      throw this.tableExists(destinationTarget);
    }
    const metadataLocation = asset.properties[METADATA_LOCATION_PROPERTY] ?? null;
    try {
      await this.unitOfWork.commitChanges(
        tenantId,
        catalog.name,
        branch,
        {
          puts: [
            {
              id: asset.id,
              namespace: destination.namespace,
              name: destination.name,
              kind: asset.kind,
              location: asset.location,
              properties: { ...asset.properties },
            },
          ],
          deletes: [{ namespace: source.namespace, name: source.name }],
          expectations: [
            { namespace: source.namespace, name: source.name, state: 'present', metadataLocation },
            { namespace: destination.namespace, name: destination.name, state: 'absent' },
          ],
        },
        {
          author: principal.username,
          message: `iceberg rename ${describeTable(source.namespace, source.name)} to ${describeTable(destination.namespace, destination.name)}`,
        },
      );
    } catch (err) {
      if (err instanceof ExpectationFailedError) {
        if (err.failure === 'exists') throw this.tableExists(destinationTarget);
        if (err.failure === 'missing') throw this.noSuchTable(sourceTarget);
      }
      throw err;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Helpers

  /** Catalog, branch (table `@b`, namespace `@b`, `?branch=`, main) and warehouse of a table route. */
  private async resolveTableTarget(
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
  private async requireTableAsset(target: TableTarget): Promise<Asset> {
    const asset = await this.assets.getAsset(target.tenantId, target.catalog.name, target.branch, target.namespace, target.name);
    if (!asset || asset.kind !== 'ICEBERG_TABLE' || !asset.properties[METADATA_LOCATION_PROPERTY]) {
      throw this.noSuchTable(target);
    }
    return asset;
  }

  private async requireBranch(tenantId: string, catalogName: string, branch: string): Promise<void> {
    if (!(await this.branches.getBranch(tenantId, catalogName, branch))) {
      throw new NotFoundError('branch', branch, `Branch '${branch}' does not exist in catalog '${catalogName}'`);
    }
  }

  private async warehouseOf(tenantId: string, catalog: Catalog): Promise<Warehouse | null> {
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
  private confinedLocation(target: TableTarget, location: string, id: string | undefined): Promise<string> {
    return assertTableLocationConfined(this.storage, this.assets, target, { ...target, id }, location);
  }

  /** The table's FileIO; its storage errors tell the client the table's name, never its file's path. */
  private fileIoFor(target: TableTarget, location: string): FileIO {
    return new TableNamingFileIO(this.storage.fileIoFor(location, target.warehouse), describeTable(target.namespace, target.name));
  }

  /**
   * The current metadata bytes: the cache (files are immutable), else the file. A file entering the cache is
   * validated once, off the main thread for large ones: files this server did not write itself (registered,
   * or migrated from Pangolin v0.4.0) may need the legacy repairs of contract §7.4 before clients can read
   * them. A file the pointer names but storage lacks, or one that is not valid metadata, is a server-side
   * fault (500), never a client error.
   */
  private async readMetadata(target: TableTarget, location: string): Promise<Buffer> {
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
  private tableResult(
    target: TableTarget,
    id: string | undefined,
    metadataLocation: string | null,
    metadataBytes: Buffer,
    access: TableAccess = WRITE_ACCESS,
  ): JsonChunks {
    return tableResultChunks(metadataLocation, metadataBytes, tableConfig(target.warehouse, access), id === undefined ? {} : { id });
  }

  private tableRow(target: TableTarget, id: string | undefined, location: string, metadataLocation: string, existing?: Asset): AssetPut {
    return {
      id,
      namespace: target.namespace,
      name: target.name,
      kind: 'ICEBERG_TABLE',
      location,
      properties: { ...(existing?.properties ?? {}), [METADATA_LOCATION_PROPERTY]: metadataLocation },
    };
  }

  private commitInfo(principal: Principal, operation: string, target: TableTarget): { author: string; message: string } {
    return { author: principal.username, message: `iceberg ${operation} ${describeTable(target.namespace, target.name)}` };
  }

  private describeTarget(target: TableTarget): string {
    return `table ${describeTable(target.namespace, target.name)} on branch '${target.branch}'`;
  }

  private noSuchTable(target: TableTarget): NotFoundError {
    return new NotFoundError(
      'table',
      qualifiedAssetName(target.namespace, target.name),
      `Table ${describeTable(target.namespace, target.name)} does not exist on branch '${target.branch}'`,
    );
  }

  private tableExists(target: TableTarget): AlreadyExistsError {
    return new AlreadyExistsError(
      'table',
      qualifiedAssetName(target.namespace, target.name),
      `Table ${describeTable(target.namespace, target.name)} already exists on branch '${target.branch}'`,
    );
  }

  /** A create or register that lost the race against another one is 409 AlreadyExists. */
  private translateCreateConflict(err: unknown, target: TableTarget): unknown {
    if (err instanceof ExpectationFailedError && err.failure === 'exists') return this.tableExists(target);
    if (err instanceof ExpectationFailedError && err.failure === 'location-mismatch') {
      return new ExpectationFailedError(describeTable(target.namespace, target.name), 'location-mismatch');
    }
    return err;
  }

  /** Removes a metadata file no pointer references (best effort: an orphaned file is harmless). */
  private async discardUnreferencedFile(fileIo: FileIO, location: string, cause: unknown): Promise<void> {
    try {
      await fileIo.delete(location);
    } catch (err) {
      this.logger.warn(`Could not remove unreferenced metadata file ${location} (${describeError(cause)}): ${describeError(err)}`);
    }
  }
}

type CommitAttempt = { kind: 'done'; response: JsonChunks } | { kind: 'retry' };

/** Error kinds the unit of work raises BEFORE writing anything: the commit definitely did not happen. */
const DEFINITE_FAILURE_KINDS: ReadonlySet<string> = new Set([
  'not-found',
  'already-exists',
  'expectation-failed',
  'conflict',
  'validation',
  'forbidden',
]);

/**
 * The swap did not happen because the table moved underneath (another commit won), or the backend aborted
 * the transaction on a write conflict (a serialization failure, translated to a plain ConflictError):
 * nothing was written, and re-running the commit against the newer metadata is safe.
 */
function isLostSwap(err: unknown): boolean {
  if (err instanceof ExpectationFailedError) return err.failure === 'location-mismatch';
  return err instanceof ConflictError && err.kind === 'conflict';
}

/** True when the commit body's `requirements` contain `assert-create` (only that small array is parsed). */
function requestsAssertCreate(body: Buffer): boolean {
  const requirements = readTopLevelFields(body, ['requirements']).get('requirements');
  if (!requirements || requirements.kind !== 'container') return false;
  const parsed = parseJsonLossless(requirements.json);
  return Array.isArray(parsed) && parsed.some((r) => isJsonObject(r) && r.type === 'assert-create');
}

function scalarString(field: TopLevelField | undefined, name: string, required: true): string;
function scalarString(field: TopLevelField | undefined, name: string, required: false): string | undefined;
function scalarString(field: TopLevelField | undefined, name: string, required: boolean): string | undefined {
  if (field === undefined || (field.kind === 'scalar' && field.value === null)) {
    if (required) throw new ValidationError(`Field '${name}' is required`);
    return undefined;
  }
  if (field.kind !== 'scalar' || typeof field.value !== 'string') {
    throw new ValidationError(`Field '${name}' must be a string`);
  }
  return assertWellFormedText(field.value, `Field '${name}'`);
}

function scalarBoolean(field: TopLevelField | undefined, name: string): boolean {
  if (field === undefined || (field.kind === 'scalar' && field.value === null)) return false;
  if (field.kind !== 'scalar' || typeof field.value !== 'boolean') throw new ValidationError(`Field '${name}' must be a boolean`);
  return field.value;
}

/**
 * Pause before re-running a commit that lost its pointer swap to another replica: exponential with full
 * jitter (at most 5, 10, 20, ... 200 ms), so replicas racing on one table spread out instead of colliding
 * again in lockstep.
 */
function retryBackoffMs(attempt: number): number {
  return Math.random() * Math.min(200, 5 * 2 ** (attempt - 1));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Both spell the same place (a stored location that no longer parses is never the same). */
function sameLocation(canonical: string, stored: string): boolean {
  try {
    return normalizeLocation(stored) === canonical;
  } catch (err) {
    if (err instanceof InvalidLocationError) return false;
    throw err;
  }
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
