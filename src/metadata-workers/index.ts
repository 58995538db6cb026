export { MetadataWorkersModule } from './metadata-workers.module';
export { MetadataWorkerPool } from './metadata-worker-pool';
export type { MetadataResult, MetadataSummary, MetadataWorkerPoolStats } from './metadata-worker-pool';
export type { CommitContext } from './metadata-tasks';
export { loadTableResultBytes } from './load-table-result';
