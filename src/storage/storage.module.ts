import { Global, Module } from '@nestjs/common';
import { MetadataBytesCache } from './metadata-bytes-cache';
import { ObjectStorage } from './object-storage.service';

/**
 * Object storage for table metadata files: ObjectStorage (FileIO per location and warehouse, cached
 * clients, location containment) and the MetadataBytesCache. Global, so feature modules inject both
 * without importing it; needs ConfigModule (APP_CONFIG).
 */
@Global()
@Module({
  providers: [ObjectStorage, MetadataBytesCache],
  exports: [ObjectStorage, MetadataBytesCache],
})
export class StorageModule {}
