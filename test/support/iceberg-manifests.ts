import { streams } from 'avsc';

/**
 * Writes Iceberg manifest lists and manifests as Avro object container files, with the schemas of the
 * Iceberg table spec (field names and field ids as there; optional fields the tests do not need left out,
 * required ones kept). Tests use them to give tables real snapshots whose files a purge must find.
 */

export type FormatVersion = 1 | 2;
export type AvroCodec = 'null' | 'deflate';

const optional = (type: unknown) => ['null', type];

/** Manifest list record (`manifest_file`), spec "Manifest Lists". */
export function manifestListSchema(version: FormatVersion): Record<string, unknown> {
  const fieldSummary = {
    type: 'record',
    name: 'r508',
    fields: [
      { name: 'contains_null', type: 'boolean', 'field-id': 509 },
      { name: 'contains_nan', type: optional('boolean'), default: null, 'field-id': 518 },
      { name: 'lower_bound', type: optional('bytes'), default: null, 'field-id': 510 },
      { name: 'upper_bound', type: optional('bytes'), default: null, 'field-id': 511 },
    ],
  };
  const common = [
    { name: 'manifest_path', type: 'string', doc: 'Location URI with FS scheme', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
  ];
  const fields =
    version === 1
      ? [
          ...common,
          { name: 'added_snapshot_id', type: optional('long'), default: null, 'field-id': 503 },
          { name: 'added_data_files_count', type: optional('int'), default: null, 'field-id': 504 },
          { name: 'existing_data_files_count', type: optional('int'), default: null, 'field-id': 505 },
          { name: 'deleted_data_files_count', type: optional('int'), default: null, 'field-id': 506 },
          { name: 'partitions', type: optional({ type: 'array', items: fieldSummary, 'element-id': 508 }), default: null, 'field-id': 507 },
        ]
      : [
          ...common,
          { name: 'content', type: 'int', 'field-id': 517 },
          { name: 'sequence_number', type: 'long', 'field-id': 515 },
          { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
          { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
          { name: 'added_files_count', type: 'int', 'field-id': 504 },
          { name: 'existing_files_count', type: 'int', 'field-id': 505 },
          { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
          { name: 'added_rows_count', type: 'long', 'field-id': 512 },
          { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
          { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
          { name: 'partitions', type: optional({ type: 'array', items: fieldSummary, 'element-id': 508 }), default: null, 'field-id': 507 },
          { name: 'key_metadata', type: optional('bytes'), default: null, 'field-id': 519 },
        ];
  return { type: 'record', name: 'manifest_file', fields };
}

/** Manifest entry record (`manifest_entry` with its `data_file` struct `r2`), spec "Manifests"; unpartitioned. */
export function manifestEntrySchema(version: FormatVersion): Record<string, unknown> {
  const partition = { type: 'record', name: 'r102', fields: [] };
  const dataFileCommon = [
    { name: 'file_path', type: 'string', doc: 'Location URI with FS scheme', 'field-id': 100 },
    { name: 'file_format', type: 'string', 'field-id': 101 },
    { name: 'partition', type: partition, 'field-id': 102 },
    { name: 'record_count', type: 'long', 'field-id': 103 },
    { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
  ];
  const dataFile =
    version === 1
      ? { type: 'record', name: 'r2', fields: [...dataFileCommon, { name: 'block_size_in_bytes', type: 'long', 'field-id': 105 }] }
      : {
          type: 'record',
          name: 'r2',
          fields: [
            { name: 'content', type: 'int', 'field-id': 134 },
            ...dataFileCommon,
            { name: 'equality_ids', type: optional({ type: 'array', items: 'int', 'element-id': 136 }), default: null, 'field-id': 135 },
            { name: 'sort_order_id', type: optional('int'), default: null, 'field-id': 140 },
          ],
        };
  const fields =
    version === 1
      ? [
          { name: 'status', type: 'int', 'field-id': 0 },
          { name: 'snapshot_id', type: 'long', 'field-id': 1 },
          { name: 'data_file', type: dataFile, 'field-id': 2 },
        ]
      : [
          { name: 'status', type: 'int', 'field-id': 0 },
          { name: 'snapshot_id', type: optional('long'), default: null, 'field-id': 1 },
          { name: 'sequence_number', type: optional('long'), default: null, 'field-id': 3 },
          { name: 'file_sequence_number', type: optional('long'), default: null, 'field-id': 4 },
          { name: 'data_file', type: dataFile, 'field-id': 2 },
        ];
  return { type: 'record', name: 'manifest_entry', fields };
}

export interface ManifestListEntry {
  path: string;
  /** 0 data, 1 deletes (v2). */
  content?: 0 | 1;
}

export interface ManifestEntry {
  path: string;
  /** 0 EXISTING, 1 ADDED, 2 DELETED. */
  status?: 0 | 1 | 2;
  /** 0 data, 1 position deletes, 2 equality deletes (v2). */
  content?: 0 | 1 | 2;
}

export interface WriteOptions {
  version: FormatVersion;
  codec?: AvroCodec;
  snapshotId?: number;
}

/** The bytes of a manifest list naming `manifests`. */
export function manifestListBytes(manifests: ManifestListEntry[], options: WriteOptions): Promise<Buffer> {
  const snapshotId = options.snapshotId ?? 1;
  const records = manifests.map((m) =>
    options.version === 1
      ? { manifest_path: m.path, manifest_length: 1024, partition_spec_id: 0, added_snapshot_id: snapshotId, added_data_files_count: 1, existing_data_files_count: 0, deleted_data_files_count: 0, partitions: null }
      : {
          manifest_path: m.path,
          manifest_length: 1024,
          partition_spec_id: 0,
          content: m.content ?? 0,
          sequence_number: 1,
          min_sequence_number: 1,
          added_snapshot_id: snapshotId,
          added_files_count: 1,
          existing_files_count: 0,
          deleted_files_count: 0,
          added_rows_count: 1,
          existing_rows_count: 0,
          deleted_rows_count: 0,
          partitions: [],
          key_metadata: null,
        },
  );
  const metadata = { 'snapshot-id': String(snapshotId), 'parent-snapshot-id': 'null', 'sequence-number': '1', 'format-version': String(options.version) };
  return encodeContainer(manifestListSchema(options.version), records, metadata, options.codec);
}

/** The bytes of a manifest naming `files`. */
export function manifestBytes(files: ManifestEntry[], options: WriteOptions & { content?: 'data' | 'deletes' }): Promise<Buffer> {
  const snapshotId = options.snapshotId ?? 1;
  const records = files.map((f) => {
    const common = { file_path: f.path, file_format: 'PARQUET', partition: {}, record_count: 1, file_size_in_bytes: 100 };
    return options.version === 1
      ? { status: f.status ?? 1, snapshot_id: snapshotId, data_file: { ...common, block_size_in_bytes: 67108864 } }
      : {
          status: f.status ?? 1,
          snapshot_id: snapshotId,
          sequence_number: 1,
          file_sequence_number: 1,
          data_file: { content: f.content ?? 0, ...common, equality_ids: f.content === 2 ? [1] : null, sort_order_id: null },
        };
  });
  const schema = manifestEntrySchema(options.version);
  const metadata = {
    schema: '{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","required":true,"type":"long"}]}',
    'partition-spec': '[]',
    'partition-spec-id': '0',
    'format-version': String(options.version),
    ...(options.version === 2 ? { content: options.content ?? 'data' } : {}),
  };
  return encodeContainer(schema, records, metadata, options.codec);
}

async function encodeContainer(
  schema: Record<string, unknown>,
  records: unknown[],
  metadata: Record<string, string>,
  codec: AvroCodec = 'deflate',
): Promise<Buffer> {
  const encoder = new streams.BlockEncoder(schema as never, {
    codec,
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'utf8')])),
  } as never);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    encoder.on('end', () => resolve(Buffer.concat(chunks)));
    encoder.on('error', reject);
  });
  for (const record of records) encoder.write(record);
  encoder.end();
  return done;
}
