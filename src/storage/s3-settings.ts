import { ValidationError } from '../common/errors';

/**
 * How to reach a warehouse's S3 store, resolved from its `storage_config` and, for anything the config
 * leaves out, the server's environment. Both key spellings of the management contract (§2.2) are read:
 * the `s3.*` keys pypangolin writes and the plain keys the UI writes; the first spelling wins when both
 * are present. Empty values count as absent (forms send "" for blank fields).
 */
export interface S3Settings {
  region: string;
  /** Custom endpoint (MinIO, Ceph, s3rver); undefined means AWS's own. */
  endpoint?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  forcePathStyle: boolean;
  /** Static credentials; undefined lets the SDK's default chain decide (web identity, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

type StringMap = Record<string, string | undefined>;

export const DEFAULT_S3_REGION = 'us-east-1';

/**
 * Environment fallbacks: `S3_ENDPOINT` (Pangolin's), then the SDK's `AWS_ENDPOINT_URL_S3` /
 * `AWS_ENDPOINT_URL`; `AWS_REGION` / `AWS_DEFAULT_REGION`; `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`
 * (+ `AWS_SESSION_TOKEN`).
 *
 * Path style: `s3.path-style-access` ("true"/"false") when set; otherwise on exactly when a custom endpoint
 * is used, because self-hosted stores rarely have the wildcard DNS virtual-hosted addressing needs (and
 * Pangolin v0.4.0 always addressed them path-style).
 *
 * Throws ValidationError for a config that cannot work: an endpoint that is not an http(s) URL, a key id
 * without a secret (or the reverse), a path-style value other than true/false.
 */
export function resolveS3Settings(storageConfig: StringMap, env: StringMap = process.env): S3Settings {
  const endpoint = valueOf(storageConfig, 's3.endpoint', 'endpoint') ?? valueOf(env, 'S3_ENDPOINT', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/i.test(endpoint)) {
    throw new ValidationError(`S3 endpoint '${endpoint}' is not an http:// or https:// URL`);
  }
  const region =
    valueOf(storageConfig, 's3.region', 'region') ?? valueOf(env, 'AWS_REGION', 'AWS_DEFAULT_REGION') ?? DEFAULT_S3_REGION;

  const pathStyle = valueOf(storageConfig, 's3.path-style-access', 'path_style_access');
  let forcePathStyle: boolean;
  if (pathStyle === undefined) forcePathStyle = endpoint !== undefined;
  else if (pathStyle.toLowerCase() === 'true') forcePathStyle = true;
  else if (pathStyle.toLowerCase() === 'false') forcePathStyle = false;
  else throw new ValidationError(`s3.path-style-access must be "true" or "false", got '${pathStyle}'`);

  return { region, endpoint, forcePathStyle, credentials: credentialsFrom(storageConfig, env) };
}

function credentialsFrom(storageConfig: StringMap, env: StringMap): S3Settings['credentials'] {
  const accessKeyId = valueOf(storageConfig, 's3.access-key-id', 'access_key_id');
  const secretAccessKey = valueOf(storageConfig, 's3.secret-access-key', 'secret_access_key');
  if (accessKeyId !== undefined || secretAccessKey !== undefined) {
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      throw new ValidationError(
        'storage_config has only half of a static S3 credential: set both s3.access-key-id and s3.secret-access-key',
      );
    }
    const sessionToken = valueOf(storageConfig, 's3.session-token', 'session_token');
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  const envKeyId = valueOf(env, 'AWS_ACCESS_KEY_ID');
  const envSecret = valueOf(env, 'AWS_SECRET_ACCESS_KEY');
  if (envKeyId !== undefined && envSecret !== undefined) {
    const sessionToken = valueOf(env, 'AWS_SESSION_TOKEN');
    return { accessKeyId: envKeyId, secretAccessKey: envSecret, ...(sessionToken ? { sessionToken } : {}) };
  }
  return undefined;
}

/** The bucket a warehouse names (`s3.bucket`, then `bucket`), if any. */
export function configuredBucket(storageConfig: StringMap): string | undefined {
  return valueOf(storageConfig, 's3.bucket', 'bucket');
}

/** The key prefix a warehouse keeps its tables under inside the bucket (`s3.prefix`, then `prefix`), if any. */
export function configuredPrefix(storageConfig: StringMap): string | undefined {
  return valueOf(storageConfig, 's3.prefix', 'prefix');
}

function valueOf(map: StringMap, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = map[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}
