/**
 * Small JSON client for the service's HTTP API, used against service processes (fetch, no supertest): the
 * calls the operations tests make to set up a catalog and to commit, load and inspect tables.
 */

export type Json = any;

export interface JsonResponse {
  status: number;
  body: Json;
  text: string;
}

export const TABLE_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'payload', required: false, type: 'string' },
  ],
};

export async function call(baseUrl: string, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Json;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

/** Like call, but the status must be one of `expected`; otherwise throws with the answer. */
export async function expectCall(baseUrl: string, method: string, path: string, body: unknown, expected: number[]): Promise<Json> {
  const res = await call(baseUrl, method, path, body);
  if (!expected.includes(res.status)) {
    throw new Error(`${method} ${path} answered ${res.status} (expected ${expected.join('/')}): ${res.text.slice(0, 500)}`);
  }
  return res.body;
}

/** A file warehouse rooted at `root` (shared by every instance, as S3 would be) and a catalog using it. */
export async function createFileCatalog(baseUrl: string, catalog: string, root: string): Promise<void> {
  await expectCall(baseUrl, 'POST', '/api/v1/warehouses', { name: `${catalog}-wh`, storage_config: { type: 'file', root } }, [201]);
  await expectCall(baseUrl, 'POST', '/api/v1/catalogs', { name: catalog, warehouse_name: `${catalog}-wh` }, [201]);
}

export async function createNamespace(baseUrl: string, catalog: string, namespace: string): Promise<void> {
  await expectCall(baseUrl, 'POST', `/v1/${catalog}/namespaces`, { namespace: [namespace] }, [200]);
}

export function tablePath(catalog: string, namespace: string, table: string): string {
  return `/v1/${catalog}/namespaces/${encodeURIComponent(namespace)}/tables/${encodeURIComponent(table)}`;
}

export async function createTable(baseUrl: string, catalog: string, namespace: string, table: string): Promise<Json> {
  return expectCall(
    baseUrl,
    'POST',
    `/v1/${catalog}/namespaces/${encodeURIComponent(namespace)}/tables`,
    { name: table, schema: TABLE_SCHEMA },
    [200],
  );
}

export async function loadTable(baseUrl: string, catalog: string, namespace: string, table: string): Promise<Json> {
  return expectCall(baseUrl, 'GET', tablePath(catalog, namespace, table), undefined, [200]);
}

export function commitBody(requirements: Json[], updates: Json[]): Json {
  return { requirements, updates };
}

export interface Commit {
  id: string;
  parent_id: string | null;
  timestamp: number;
  message: string;
  operations: ({ Put: { asset: { name: string; properties: Record<string, string> } } } | { Delete: { name: string } })[];
}

/** The branch's history, newest first. */
export async function branchHistory(baseUrl: string, catalog: string, branch = 'main', limit = 1000): Promise<Commit[]> {
  return expectCall(baseUrl, 'GET', `/api/v1/branches/${encodeURIComponent(branch)}/commits?catalog=${catalog}&limit=${limit}`, undefined, [200]);
}
