import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { ValidationError } from '../common/errors';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { Warehouse } from '../persistence/models';
import { assertRealPathInside } from './confinement';
import { InvalidLocationError, StorageUnavailableError } from './errors';
import type { FileIO } from './file-io';
import { LocalFileIO } from './local-file-io';
import { isLocationUnder, joinLocation, parseLocation } from './location';
import { MemoryFileIO } from './memory-file-io';
import { createS3Client, S3FileIO } from './s3-file-io';
import { configuredBucket, configuredPrefix, resolveS3Settings, type S3Settings } from './s3-settings';

/** The environment S3 settings fall back to (process.env unless a test provides another). */
export const STORAGE_ENVIRONMENT = Symbol('STORAGE_ENVIRONMENT');

export type StorageType = 's3' | 'file' | 'memory';

/** Bucket used by an S3 warehouse that names none (contract iceberg-rest §7.1). */
const FALLBACK_BUCKET = 'warehouse';

/** How long a client replaced by a config change stays open for requests already using it. */
const RETIRED_CLIENT_GRACE_MS = 60_000;

/**
 * Chooses the FileIO for a location and owns the object-store clients.
 *
 * Warehouse `storage_config.type`: `s3` (default), `file` (key `root`: an absolute directory), `memory`
 * (tests; optional key `root`, a `mem://` location). S3 clients are built once per warehouse configuration
 * — keyed by tenant, warehouse name and a hash of the whole storage_config, so an updated config gets a
 * fresh client — and reused for every file of every table in it.
 */
@Injectable()
export class ObjectStorage implements OnModuleDestroy {
  /** Where tables of catalogs without a warehouse or storage location live: `file://<data dir>/warehouse`. */
  readonly defaultWarehouseLocation: string;
  /** PANGOLIN_ALLOWED_STORAGE_ROOTS as `file://` locations: file warehouse roots must lie strictly below one. */
  readonly allowedStorageRoots: string[];

