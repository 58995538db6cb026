import { inflateRawSync } from 'node:zlib';
import { Type } from 'avsc';

/**
 * A synchronous reader of Avro object container files (the format of Iceberg manifest lists and manifests)
 * held in a Buffer. The caller derives a reader type from the writer's schema, so only the fields it needs
 * are materialised (the others are skipped by avsc's schema resolution).
 *
 * A file that stops being readable part-way (truncated, corrupt block, unknown codec) keeps the records
 * decoded before the fault: `error` says what went wrong, `records` holds what was read up to there.
 */

export interface ContainerRead<T> {
  records: T[];
  /** Why reading stopped before the end of the file; absent when the whole file was read. */
  error?: string;
}

/** The reader type for a file, derived from its writer type; throws when the file is not what is expected. */
export type ReaderFor = (writer: Type) => Type;

type Resolver = ReturnType<Type['createResolver']>;

const MAGIC = Buffer.from('Obj\x01', 'latin1');
const SYNC_SIZE = 16;
/** Bound on one decompressed block: Iceberg writes blocks of about a megabyte; this only stops a deflate bomb. */
const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

const HEADER = Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: SYNC_SIZE } },
  ],
});

const BLOCK = Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Block',
  fields: [
    { name: 'count', type: 'long' },
    { name: 'data', type: 'bytes' },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: SYNC_SIZE } },
  ],
});

interface Header {
  meta: Record<string, Buffer>;
  sync: Buffer;
}

interface Block {
  count: number;
  data: Buffer;
  sync: Buffer;
}

export function readAvroContainer<T>(bytes: Buffer, readerFor: ReaderFor): ContainerRead<T> {
  const records: T[] = [];
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    return { records, error: 'not an Avro object container file' };
  }
  let header: Header;
  let offset: number;
  try {
    const decoded = HEADER.decode(bytes, 0);
    if (decoded.offset < 0) return { records, error: 'truncated file header' };
    header = decoded.value as Header;
    offset = decoded.offset;
  } catch (err) {
    return { records, error: `unreadable file header (${messageOf(err)})` };
  }

  const codec = header.meta['avro.codec']?.toString('utf8') || 'null';
  if (codec !== 'null' && codec !== 'deflate') return { records, error: `unsupported codec '${codec}'` };

  let reader: Type;
  let resolver: Resolver;
  try {
    const schemaBytes = header.meta['avro.schema'];
    if (!schemaBytes) return { records, error: 'the file header has no schema' };
    const writer = Type.forSchema(JSON.parse(schemaBytes.toString('utf8')));
    reader = readerFor(writer);
    resolver = reader.createResolver(writer);
  } catch (err) {
    return { records, error: `unexpected schema (${messageOf(err)})` };
  }

  while (offset < bytes.length) {
    let block: Block;
    try {
      const decoded = BLOCK.decode(bytes, offset);
      if (decoded.offset < 0) return { records, error: 'truncated data block' };
      block = decoded.value as Block;
      offset = decoded.offset;
    } catch (err) {
      return { records, error: `corrupt data block (${messageOf(err)})` };
    }
    if (!block.sync.equals(header.sync)) return { records, error: 'sync marker mismatch' };
    let data: Buffer;
    try {
      data = codec === 'deflate' ? inflateRawSync(block.data, { maxOutputLength: MAX_BLOCK_BYTES }) : block.data;
    } catch (err) {
      return { records, error: `undecompressable data block (${messageOf(err)})` };
    }
    // Every record the callers read holds at least one byte (a string or an int), so a count above the
    // block's size is corruption, not a reason to loop for a very long time.
    if (!Number.isSafeInteger(block.count) || block.count < 0 || block.count > data.length) {
      return { records, error: `corrupt record count ${String(block.count)}` };
    }
    let position = 0;
    for (let i = 0; i < block.count; i++) {
      let decoded: { value: unknown; offset: number };
      try {
        decoded = reader.decode(data, position, resolver);
      } catch (err) {
        return { records, error: `corrupt record (${messageOf(err)})` };
      }
      if (decoded.offset < 0) return { records, error: 'truncated record' };
      records.push(decoded.value as T);
      position = decoded.offset;
    }
  }
  return { records };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
