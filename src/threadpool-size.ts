/**
 * Imported first by main.ts, before anything can touch libuv's thread pool (which reads this variable once,
 * on first use). File writes of table commits block a pool thread in fsync(); with the default of 4 threads,
 * 8 concurrent commits queue behind each other's fsyncs although the disk could take them together. The
 * threads mostly wait on the disk, so more of them cost little CPU. An operator's own value is kept.
 */
export const THREADPOOL_SIZE_DEFAULT = '16';
process.env.UV_THREADPOOL_SIZE ??= THREADPOOL_SIZE_DEFAULT;
