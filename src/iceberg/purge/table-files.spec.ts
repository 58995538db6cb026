import { Type } from 'avsc';
import { manifestBytes, manifestEntrySchema, manifestListBytes, manifestListSchema } from '../../../test/support/iceberg-manifests';
import { readManifestEntryFiles, readManifestListPaths } from './manifest-files';
import { collectTableFiles } from './table-files';

const T = 's3://bucket/wh/db/t';

/** A storage stand-in: a map of location -> bytes, recording what was read. */
function store(files: Record<string, Buffer>) {
  const reads: string[] = [];
  return {
    reads,
    read: async (location: string) => {
      reads.push(location);
      return files[location];
    },
  };
}

describe('Iceberg manifest files (Avro)', () => {
  it.each([
    [1, 'null'],
    [1, 'deflate'],
    [2, 'null'],
    [2, 'deflate'],
  ] as const)('reads a v%s manifest list and manifest written with the %s codec', async (version, codec) => {
    const list = await manifestListBytes([{ path: `${T}/metadata/m1.avro` }, { path: `${T}/metadata/m2.avro`, content: 1 }], { version, codec });
    expect(readManifestListPaths(list)).toEqual({ records: [`${T}/metadata/m1.avro`, `${T}/metadata/m2.avro`] });

    const manifest = await manifestBytes(
      [
        { path: `${T}/data/a.parquet`, status: 1 },
        { path: `${T}/data/b.parquet`, status: 0 },
        { path: `${T}/data/c.parquet`, status: 2 },
      ],
      { version, codec },
    );
    expect(readManifestEntryFiles(manifest)).toEqual({
      records: [
        { status: 1, filePath: `${T}/data/a.parquet` },
        { status: 0, filePath: `${T}/data/b.parquet` },
        { status: 2, filePath: `${T}/data/c.parquet` },
      ],
    });
  });

  it('reads delete manifests (position and equality deletes) like data manifests', async () => {
    const manifest = await manifestBytes(
      [
        { path: `${T}/data/pos-del.parquet`, content: 1 },
        { path: `${T}/data/eq-del.parquet`, content: 2 },
      ],
      { version: 2, content: 'deletes' },
    );
    expect(readManifestEntryFiles(manifest).records.map((r) => r.filePath)).toEqual([`${T}/data/pos-del.parquet`, `${T}/data/eq-del.parquet`]);
  });

  it('matches the writer record names, whatever namespace they carry', () => {
    const type = Type.forSchema({ ...manifestListSchema(2), namespace: 'org.example.iceberg' } as never);
    const record = {
      manifest_path: `${T}/metadata/x.avro`,
      manifest_length: 1,
      partition_spec_id: 0,
      content: 0,
      sequence_number: 1,
      min_sequence_number: 1,
      added_snapshot_id: 1,
      added_files_count: 1,
      existing_files_count: 0,
      deleted_files_count: 0,
      added_rows_count: 1,
      existing_rows_count: 0,
      deleted_rows_count: 0,
      partitions: null,
      key_metadata: null,
    };
    expect(type.name).toBe('org.example.iceberg.manifest_file');
    expect(readManifestListPaths(containerOf(type, [record]))).toEqual({ records: [`${T}/metadata/x.avro`] });
  });

  it('reports garbage, a foreign schema and a truncated file', async () => {
    expect(readManifestListPaths(Buffer.from('not avro at all'))).toEqual({ records: [], error: 'not an Avro object container file' });
    const manifest = await manifestBytes([{ path: `${T}/data/a.parquet` }], { version: 2, codec: 'null' });
    expect(readManifestListPaths(manifest).error).toMatch(/^unexpected schema/);
    const list = await manifestListBytes([{ path: `${T}/metadata/m1.avro` }], { version: 2, codec: 'null' });
    expect(readManifestEntryFiles(list).error).toMatch(/^unexpected schema/);

    const read = readManifestEntryFiles(manifest.subarray(0, manifest.length - 20));
    expect(read).toEqual({ records: [], error: 'truncated data block' });
  });

  it('keeps the records of the blocks before a corrupt block', async () => {
    const type = Type.forSchema(manifestEntrySchema(2) as never);
    const entry = (path: string) => ({
      status: 1,
      snapshot_id: 1,
      sequence_number: 1,
      file_sequence_number: 1,
      data_file: { content: 0, file_path: path, file_format: 'PARQUET', partition: {}, record_count: 1, file_size_in_bytes: 1, equality_ids: null, sort_order_id: null },
    });
    const good = containerOf(type, [entry(`${T}/data/a.parquet`)]);
    // A second block whose sync marker is wrong: the first block's record still counts.
    const secondBlock = blockOf(type, [entry(`${T}/data/b.parquet`)], Buffer.alloc(16, 7));
    const read = readManifestEntryFiles(Buffer.concat([good, secondBlock]));
    expect(read.records.map((r) => r.filePath)).toEqual([`${T}/data/a.parquet`]);
    expect(read.error).toBe('sync marker mismatch');
  });
});

