/**
 * Iceberg table metadata (table spec v1, v2 and v3) as it appears in `*.metadata.json` files and in the
 * REST protocol. Documents are kept as open JSON: every key the catalog does not own is preserved, so
 * these types list the known keys and allow any other.
 *
 * 64-bit values (snapshot ids, sequence numbers, timestamps, row ids) are `Long`: a JS number when it is
 * a safe integer, a bigint otherwise — the canonical form the lossless parser produces (see long.ts).
 */

export type Long = bigint | number;

export type FormatVersion = 1 | 2 | 3;

/** A field type: a primitive name (`long`, `decimal(9,2)`, `fixed[16]`, ...) or a nested type object. */
export type IcebergType = string | StructType | ListType | MapType;

export interface StructField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
  'initial-default'?: unknown;
  'write-default'?: unknown;
  [key: string]: unknown;
}

export interface StructType {
  type: 'struct';
  fields: StructField[];
  [key: string]: unknown;
}

export interface ListType {
  type: 'list';
  'element-id': number;
  element: IcebergType;
  'element-required': boolean;
  [key: string]: unknown;
}

export interface MapType {
  type: 'map';
  'key-id': number;
  key: IcebergType;
  'value-id': number;
  value: IcebergType;
  'value-required': boolean;
  [key: string]: unknown;
}

export interface Schema extends StructType {
  'schema-id': number;
  'identifier-field-ids'?: number[];
}

export interface PartitionField {
  'field-id': number;
  'source-id'?: number;
  /** v3 multi-argument transforms. */
  'source-ids'?: number[];
  name: string;
  transform: string;
  [key: string]: unknown;
}

export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
  [key: string]: unknown;
}

export interface SortField {
  'source-id'?: number;
  'source-ids'?: number[];
  transform: string;
  direction: 'asc' | 'desc';
  'null-order': 'nulls-first' | 'nulls-last';
  [key: string]: unknown;
}

export interface SortOrder {
  'order-id': number;
  fields: SortField[];
  [key: string]: unknown;
}

export interface Snapshot {
  'snapshot-id': Long;
  'parent-snapshot-id'?: Long | null;
  'sequence-number'?: Long;
  'timestamp-ms': Long;
  'manifest-list'?: string;
  /** v1 only: manifest files listed inline. */
  manifests?: string[];
  summary?: Record<string, string>;
  'schema-id'?: number;
  'first-row-id'?: Long;
  'added-rows'?: Long;
  [key: string]: unknown;
}

export type SnapshotRefType = 'branch' | 'tag';

export interface SnapshotRef {
  'snapshot-id': Long;
  type: SnapshotRefType;
  'max-ref-age-ms'?: Long;
  'max-snapshot-age-ms'?: Long;
  'min-snapshots-to-keep'?: number;
  [key: string]: unknown;
}

export interface SnapshotLogEntry {
  'snapshot-id': Long;
  'timestamp-ms': Long;
  [key: string]: unknown;
}

export interface MetadataLogEntry {
  'metadata-file': string;
  'timestamp-ms': Long;
  [key: string]: unknown;
}

export interface BlobMetadata {
  type: string;
  'snapshot-id': Long;
  'sequence-number': Long;
  fields: number[];
  properties?: Record<string, string>;
  [key: string]: unknown;
}

export interface StatisticsFile {
  'snapshot-id': Long;
  'statistics-path': string;
  'file-size-in-bytes': Long;
  'file-footer-size-in-bytes': Long;
  'blob-metadata': BlobMetadata[];
  [key: string]: unknown;
}

export interface PartitionStatisticsFile {
  'snapshot-id': Long;
  'statistics-path': string;
  'file-size-in-bytes': Long;
  [key: string]: unknown;
}

/**
 * A validated table metadata document (see validate.ts). Keys marked optional may be absent in files
 * written by other tools; readers use the defaults in accessors.ts.
 */
export interface TableMetadata {
  'format-version': FormatVersion;
  'table-uuid': string;
  location: string;
  /** Required from v2 on; absent in v1 (treated as 0). */
  'last-sequence-number'?: Long;
  'last-updated-ms': Long;
  'last-column-id': number;
  'current-schema-id': number;
  schemas: Schema[];
  'default-spec-id': number;
  'partition-specs': PartitionSpec[];
  'last-partition-id': number;
  /** Required from v2 on; absent in v1 (unsorted, id 0). */
  'default-sort-order-id'?: number;
  'sort-orders'?: SortOrder[];
  properties?: Record<string, string>;
  /** null or -1 (or absent) when the table has no current snapshot. */
  'current-snapshot-id'?: Long | null;
  snapshots?: Snapshot[];
  refs?: Record<string, SnapshotRef>;
  'snapshot-log'?: SnapshotLogEntry[];
  'metadata-log'?: MetadataLogEntry[];
  statistics?: StatisticsFile[];
  'partition-statistics'?: PartitionStatisticsFile[];
  /** v3: a value higher than every assigned row id. */
  'next-row-id'?: Long;
  /** v1 writers also write the current schema here. */
  schema?: Schema;
  /** v1 writers also write the default spec's fields here. */
  'partition-spec'?: PartitionField[];
  [key: string]: unknown;
}

/** The request body of `POST .../namespaces/{ns}/tables` (spec `CreateTableRequest`). */
export interface CreateTableRequest {
  name?: string;
  location?: string;
  schema?: unknown;
  'partition-spec'?: unknown;
  'write-order'?: unknown;
  'stage-create'?: boolean;
  properties?: unknown;
  [key: string]: unknown;
}

/** Table requirement kinds of the spec (`TableRequirement`). */
export const TABLE_REQUIREMENT_TYPES = [
  'assert-create',
  'assert-table-uuid',
  'assert-ref-snapshot-id',
  'assert-last-assigned-field-id',
  'assert-current-schema-id',
  'assert-last-assigned-partition-id',
  'assert-default-spec-id',
  'assert-default-sort-order-id',
] as const;
export type TableRequirementType = (typeof TABLE_REQUIREMENT_TYPES)[number];

/** Table update actions of the spec (`TableUpdate`), plus `enable-row-lineage` (Iceberg 1.9 clients). */
export const TABLE_UPDATE_ACTIONS = [
  'assign-uuid',
  'upgrade-format-version',
  'add-schema',
  'set-current-schema',
  'add-spec',
  'set-default-spec',
  'add-sort-order',
  'set-default-sort-order',
  'add-snapshot',
  'set-snapshot-ref',
  'remove-snapshots',
  'remove-snapshot-ref',
  'set-location',
  'set-properties',
  'remove-properties',
  'set-statistics',
  'remove-statistics',
  'set-partition-statistics',
  'remove-partition-statistics',
  'remove-partition-specs',
  'remove-schemas',
  'add-encryption-key',
  'remove-encryption-key',
  'enable-row-lineage',
] as const;
export type TableUpdateAction = (typeof TABLE_UPDATE_ACTIONS)[number];

/** Highest table format version this catalog reads and writes. */
export const MAX_FORMAT_VERSION: FormatVersion = 3;
/** Format version of a new table unless its `format-version` property says otherwise. */
export const DEFAULT_FORMAT_VERSION: FormatVersion = 2;
