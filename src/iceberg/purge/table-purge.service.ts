import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { ROOT_LOGGER } from '../../observability/observability.tokens';
import { Asset, METADATA_LOCATION_PROPERTY, NamespacePath, qualifiedAssetName, Warehouse } from '../../persistence/models';
import { AssetsPort } from '../../persistence/ports';
import { normalizeLocation, ObjectNotFoundError, ObjectStorage, parseLocation, type FileIO } from '../../storage';
import { LocalFileGuard, type LocalFileVerdict } from './local-file-guard';
import { collectTableFiles, mapConcurrently } from './table-files';

/** The table a purge is for: its row as it was before the drop, and where it lived. */
export interface DroppedTable {
  tenantId: string;
  catalogName: string;
  branch: string;
  namespace: NamespacePath;
  name: string;
  warehouse: Warehouse | null;
  asset: Asset;
}

export interface PurgeCounts {
  /** Files removed. */
  deleted: number;
  /** Referenced files that were already gone. */
  missing: number;
  /** Referenced files outside the table's location (by name, or by real path through a symlink): left alone. */
  skippedOutside: number;
  /** Referenced files that are the server's own (data directory, database): left alone. */
  skippedServerFiles: number;
  /** Deletions the store refused or failed. */
  failed: number;
  /** Manifest lists and manifests that could not be read completely (their files may be orphaned). */
  unreadable: number;
}

/** How many deletions run at the same time. */
const DELETE_CONCURRENCY = 8;

/**
 * Deletes the files of a dropped table (`purgeRequested=true`): exactly the files its metadata references
 * (src/iceberg/purge/table-files.ts), inside its own location, one by one with FileIO.delete; never a
 * directory. Runs after the drop committed, so it never throws: a failure leaves orphaned files and a log
 * line, never a half-dropped table or a 5xx.
 */
