import { Module } from '@nestjs/common';
import { MetadataWorkerPool } from './metadata-worker-pool';

/**
 * Provides the MetadataWorkerPool (config from AppConfig.metadata through APP_CONFIG, so ConfigModule must
 * be registered). Nest calls its onApplicationShutdown, which destroys the worker threads; that needs
 * `app.enableShutdownHooks()` for signals, and always happens on `app.close()`.
 */
@Module({
  providers: [MetadataWorkerPool],
  exports: [MetadataWorkerPool],
})
export class MetadataWorkersModule {}
