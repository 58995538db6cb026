import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ExpectationFailedError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { MetadataWorkerPool } from '../metadata-workers';
import { METADATA_LOCATION_PROPERTY } from '../persistence/models';
import { AssetsPort, UnitOfWorkPort } from '../persistence/ports';
import { MetadataBytesCache, ObjectNotFoundError, ObjectStorage } from '../storage';
import { IcebergCatalogService } from './iceberg-catalog.service';
import { describeTable, NamespaceSegment, resolveBranch, splitBranchSuffix, TableSegment } from './http/iceberg-paths';
import {
  assertWellFormedText,
  JsonObject,
  optionalBoolean,
  requiredString,
  requiredTableIdentifier,
} from './http/json-body';
import { readTopLevelFields, TopLevelField } from './http/top-level-fields';
import { nextMetadataFileName } from './metadata';
import { NamespaceService } from './namespace.service';
import { TablePurgeService } from './purge/table-purge.service';
import { assertInsideCatalogStorage, defaultTableLocation } from './table-location';
import { TableContext, TableTarget } from './table-context';
import { JsonChunks } from './table-result';

/**
 * Iceberg table administration: create (and stage-create), register, drop with the purge hand-off, and
 * rename (DESIGN §3.2, contract iceberg-rest §6–§8). Metadata files are written BEFORE the pointer moves;
 * every change of a branch's content goes through UnitOfWorkPort.commitChanges.
 */
@Injectable()
export class TableAdminService {
  constructor(
    private readonly context: TableContext,
    private readonly catalogs: IcebergCatalogService,
    private readonly namespaces: NamespaceService,
    private readonly assets: AssetsPort,
    private readonly unitOfWork: UnitOfWorkPort,
    private readonly storage: ObjectStorage,
    private readonly metadataCache: MetadataBytesCache,
    private readonly workers: MetadataWorkerPool,
    private readonly purger: TablePurgeService,
  ) {}


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
      warehouse: await this.context.warehouseOf(tenantId, catalog),
      branch,
      namespace: namespace.levels,
      name,
    };
    if (await this.assets.getAsset(tenantId, catalog.name, branch, namespace.levels, name)) {
      throw this.context.tableExists(target);
    }
    const location = await this.context.confinedLocation(
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
      return this.context.tableResult(target, undefined, null, created.metadataBytes);
    }

    const metadataLocation = nextMetadataFileName(null, location, randomUUID());
    const fileIo = this.context.fileIoFor(target, metadataLocation);
    await fileIo.write(metadataLocation, created.metadataBytes);
    try {
      await this.unitOfWork.commitChanges(
        tenantId,
        catalog.name,
        branch,
        {
          puts: [this.context.tableRow(target, tableUuid, location, metadataLocation)],
          deletes: [],
          expectations: [{ namespace: target.namespace, name, state: 'absent' }],
        },
        this.context.commitInfo(principal, 'create', target),
        { createBranchIfMissing: true },
      );
    } catch (err) {
      await this.context.discardUnreferencedFile(fileIo, metadataLocation, err);
      throw this.context.translateCreateConflict(err, target);
    }
    this.metadataCache.set(metadataLocation, created.metadataBytes);
    return this.context.tableResult(target, tableUuid, metadataLocation, created.metadataBytes);
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
      warehouse: await this.context.warehouseOf(tenantId, catalog),
      branch,
      namespace: namespace.levels,
      name,
    };
    // Only files of this catalog's storage can be registered, checked before anything is read (symbolic
    // links resolved): anything else would let a caller read arbitrary files of the server or of other
    // tenants, or probe which files exist.
    const metadataLocation = await assertInsideCatalogStorage(this.storage, target, requestedMetadataLocation);
    const existing = await this.assets.getAsset(tenantId, catalog.name, branch, target.namespace, name);
    if (existing && !overwrite) throw this.context.tableExists(target);

    let fileBytes: Buffer;
    try {
      fileBytes = await this.context.fileIoFor(target, metadataLocation).read(metadataLocation);
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
    const location = await this.context.confinedLocation(target, validated.summary.location, id);
    try {
      await this.unitOfWork.commitChanges(
        tenantId,
        catalog.name,
        branch,
        {
          puts: [this.context.tableRow(target, id, location, metadataLocation, existing ?? undefined)],
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
        this.context.commitInfo(principal, 'register', target),
        { createBranchIfMissing: true },
      );
    } catch (err) {
      throw this.context.translateCreateConflict(err, target);
    }
    this.metadataCache.set(metadataLocation, validated.metadataBytes);
    return this.context.tableResult(target, id, metadataLocation, validated.metadataBytes);
  }

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
    const target = await this.context.resolveTableTarget(principal, prefix, namespace, table, queryBranch);
    const asset = await this.context.requireTableAsset(target);
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
        this.context.commitInfo(principal, 'drop', target),
      );
    } catch (err) {
      if (err instanceof ExpectationFailedError && err.failure === 'missing') throw this.context.noSuchTable(target);
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
    const asset = await this.context.requireTableAsset(sourceTarget);
    await this.namespaces.require(tenantId, catalog.name, destination.namespace);
    if (await this.assets.getAsset(tenantId, catalog.name, branch, destination.namespace, destination.name)) {
      throw this.context.tableExists(destinationTarget);
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
        if (err.failure === 'exists') throw this.context.tableExists(destinationTarget);
        if (err.failure === 'missing') throw this.context.noSuchTable(sourceTarget);
      }
      throw err;
    }
  }
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
