// The splice lives next to the worker pool that produces the bytes; the Iceberg layer writes its chunks.
export { tableResultChunks, type JsonChunks } from '../metadata-workers/load-table-result';
