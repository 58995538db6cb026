import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetadataWorkerPool } from '../metadata-workers/metadata-worker-pool';
import { PersistenceHealthPort } from '../persistence/ports';
import { MetadataBytesCache } from '../storage/metadata-bytes-cache';
import { MetricsService } from './metrics.service';

/**
 * Publishes the figures other components keep (worker pool, metadata cache, database pool) as gauges read at
 * scrape time, so those components need no metrics code of their own.
 */
@Injectable()
export class MetricsSources implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly pool: MetadataWorkerPool,
    private readonly cache: MetadataBytesCache,
    private readonly persistence: PersistenceHealthPort,
  ) {}

  onModuleInit(): void {
    const gauge = (name: string, help: string, read: () => number) => this.metrics.registerGaugeSource({ name, help, read });
    gauge('pangolin_metadata_workers_queue_size', 'Metadata tasks waiting for a worker thread', () => this.pool.stats().queueSize);
    gauge('pangolin_metadata_workers_utilization', 'Fraction of metadata worker capacity in use (0..1)', () => this.pool.stats().utilization);
    gauge('pangolin_metadata_workers_completed', 'Metadata tasks finished by worker threads', () => this.pool.stats().completed);
    gauge('pangolin_metadata_inline_completed', 'Metadata tasks run on the main thread (small documents)', () => this.pool.stats().completedInline);
    gauge('pangolin_metadata_cache_hits', 'Metadata file reads served from the byte cache', () => this.cache.stats().hits);
    gauge('pangolin_metadata_cache_misses', 'Metadata file reads that went to object storage', () => this.cache.stats().misses);
    gauge('pangolin_metadata_cache_bytes', 'Bytes held by the metadata byte cache', () => this.cache.stats().bytes);
    gauge('pangolin_metadata_cache_entries', 'Metadata files held by the byte cache', () => this.cache.stats().entries);
    gauge('pangolin_db_pool_connections', 'Open database connections (-1: backend has no client-side pool)', () => this.persistence.connectionPoolStats?.()?.total ?? -1);
    gauge('pangolin_db_pool_idle', 'Idle database connections (-1: no client-side pool)', () => this.persistence.connectionPoolStats?.()?.idle ?? -1);
    gauge('pangolin_db_pool_waiting', 'Callers waiting for a database connection (-1: no client-side pool)', () => this.persistence.connectionPoolStats?.()?.waiting ?? -1);
  }
}
