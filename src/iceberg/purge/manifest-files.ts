import { Type, types } from 'avsc';
import { readAvroContainer, type ContainerRead } from './avro-container';

/**
 * The two Avro files of Iceberg's table spec that name other files, read for the few fields a purge needs:
 *   - a manifest list (one record per manifest): `manifest_path` (field id 500);
 *   - a manifest (one record per data or delete file): `status` (id 0) and `data_file.file_path` (ids 2, 100).
 * Field names are fixed by the spec for every format version; record names are taken from the file's own
 * schema (Avro schema resolution matches records by name), so files written by any Iceberg library read.
 */

/** Locations of the manifests a manifest list names. */
export function readManifestListPaths(bytes: Buffer): ContainerRead<string> {
  const read = readAvroContainer<{ manifest_path: string }>(bytes, manifestListReader);
  return { records: read.records.map((r) => r.manifest_path), ...(read.error ? { error: read.error } : {}) };
}

/** Manifest entry status: 0 EXISTING, 1 ADDED, 2 DELETED. */
export interface ManifestEntryFile {
  status: number;
  filePath: string;
}

/** The data or delete files a manifest names, with the status of each entry. */
export function readManifestEntryFiles(bytes: Buffer): ContainerRead<ManifestEntryFile> {
  const read = readAvroContainer<{ status: number; data_file: { file_path: string } }>(bytes, manifestReader);
  return {
    records: read.records.map((r) => ({ status: r.status, filePath: r.data_file.file_path })),
    ...(read.error ? { error: read.error } : {}),
  };
}

function manifestListReader(writer: Type): Type {
  const record = topLevelRecord(writer, 'manifest list');
  return schemaOf(record.name!, [{ name: 'manifest_path', type: 'string' }]);
}

function manifestReader(writer: Type): Type {
  const record = topLevelRecord(writer, 'manifest');
  const dataFile = record.fields.find((f) => f.name === 'data_file')?.type;
  if (!(dataFile instanceof types.RecordType) || !dataFile.name) {
    throw new Error("not a manifest: no 'data_file' record");
  }
  return schemaOf(record.name!, [
    { name: 'status', type: 'int' },
    { name: 'data_file', type: { type: 'record', name: dataFile.name, fields: [{ name: 'file_path', type: 'string' }] } },
  ]);
}

function topLevelRecord(writer: Type, what: string): types.RecordType {
  if (!(writer instanceof types.RecordType) || !writer.name) throw new Error(`not a ${what}: the schema is not a named record`);
  return writer;
}

/** A reader record with the writer's full name (so resolution matches it) and only the given fields. */
function schemaOf(fullName: string, fields: { name: string; type: unknown }[]): Type {
  return Type.forSchema({ type: 'record', name: fullName, fields } as Parameters<typeof Type.forSchema>[0]);
}
