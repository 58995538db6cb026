import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { HttpAgent } from '../../../support/app-harness';
import { expectIcebergResponse } from './iceberg-response-schemas';

export type Json = Record<string, any>;

/** A minimal table schema, partition spec and sort order, as PyIceberg sends them. */
export function createTableBody(name: string, extra: Json = {}): Json {
  return {
    name,
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', type: 'long', required: true },
        { id: 2, name: 'data', type: 'string', required: false },
      ],
    },
    'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 1, 'field-id': 1000, name: 'id_bucket', transform: 'bucket[4]' }] },
    'write-order': { 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
    'stage-create': false,
    properties: {},
    ...extra,
  };
}

/** POSTs a create-table request and returns the validated LoadTableResult. */
export async function createTable(http: HttpAgent, tablesPath: string, name: string, extra: Json = {}): Promise<Json> {
  const res = await http.post(tablesPath).send(createTableBody(name, extra));
  if (res.status !== 200) throw new Error(`create ${name}: ${res.status} ${res.text}`);
  expectIcebergResponse('LoadTableResult', res.body);
  return res.body;
}

/** Sends a commit body given as raw JSON text (so 64-bit ids stay exact). */
export function commitRaw(http: HttpAgent, tablePath: string, json: string) {
  return http.post(tablePath).set('Content-Type', 'application/json').send(json);
}

export async function loadTable(http: HttpAgent, tablePath: string): Promise<Json> {
  const res = await http.get(tablePath);
  if (res.status !== 200) throw new Error(`load ${tablePath}: ${res.status} ${res.text}`);
  expectIcebergResponse('LoadTableResult', res.body);
  return res.body;
}

/** Names of the files in a local (file://) table's metadata directory. */
export async function metadataFiles(tableLocation: string): Promise<string[]> {
  const dir = `${fileURLToPath(tableLocation)}/metadata`;
  return (await readdir(dir).catch(() => [])).sort();
}
