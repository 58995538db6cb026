export { assertRealPathInside, realLocation } from './confinement';
export * from './errors';
export type { FileIO } from './file-io';
export * from './location';
export { MetadataBytesCache, type MetadataBytesCacheStats } from './metadata-bytes-cache';
export { ObjectStorage, STORAGE_ENVIRONMENT, storageTypeOf, type StorageType } from './object-storage.service';
export { StorageModule } from './storage.module';
