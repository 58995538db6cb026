import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  InvalidLocationError,
  ObjectAlreadyExistsError,
  ObjectNameRejectedError,
  ObjectNotFoundError,
  StorageUnavailableError,
  type StorageFailure,
} from './errors';
import type { FileIO } from './file-io';
import { parseLocation } from './location';
import type { S3Settings } from './s3-settings';

/** Builds the SDK client for resolved settings. One per warehouse configuration (see ObjectStorage). */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: settings.credentials,
    // A slow or unreachable store must not hold requests forever.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
    // Self-hosted S3-compatible stores often reject the newer default checksum headers; AWS gets them.
    ...(settings.endpoint
      ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const }
      : {}),
  });
}

/** `s3://bucket/key` locations through one S3 client. */
export class S3FileIO implements FileIO {
  /** Turned off when the store answers the conditional write with "not implemented". */
  private conditionalWrites = true;

  constructor(
    readonly client: S3Client,
    /** Where the store is, for error messages (endpoint or region; never credentials). */
    private readonly storeDescription: string,
  ) {}

  async read(location: string): Promise<Buffer> {
    const { bucket, key } = this.objectOf(location);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!response.Body) return Buffer.alloc(0);
      const bytes = await response.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      if (isMissingObject(e)) throw new ObjectNotFoundError(location);
      throw this.unavailable('read', location, e);
    }
  }

  async write(location: string, bytes: Uint8Array): Promise<void> {
    const { bucket, key } = this.objectOf(location);
    const put = (conditional: boolean) =>
      this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: key.endsWith('.json') ? 'application/json' : 'application/octet-stream',
          ...(conditional ? { IfNoneMatch: '*' } : {}),
        }),
      );
    try {
      await put(this.conditionalWrites);
    } catch (e) {
      if (isConditionFailed(e)) throw new ObjectAlreadyExistsError(location);
      if (this.conditionalWrites && isNotImplemented(e)) {
        this.conditionalWrites = false;
        try {
          await put(false);
          return;
        } catch (retryError) {
          throw this.unavailable('write', location, retryError);
        }
      }
      throw this.unavailable('write', location, e);
    }
  }

  async exists(location: string): Promise<boolean> {
    const { bucket, key } = this.objectOf(location);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (e) {
      if (isMissingObject(e)) return false;
      throw this.unavailable('check', location, e);
    }
  }

  async delete(location: string): Promise<void> {
    const { bucket, key } = this.objectOf(location);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      if (isMissingObject(e)) return;
      throw this.unavailable('delete', location, e);
    }
  }

  private objectOf(location: string): { bucket: string; key: string } {
    const parsed = parseLocation(location);
    if (parsed.scheme !== 's3') throw wrongScheme(location);
    if (parsed.path === '' || parsed.path.endsWith('/')) {
      throw new InvalidLocationError(location, 'an S3 object location needs a key that does not end with /');
    }
    return { bucket: parsed.authority, key: parsed.path };
  }

  /**
   * The error for a failed S3 call. The logged message names the location and the store; the client is
   * told the operation and the S3 error name or transport code (see StorageUnavailableError). A key too
   * long for the store is the client's name (400).
   */
  private unavailable(
    action: StorageFailure['action'],
    location: string,
    e: unknown,
  ): StorageUnavailableError | ObjectNameRejectedError {
    const bucket = safeBucketOf(location);
    if (isMissingBucket(e)) {
      return new StorageUnavailableError(`Bucket '${bucket}' does not exist in ${this.storeDescription}`, { action, code: 'NoSuchBucket' }, location);
    }
    if (e instanceof S3ServiceException && e.name === 'KeyTooLongError') return new ObjectNameRejectedError(e.name, location);
    if (e instanceof S3ServiceException) {
      const status = e.$metadata?.httpStatusCode;
      const reason = status === 403 ? 'access denied' : 'the store answered an error';
      const code = `${e.name}${status ? `, HTTP ${status}` : ''}`;
      return new StorageUnavailableError(
        `Could not ${action} '${location}' in ${this.storeDescription}: ${reason} (${code})`,
        { action, code },
        location,
      );
    }
    if (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'CredentialsProviderError') {
      return new StorageUnavailableError(
        `Could not ${action} '${location}': no S3 credentials found (set s3.access-key-id and s3.secret-access-key ` +
          'in the warehouse storage_config, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY on the server)',
        { action, code: 'no S3 credentials' },
        location,
      );
    }
    const status = statusOf(e);
    if (status !== undefined) {
      // An HTTP answer that is not a well-formed S3 error (a proxy page, a store that does not speak S3 here).
      return new StorageUnavailableError(
        `Could not ${action} '${location}' in ${this.storeDescription}: unexpected answer (HTTP ${status})`,
        { action, code: `HTTP ${status}` },
        location,
      );
    }
    const code = errorCode(e);
    return new StorageUnavailableError(
      `Could not ${action} '${location}': object storage at ${this.storeDescription} is unreachable (${code})`,
      { action, code: `unreachable, ${code}` },
      location,
    );
  }
}

/** The HTTP status of a failed request, when the store answered at all. */
function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null || !('$metadata' in e)) return undefined;
  const status = (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function isMissingBucket(e: unknown): boolean {
  return e instanceof S3ServiceException && e.name === 'NoSuchBucket';
}

/** NoSuchKey on GET, a bare 404 on HEAD (which has no body to name the error). */
function isMissingObject(e: unknown): boolean {
  if (!(e instanceof S3ServiceException) || isMissingBucket(e)) return false;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || statusOf(e) === 404;
}

/** 412 PreconditionFailed: If-None-Match found an object; 409 ConditionalRequestConflict: a concurrent conditional write won. */
function isConditionFailed(e: unknown): boolean {
  if (!(e instanceof S3ServiceException)) return false;
  return e.name === 'PreconditionFailed' || e.name === 'ConditionalRequestConflict' || statusOf(e) === 412;
}

function isNotImplemented(e: unknown): boolean {
  return e instanceof S3ServiceException && (e.name === 'NotImplemented' || statusOf(e) === 501);
}

/** A short reason for a transport failure: the errno code (ECONNREFUSED, ETIMEDOUT, ...) when there is one. */
function errorCode(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const failure = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof failure.code === 'string') return failure.code;
    // Errors from another realm reach us re-wrapped by the SDK, with the code only in the message.
    const fromMessage = typeof failure.message === 'string' ? /\b(E[A-Z][A-Z0-9_]+)\b/.exec(failure.message) : null;
    if (fromMessage) return fromMessage[1];
    if (typeof failure.name === 'string' && failure.name !== 'Error') return failure.name;
  }
  return 'unknown error';
}

function safeBucketOf(location: string): string {
  try {
    return parseLocation(location).authority;
  } catch {
    return '?';
  }
}

function wrongScheme(location: string): InvalidLocationError {
  return new InvalidLocationError(location, 'not an s3:// location');
}