@Injectable()
export class TablePurgeService {
  constructor(
    private readonly assets: AssetsPort,
    private readonly storage: ObjectStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Purges the dropped table's files and returns the counts (all zero when the files are kept). */
  async purgeDroppedTable(table: DroppedTable): Promise<PurgeCounts> {
    const counts: PurgeCounts = { deleted: 0, missing: 0, skippedOutside: 0, skippedServerFiles: 0, failed: 0, unreadable: 0 };
    const logFields = {
      event: 'table-purge',
      tenantId: table.tenantId,
      catalog: table.catalogName,
      branch: table.branch,
      table: qualifiedAssetName(table.namespace, table.name),
      location: table.asset.location,
    };
    try {
      // file:// only: symlinks and the server's own files are checked on the real filesystem.
      const guard = parseLocation(table.asset.location).scheme === 'file' ? await this.localGuard(table.asset.location) : undefined;
      const keptBecause = await this.reasonToKeepFiles(table, guard);
      if (keptBecause) {
        this.logger.info({ ...logFields, ...counts, kept: keptBecause }, 'table purge kept the files');
        return counts;
      }
      await this.deleteReferencedFiles(table, guard, counts, logFields);
      this.logger.info({ ...logFields, ...counts }, 'table purged');
    } catch (err) {
      // The drop has committed: whatever failed here leaves orphaned files, reported, and the 204 stands.
      this.logger.warn({ ...logFields, ...counts, error: describeError(err) }, 'table purge failed after the drop; files may be orphaned');
    }
    return counts;
  }

  /** Why no file may be deleted, or undefined. */
  private async reasonToKeepFiles(table: DroppedTable, guard: LocalFileGuard | undefined): Promise<string | undefined> {
    const sharing = await this.tenantAssetsSharingTable(table);
    if (sharing.length > 0) return `still referenced by ${sharing.slice(0, 5).join(', ')}${sharing.length > 5 ? ', …' : ''}`;
    return guard?.tableLocationConflict();
  }

  private async deleteReferencedFiles(
    table: DroppedTable,
    guard: LocalFileGuard | undefined,
    counts: PurgeCounts,
    logFields: Record<string, unknown>,
  ): Promise<void> {
    const { asset, warehouse } = table;
    const metadataLocation = asset.properties[METADATA_LOCATION_PROPERTY];
    const io = this.storage.fileIoFor(asset.location, warehouse);
    const metadata = await this.readMetadataDocument(io, metadataLocation, logFields);
    const collected = await collectTableFiles({
      tableLocation: asset.location,
      metadataLocation,
      metadata,
      // Every file read lies inside the table's location (the collector checks), so the table's FileIO serves it.
      read: (location) => readIfPresent(io, location),
    });
    counts.skippedOutside = collected.outside.length;
    counts.unreadable = collected.unreadable.length;
    for (const { location, reason } of collected.unreadable) {
      if (reason !== 'missing') this.logger.warn({ ...logFields, file: location, reason }, 'table purge could not read a manifest file completely; the files it lists past the fault are kept');
    }
    if (collected.outside.length > 0) {
      this.logger.warn({ ...logFields, files: collected.outside.slice(0, 20) }, "table purge skipped referenced files outside the table's location");
    }

    await mapConcurrently(collected.files, DELETE_CONCURRENCY, (location) => this.deleteOne(io, guard, location, counts, logFields));
  }

  /** Deletes one referenced file unless the guard refuses it; a failure is counted and logged, never thrown. */
  private async deleteOne(
    io: FileIO,
    guard: LocalFileGuard | undefined,
    location: string,
    counts: PurgeCounts,
    logFields: Record<string, unknown>,
  ): Promise<void> {
    try {
      const verdict: LocalFileVerdict = guard ? await guard.verdict(location) : 'allowed';
      if (verdict === 'outside') counts.skippedOutside += 1;
      else if (verdict === 'server-file') counts.skippedServerFiles += 1;
      else if (verdict === 'missing' || !(await io.exists(location))) counts.missing += 1;
      else {
        await io.delete(location);
        counts.deleted += 1;
      }
    } catch (err) {
      counts.failed += 1;
      this.logger.warn({ ...logFields, file: location, error: describeError(err) }, 'table purge could not delete a file');
    }
  }

  /** The parsed current metadata document, or undefined (logged) when it cannot be read. */
  private async readMetadataDocument(io: FileIO, location: string, logFields: Record<string, unknown>): Promise<unknown> {
    try {
      const bytes = await readIfPresent(io, location);
      if (bytes === undefined) return undefined;
      // Only path strings are read from the document, so the plain parser is enough (64-bit ids unused).
      return JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      this.logger.warn({ ...logFields, file: location, error: describeError(err) }, 'table purge could not read the metadata file');
      return undefined;
    }
  }

  private localGuard(tableLocation: string): Promise<LocalFileGuard> {
    const database = this.config.database;
    return LocalFileGuard.create(tableLocation, {
      dataDir: path.resolve(this.config.dataDir),
      defaultWarehouseDir: '/' + parseLocation(this.storage.defaultWarehouseLocation).segments.join('/'),
      sqliteFile: database.kind === 'sqlite' ? database.file : undefined,
    });
  }

  /**
   * Other asset rows of the tenant, on any branch of any catalog, that still reference the dropped table:
   * rows whose location equals, lies inside or contains the table's (one query). That covers the same asset
   * on other branches (a branch copy keeps the location) and registered copies (a registered table takes the
   * location its metadata file names). Deleting any file would break them.
   */
  private async tenantAssetsSharingTable(table: DroppedTable): Promise<string[]> {
    let location: string;
    try {
      location = normalizeLocation(table.asset.location);
    } catch {
      // A stored location this server no longer accepts: nothing can be proven unshared, keep every file.
      return ['(a location that cannot be checked)'];
    }
    const rows = await this.assets.findAssetsOverlappingLocation(table.tenantId, location);
    return rows
      .filter(
        (row) =>
          !(
            row.catalogName === table.catalogName &&
            row.branch === table.branch &&
            qualifiedAssetName(row.namespace, row.name) === qualifiedAssetName(table.namespace, table.name)
          ),
      )
      .map((row) => `${row.catalogName}@${row.branch}:${qualifiedAssetName(row.namespace, row.name)}`);
  }
}

async function readIfPresent(io: FileIO, location: string): Promise<Buffer | undefined> {
  try {
    return await io.read(location);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
