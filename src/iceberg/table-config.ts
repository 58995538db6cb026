import type { StringMap, Warehouse } from '../persistence/models';
import { storageTypeOf } from '../storage';
import { resolveS3Settings } from '../storage/s3-settings';

/** What the caller may do with the table whose config is built; decides which credentials it is handed. */
export interface TableAccess {
  /** The caller may commit to the table (the route permission table's rule for the table commit). */
  mayWrite: boolean;
}

/** Create, register and commit: only callers allowed to write get there. */
export const WRITE_ACCESS: TableAccess = { mayWrite: true };

/**
 * Whether the caller's write permission changes this warehouse's table config: only an S3 warehouse with
 * static keys in storage_config hands writers something readers do not get. Lets a read skip the check.
 */
export function configDependsOnWriteAccess(warehouse: Warehouse | null): boolean {
  return !!warehouse && storageTypeOf(warehouse) === 's3' && storageConfigCredentials(warehouse.storageConfig ?? {}) !== undefined;
}

/**
 * The `config` map of LoadTableResult / CommitTableResponse (contract iceberg-rest §6.3): how the client
 * reaches the table's files. For an S3 warehouse: `s3.endpoint`, `s3.region` and `s3.path-style-access`
 * as the server itself uses them, plus credentials:
 * - a caller who may write the table gets the warehouse's static storage_config keys (the keys the server
 *   itself writes with), or else what the vending strategy vends;
 * - a caller who may only read gets only what the warehouse's vending_strategy vends: `AwsStatic` vends its
 *   own access_key_id / secret_access_key (meant to be read-only keys); `None`, no strategy, and the
 *   strategies not implemented here (AwsSts, AzureSas, GcpDownscoped) vend nothing.
 * Credentials from the server's own environment are never handed out. Other storage types (local files,
 * memory) need no client configuration.
 */
export function tableConfig(warehouse: Warehouse | null, access: TableAccess): StringMap {
  if (!warehouse || storageTypeOf(warehouse) !== 's3') return {};
  const storageConfig = warehouse.storageConfig ?? {};
  const config: StringMap = {};
  let settings;
  try {
    settings = resolveS3Settings(storageConfig);
  } catch {
    // A warehouse config the server cannot use either: the file access already failed with its own error.
    return config;
  }
  if (settings.endpoint) config['s3.endpoint'] = settings.endpoint;
  config['s3.region'] = settings.region;
  config['s3.path-style-access'] = String(settings.forcePathStyle);
  const credentials = (access.mayWrite ? storageConfigCredentials(storageConfig) : undefined) ?? vendedCredentials(warehouse.vendingStrategy);
  return credentials ? { ...config, ...credentials } : config;
}

/** The warehouse's static S3 keys from storage_config, when it has a complete pair. */
function storageConfigCredentials(storageConfig: StringMap): StringMap | undefined {
  const accessKeyId = firstValue(storageConfig, 's3.access-key-id', 'access_key_id');
  const secretAccessKey = firstValue(storageConfig, 's3.secret-access-key', 'secret_access_key');
  if (!accessKeyId || !secretAccessKey) return undefined;
  const credentials: StringMap = { 's3.access-key-id': accessKeyId, 's3.secret-access-key': secretAccessKey };
  const sessionToken = firstValue(storageConfig, 's3.session-token', 'session_token');
  if (sessionToken) credentials['s3.session-token'] = sessionToken;
  return credentials;
}

/**
 * What the warehouse's vending strategy hands to a client (stored as validated at write: `"None"` or
 * `{"<Variant>": {...}}`). Only AwsStatic is implemented: its keys, as they are.
 */
function vendedCredentials(strategy: unknown): StringMap | undefined {
  if (strategy === null || typeof strategy !== 'object' || !Object.hasOwn(strategy, 'AwsStatic')) return undefined;
  const fields = (strategy as { AwsStatic: unknown }).AwsStatic;
  if (fields === null || typeof fields !== 'object') return undefined;
  const accessKeyId = firstValue(fields as StringMap, 'access_key_id');
  const secretAccessKey = firstValue(fields as StringMap, 'secret_access_key');
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { 's3.access-key-id': accessKeyId, 's3.secret-access-key': secretAccessKey };
}

function firstValue(map: StringMap, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = Object.hasOwn(map, key) ? map[key] : undefined;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}