  private readonly localFiles = new LocalFileIO();
  private readonly memory = new MemoryFileIO();
  private readonly environment: Record<string, string | undefined>;
  /** Client per warehouse configuration. */
  private readonly s3Clients = new Map<string, S3FileIO>();
  /** tenant + warehouse name -> the key in s3Clients of its current configuration. */
  private readonly currentConfigKey = new Map<string, string>();
  private environmentS3: S3FileIO | undefined;
  private readonly retirements = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'dataDir'> & Partial<Pick<AppConfig, 'allowedStorageRoots'>>,
    @Optional() @Inject(STORAGE_ENVIRONMENT) environment?: Record<string, string | undefined>,
  ) {
    this.defaultWarehouseLocation = `file://${path.resolve(config.dataDir)}/warehouse`;
    this.allowedStorageRoots = (config.allowedStorageRoots ?? [path.join(path.resolve(config.dataDir), 'warehouse')]).map(
      (dir) => `file://${path.resolve(dir)}`,
    );
    this.environment = environment ?? process.env;
  }

  /**
   * The FileIO serving `location`: `file://` -> local filesystem, `mem://` -> process memory, `s3://` ->
   * the warehouse's client when the warehouse is an S3 warehouse, otherwise a client configured from the
   * environment. Throws ValidationError (InvalidLocationError) for a location that cannot be served: unknown
   * scheme, relative path, `.`/`..` segments; and for an S3 warehouse config that cannot work.
   *
   * This does not check that the location belongs to the warehouse: call isLocationInsideWarehouse first.
   */
  fileIoFor(location: string, warehouse: Warehouse | null): FileIO {
    const parsed = parseLocation(location);
    switch (parsed.scheme) {
      case 'file':
        return this.localFiles;
      case 'mem':
        return this.memory;
      case 's3':
        return warehouse && storageTypeOf(warehouse) === 's3' ? this.s3ForWarehouse(warehouse) : this.s3FromEnvironment();
    }
  }

  /**
   * The location under which a warehouse keeps its tables: `s3://<bucket>[/<prefix>]` (bucket from
   * `s3.bucket` / `bucket`, else `warehouse`; prefix from `s3.prefix` / `prefix`), `file://<root>`,
   * `mem://<root or warehouse id>`; the default warehouse for `null`. New tables default to
   * `<root>/<tenant id>/<catalog>/<namespace levels>/<table>`. Throws ValidationError for a warehouse whose
   * storage type or root cannot be served.
   */
  warehouseRootLocation(warehouse: Warehouse | null): string {
    if (!warehouse) return this.defaultWarehouseLocation;
    const config = warehouse.storageConfig ?? {};
    const type = storageTypeOf(warehouse);
    switch (type) {
      case 's3': {
        const bucket = configuredBucket(config) ?? FALLBACK_BUCKET;
        const prefix = configuredPrefix(config)?.replace(/^\/+|\/+$/g, '') ?? '';
        const root = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
        parseLocation(root); // validates the bucket name and refuses '.'/'..' in the prefix
        return root;
      }
      case 'file':
        return fileRootOf(warehouse);
      case 'memory': {
        const root = config['root']?.trim() || `mem://${warehouse.id}`;
        if (parseLocation(root).scheme !== 'mem') {
          throw new ValidationError(`Warehouse '${warehouse.name}': a memory warehouse root must be a mem:// location`);
        }
        return root.replace(/\/+$/, '');
      }
      default:
        throw new ValidationError(
          `Warehouse '${warehouse.name}' has storage type '${type}', which this server cannot read or write ` +
            '(supported: s3, file, memory)',
        );
    }
  }

  /**
   * True when `location` lies strictly below the warehouse's root (the default warehouse root for `null`):
   * same scheme, same bucket, no `.`/`..` segments, not the root itself. Anything malformed is outside.
   */
  isLocationInsideWarehouse(
    location: string,
    warehouse: Warehouse | null,
    defaultWarehouseRoot: string = this.defaultWarehouseLocation,
  ): boolean {
    let root: string;
    try {
      root = warehouse ? this.warehouseRootLocation(warehouse) : defaultWarehouseRoot;
    } catch (e) {
      if (e instanceof ValidationError) return false;
      throw e;
    }
    return isLocationUnder(location, root);
  }

  /** isLocationInsideWarehouse, as an InvalidLocationError (HTTP 400) that says why. */
  assertLocationInsideWarehouse(
    location: string,
    warehouse: Warehouse | null,
    defaultWarehouseRoot: string = this.defaultWarehouseLocation,
  ): void {
    parseLocation(location); // malformed: its own, more precise message
    const root = warehouse ? this.warehouseRootLocation(warehouse) : defaultWarehouseRoot;
    if (!isLocationUnder(location, root)) {
      const owner = warehouse ? `warehouse '${warehouse.name}'` : 'the default warehouse';
      throw new InvalidLocationError(location, `it is not inside ${owner} (${root})`);
    }
  }

  /** Where a tenant's catalogs without a warehouse or storage location keep their tables: `<default root>/<tenant id>`. */
  tenantDefaultLocation(tenantId: string): string {
    return joinLocation(this.defaultWarehouseLocation, tenantId);
  }

  /**
   * For a file warehouse: its root must lie strictly below an allowed storage root (the default warehouse
   * directory counts only as `<default root>/<own tenant id>`, the rest of it belongs to other tenants),
   * also after resolving symbolic links; then the directory is created. Other storage types have no
   * server-side directory. InvalidLocationError (400) otherwise.
   */
  async prepareWarehouseRoot(warehouse: Warehouse): Promise<void> {
    if (storageTypeOf(warehouse) !== 'file') return;
    const root = this.warehouseRootLocation(warehouse);
    const bases = this.allowedStorageRoots.map((allowed) =>
      allowed === this.defaultWarehouseLocation ? this.tenantDefaultLocation(warehouse.tenantId) : allowed,
    );
    const base = bases.find((candidate) => isLocationUnder(root, candidate));
    const rule = 'an allowed storage root of this tenant (PANGOLIN_ALLOWED_STORAGE_ROOTS)';
    if (!base) throw new InvalidLocationError(warehouse.storageConfig?.['root'] ?? root, `it is not strictly inside ${rule}`);
    await assertRealPathInside(root, base, rule);
    const dir = '/' + parseLocation(root).segments.join('/');
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR') {
        throw new InvalidLocationError(warehouse.storageConfig?.['root'] ?? root, 'it is not a directory');
      }
      throw new StorageUnavailableError(`The warehouse directory ${dir} cannot be created (${code ?? 'error'})`, {
        action: 'write',
        code: code ?? 'error',
      });
    }
    // Checked again once the directory exists: nothing may have been swapped for a link in between.
    await assertRealPathInside(root, base, rule);
  }

  async onModuleDestroy(): Promise<void> {
    for (const timer of this.retirements) clearTimeout(timer);
    this.retirements.clear();
    for (const io of this.s3Clients.values()) io.client.destroy();
    this.s3Clients.clear();
    this.currentConfigKey.clear();
    this.environmentS3?.client.destroy();
    this.environmentS3 = undefined;
  }

  private s3ForWarehouse(warehouse: Warehouse): S3FileIO {
    const identity = `${warehouse.tenantId}\u0000${warehouse.name}`;
    const key = `${identity}\u0000${hashOf(warehouse.storageConfig ?? {})}`;
    const existing = this.s3Clients.get(key);
    if (existing) return existing;

    const settings = resolveS3Settings(warehouse.storageConfig ?? {}, this.environment);
    const io = new S3FileIO(createS3Client(settings), describeStore(settings));
    this.s3Clients.set(key, io);
    const previousKey = this.currentConfigKey.get(identity);
    this.currentConfigKey.set(identity, key);
    if (previousKey !== undefined && previousKey !== key) this.retire(previousKey);
    return io;
  }

  private s3FromEnvironment(): S3FileIO {
    if (!this.environmentS3) {
      const settings = resolveS3Settings({}, this.environment);
      this.environmentS3 = new S3FileIO(createS3Client(settings), describeStore(settings));
    }
    return this.environmentS3;
  }

  /** Drops a replaced configuration's client now, and closes it once requests already using it are done. */
  private retire(key: string): void {
    const io = this.s3Clients.get(key);
    this.s3Clients.delete(key);
    if (!io) return;
    const timer = setTimeout(() => {
      this.retirements.delete(timer);
      io.client.destroy();
    }, RETIRED_CLIENT_GRACE_MS);
    timer.unref();
    this.retirements.add(timer);
  }
}

