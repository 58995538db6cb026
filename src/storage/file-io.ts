/**
 * Byte-level access to one object store. Locations are absolute (`s3://bucket/key`, `file:///path`,
 * `mem://store/key`); an implementation refuses a location of another scheme, or one with `.`/`..`
 * segments, with InvalidLocationError (a ValidationError).
 *
 * Errors (src/storage/errors.ts): ObjectNotFoundError when nothing is stored at a location that is read,
 * ObjectAlreadyExistsError when a write would replace an existing object (see `write`),
 * StorageUnavailableError when the store cannot be used (unreachable, credentials refused, missing bucket,
 * disk error).
 *
 * A FileIO does not decide which locations a caller may touch: callers check containment first
 * (ObjectStorage.isLocationInsideWarehouse).
 */
export interface FileIO {
  /** The whole object. ObjectNotFoundError when absent. */
  read(location: string): Promise<Buffer>;

  /**
   * Stores a new object. Metadata files are immutable and a name is never reused, so a write never
   * replaces an existing object: ObjectAlreadyExistsError instead. Guaranteed by the local filesystem and
   * memory stores. On S3 the write is conditional (`If-None-Match: *`); stores that ignore that header
   * (s3rver, some older S3-compatible servers) overwrite, and a store that rejects it as not implemented
   * gets an unconditional write. Readers never observe a partially written object.
   */
  write(location: string, bytes: Uint8Array): Promise<void>;

  /** Whether an object is stored at exactly this location (a "directory" is not an object). */
  exists(location: string): Promise<boolean>;

  /** Removes the object; removing an absent object is not an error. */
  delete(location: string): Promise<void>;

}