describe('collectTableFiles', () => {
  it('lists every referenced file of a v2 table in deletion order, the current metadata file last', async () => {
    const files = {
      [`${T}/metadata/snap-1.avro`]: await manifestListBytes([{ path: `${T}/metadata/m1.avro` }], { version: 2 }),
      [`${T}/metadata/snap-2.avro`]: await manifestListBytes(
        [{ path: `${T}/metadata/m1.avro` }, { path: `${T}/metadata/m2.avro` }, { path: `${T}/metadata/d1.avro`, content: 1 }],
        { version: 2, snapshotId: 2 },
      ),
      [`${T}/metadata/m1.avro`]: await manifestBytes([{ path: `${T}/data/a.parquet` }], { version: 2 }),
      [`${T}/metadata/m2.avro`]: await manifestBytes([{ path: `${T}/data/b.parquet` }, { path: `${T}/data/a.parquet`, status: 0 }], { version: 2 }),
      [`${T}/metadata/d1.avro`]: await manifestBytes([{ path: `${T}/data/del.parquet`, content: 1 }], { version: 2, content: 'deletes' }),
    };
    const storage = store(files);
    const metadata = {
      'format-version': 2,
      location: T,
      snapshots: [
        { 'snapshot-id': 1, 'manifest-list': `${T}/metadata/snap-1.avro` },
        { 'snapshot-id': 2, 'manifest-list': `${T}/metadata/snap-2.avro` },
      ],
      'metadata-log': [{ 'metadata-file': `${T}/metadata/00000-a.metadata.json`, 'timestamp-ms': 1 }],
      statistics: [{ 'snapshot-id': 2, 'statistics-path': `${T}/metadata/stats.puffin` }],
      'partition-statistics': [{ 'snapshot-id': 2, 'statistics-path': `${T}/metadata/pstats.parquet` }],
    };
    const collected = await collectTableFiles({ tableLocation: T, metadataLocation: `${T}/metadata/00001-b.metadata.json`, metadata, read: storage.read });
    expect(collected).toEqual({
      files: [
        `${T}/data/a.parquet`,
        `${T}/data/b.parquet`,
        `${T}/data/del.parquet`,
        `${T}/metadata/m1.avro`,
        `${T}/metadata/m2.avro`,
        `${T}/metadata/d1.avro`,
        `${T}/metadata/snap-1.avro`,
        `${T}/metadata/snap-2.avro`,
        `${T}/metadata/stats.puffin`,
        `${T}/metadata/pstats.parquet`,
        `${T}/metadata/00000-a.metadata.json`,
        `${T}/metadata/00001-b.metadata.json`,
      ],
      outside: [],
      unreadable: [],
    });
    // m1 is listed by both snapshots and read once.
    expect(storage.reads.filter((r) => r.endsWith('/m1.avro'))).toHaveLength(1);
  });

  it('reads v1 tables: manifest lists and inline manifests', async () => {
    const files = {
      [`${T}/metadata/snap-1.avro`]: await manifestListBytes([{ path: `${T}/metadata/m1.avro` }], { version: 1, codec: 'null' }),
      [`${T}/metadata/m1.avro`]: await manifestBytes([{ path: `${T}/data/a.parquet` }], { version: 1, codec: 'null' }),
      [`${T}/metadata/m-inline.avro`]: await manifestBytes([{ path: `${T}/data/b.parquet` }], { version: 1 }),
    };
    const metadata = {
      'format-version': 1,
      snapshots: [
        { 'snapshot-id': 1, 'manifest-list': `${T}/metadata/snap-1.avro` },
        { 'snapshot-id': 2, manifests: [`${T}/metadata/m-inline.avro`] },
      ],
    };
    const collected = await collectTableFiles({ tableLocation: T, metadataLocation: `${T}/metadata/v2.metadata.json`, metadata, read: store(files).read });
    expect(collected.files.sort()).toEqual(
      [
        `${T}/data/a.parquet`,
        `${T}/data/b.parquet`,
        `${T}/metadata/m1.avro`,
        `${T}/metadata/m-inline.avro`,
        `${T}/metadata/snap-1.avro`,
        `${T}/metadata/v2.metadata.json`,
      ].sort(),
    );
    expect(collected.unreadable).toEqual([]);
  });

  it('never reads nor returns files outside the table location, however they are referenced', async () => {
    const files = {
      [`${T}/metadata/snap-1.avro`]: await manifestListBytes(
        [{ path: `${T}/metadata/m1.avro` }, { path: 's3://bucket/wh/db/other/metadata/m.avro' }],
        { version: 2 },
      ),
      [`${T}/metadata/m1.avro`]: await manifestBytes(
        [
          { path: `${T}/data/a.parquet` },
          { path: 'file:///etc/passwd' },
          { path: 's3://bucket/wh/db/t2/data/x.parquet' },
          { path: 's3://other-bucket/wh/db/t/data/y.parquet' },
          { path: 's3://bucket/wh/db/t' },
        ],
        { version: 2 },
      ),
    };
    const storage = store(files);
    const metadata = {
      snapshots: [
        { 'snapshot-id': 1, 'manifest-list': `${T}/metadata/snap-1.avro` },
        { 'snapshot-id': 2, 'manifest-list': 's3://bucket/wh/db/other/metadata/snap.avro' },
      ],
      'metadata-log': [{ 'metadata-file': 'file:///var/lib/pangolin/pangolin.db' }, { 'metadata-file': `${T}/../x.json` }],
      statistics: [{ 'statistics-path': 's3://bucket/wh/stats.puffin' }],
    };
    const collected = await collectTableFiles({ tableLocation: T, metadataLocation: `${T}/metadata/v1.metadata.json`, metadata, read: storage.read });
    expect(collected.files).toEqual([`${T}/data/a.parquet`, `${T}/metadata/m1.avro`, `${T}/metadata/snap-1.avro`, `${T}/metadata/v1.metadata.json`]);
    expect(collected.outside.sort()).toEqual(
      [
        's3://bucket/wh/db/other/metadata/snap.avro',
        's3://bucket/wh/db/other/metadata/m.avro',
        'file:///etc/passwd',
        's3://bucket/wh/db/t2/data/x.parquet',
        's3://other-bucket/wh/db/t/data/y.parquet',
        's3://bucket/wh/db/t',
        'file:///var/lib/pangolin/pangolin.db',
        `${T}/../x.json`,
        's3://bucket/wh/stats.puffin',
      ].sort(),
    );
    expect(storage.reads).toEqual([`${T}/metadata/snap-1.avro`, `${T}/metadata/m1.avro`]);
  });

  it('keeps data files when gc.enabled is false, deleting only the metadata tree', async () => {
    const files = {
      [`${T}/metadata/snap-1.avro`]: await manifestListBytes([{ path: `${T}/metadata/m1.avro` }], { version: 2 }),
      [`${T}/metadata/m1.avro`]: await manifestBytes([{ path: `${T}/data/a.parquet` }], { version: 2 }),
    };
    const metadata = { properties: { 'gc.enabled': 'false' }, snapshots: [{ 'snapshot-id': 1, 'manifest-list': `${T}/metadata/snap-1.avro` }] };
    const collected = await collectTableFiles({ tableLocation: T, metadataLocation: `${T}/metadata/v1.metadata.json`, metadata, read: store(files).read });
    expect(collected.files).toEqual([`${T}/metadata/m1.avro`, `${T}/metadata/snap-1.avro`, `${T}/metadata/v1.metadata.json`]);
  });

  it('reports missing, failing and corrupt Avro files and still returns everything else', async () => {
    const good = await manifestBytes([{ path: `${T}/data/a.parquet` }, { path: `${T}/data/b.parquet` }], { version: 2, codec: 'null' });
    const files: Record<string, Buffer> = {
      [`${T}/metadata/snap-1.avro`]: await manifestListBytes(
        [{ path: `${T}/metadata/m-truncated.avro` }, { path: `${T}/metadata/m-missing.avro` }, { path: `${T}/metadata/m-garbage.avro` }],
        { version: 2 },
      ),
      [`${T}/metadata/m-truncated.avro`]: good.subarray(0, good.length - 30),
      [`${T}/metadata/m-garbage.avro`]: Buffer.from('{"not":"avro"}'),
    };
    const read = async (location: string) => {
      if (location.endsWith('snap-2.avro')) throw new Error('store unreachable');
      return files[location];
    };
    const metadata = {
      snapshots: [
        { 'snapshot-id': 1, 'manifest-list': `${T}/metadata/snap-1.avro` },
        { 'snapshot-id': 2, 'manifest-list': `${T}/metadata/snap-2.avro` },
        { 'snapshot-id': 3, 'manifest-list': `${T}/metadata/snap-3.avro` },
      ],
    };
    const collected = await collectTableFiles({ tableLocation: T, metadataLocation: `${T}/metadata/v1.metadata.json`, metadata, read });
    expect(collected.files).toEqual([
      `${T}/metadata/m-truncated.avro`,
      `${T}/metadata/m-missing.avro`,
      `${T}/metadata/m-garbage.avro`,
      `${T}/metadata/snap-1.avro`,
      `${T}/metadata/snap-2.avro`,
      `${T}/metadata/snap-3.avro`,
      `${T}/metadata/v1.metadata.json`,
    ]);
    expect(collected.unreadable).toEqual(
      expect.arrayContaining([
        { location: `${T}/metadata/snap-2.avro`, reason: 'store unreachable' },
        { location: `${T}/metadata/snap-3.avro`, reason: 'missing' },
        { location: `${T}/metadata/m-missing.avro`, reason: 'missing' },
        { location: `${T}/metadata/m-garbage.avro`, reason: 'not an Avro object container file' },
        { location: `${T}/metadata/m-truncated.avro`, reason: expect.stringMatching(/truncated/) },
      ]),
    );
    expect(collected.unreadable).toHaveLength(5);
  });

  it('returns only the current metadata file when the document is unreadable or has the wrong shapes', async () => {
    for (const metadata of [undefined, 'text', [], { snapshots: 'x', 'metadata-log': [1, null, { 'metadata-file': 7 }], statistics: {} }]) {
      const collected = await collectTableFiles({ tableLocation: T, metadataLocation: `${T}/metadata/v1.metadata.json`, metadata, read: store({}).read });
      expect(collected).toEqual({ files: [`${T}/metadata/v1.metadata.json`], outside: [], unreadable: [] });
    }
  });
});

const SYNC = Buffer.alloc(16, 3);

/** An uncompressed container file holding `records` in one block (header + block). */
function containerOf(type: Type, records: unknown[]): Buffer {
  const header = Type.forSchema({
    type: 'record',
    name: 'Header',
    fields: [
      { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
      { name: 'meta', type: { type: 'map', values: 'bytes' } },
      { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
    ],
  });
  const head = header.toBuffer({
    magic: Buffer.from('Obj\x01', 'latin1'),
    meta: { 'avro.schema': Buffer.from(JSON.stringify(type.schema())), 'avro.codec': Buffer.from('null') },
    sync: SYNC,
  });
  return Buffer.concat([head, blockOf(type, records, SYNC)]);
}

function blockOf(type: Type, records: unknown[], sync: Buffer): Buffer {
  const block = Type.forSchema({
    type: 'record',
    name: 'Block',
    fields: [
      { name: 'count', type: 'long' },
      { name: 'data', type: 'bytes' },
      { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
    ],
  });
  return block.toBuffer({ count: records.length, data: Buffer.concat(records.map((r) => type.toBuffer(r))), sync });
}