/** `storage_config.type`, lower-cased; absent or empty means `s3`. */
export function storageTypeOf(warehouse: Warehouse): string {
  const type = warehouse.storageConfig?.['type']?.trim().toLowerCase();
  return type ? type : 's3';
}

function fileRootOf(warehouse: Warehouse): string {
  const raw = warehouse.storageConfig?.['root']?.trim();
  if (!raw) throw new ValidationError(`Warehouse '${warehouse.name}': a file warehouse needs storage_config.root`);
  let dir: string;
  if (raw.startsWith('file:')) {
    const parsed = parseLocation(raw);
    dir = '/' + parsed.segments.join('/');
  } else if (path.posix.isAbsolute(raw)) {
    dir = raw;
  } else {
    throw new ValidationError(
      `Warehouse '${warehouse.name}': storage_config.root must be an absolute directory, got '${raw}'`,
    );
  }
  const normalized = path.posix.normalize(dir).replace(/\/+$/, '');
  if (normalized === '') {
    throw new ValidationError(`Warehouse '${warehouse.name}': storage_config.root cannot be the filesystem root`);
  }
  return `file://${normalized}`;
}

/** Stable digest of a config map (key order does not matter). Never logged: the map holds secrets. */
function hashOf(config: Record<string, string>): string {
  const entries = Object.keys(config)
    .sort()
    .map((k) => [k, config[k]]);
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

function describeStore(settings: S3Settings): string {
  return settings.endpoint ?? `AWS S3 (${settings.region})`;
}
