import type { StringMap, Warehouse } from '../persistence/models';
import { storageTypeOf } from '../storage';
import { resolveS3Settings } from '../storage/s3-settings';

/**
 * The `config` map of LoadTableResult / CommitTableResponse (contract iceberg-rest §6.3): how the client
 * reaches the table's files. For an S3 warehouse: `s3.endpoint`, `s3.region` and `s3.path-style-access`
 * as the server itself uses them, plus the warehouse's static credentials when it has some (the caller
 * can read the table, so it may read its files). Credentials from the server's own environment are never
 * handed out. Other storage types (local files, memory) need no client configuration.
 */
export function tableConfig(warehouse: Warehouse | null): StringMap {
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
  const accessKeyId = firstValue(storageConfig, 's3.access-key-id', 'access_key_id');
  const secretAccessKey = firstValue(storageConfig, 's3.secret-access-key', 'secret_access_key');
  if (accessKeyId && secretAccessKey) {
    config['s3.access-key-id'] = accessKeyId;
    config['s3.secret-access-key'] = secretAccessKey;
    const sessionToken = firstValue(storageConfig, 's3.session-token', 'session_token');
    if (sessionToken) config['s3.session-token'] = sessionToken;
  }
  return config;
}

function firstValue(map: StringMap, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = map[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}
