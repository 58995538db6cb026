import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { HttpAgent } from '../../support/app-harness';
import type { CapabilityName } from '../../persistence-contract/contract-support';

/**
 * Creating a branch copies its assets with ONE server-side statement; on MongoDB that is a `$merge`
 * pipeline, which the in-process test server lacks. Tests that create branches need this capability.
 */
export const BRANCHING: CapabilityName[] = ['aggregationMerge'];

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** RFC 3339 UTC with `Z` and 0/3/6/9 fractional digits (contract management §0.2). */
export const Z_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/;
/** The pre-formatted `+00:00` form of the merge-operation summary. */
export const OFFSET_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?\+00:00$/;

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

/** Fails with the response body in the message, which says more than a bare status mismatch. */
export function expectStatus(res: Response, status: number): Response {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  }
  return res;
}

/** A management error: `{"error": "<message>"}` with the given status. */
export function expectError(res: Response, status: number, pattern?: RegExp): void {
  expectStatus(res, status);
  expect(Object.keys(res.body)).toEqual(['error']);
  if (pattern) expect(res.body.error).toMatch(pattern);
}

export async function createCatalog(http: HttpAgent, name = uniqueName('cat')): Promise<string> {
  expectStatus(await http.post('/api/v1/catalogs').send({ name }), 201);
  return name;
}

/** Registers a generic asset on main (one commit); returns its id. */
export async function registerAsset(
  http: HttpAgent,
  catalog: string,
  namespace: string,
  name: string,
  extra: { kind?: string; location?: string; properties?: Record<string, string> } = {},
): Promise<string> {
  const res = await http.post(`/api/v1/catalogs/${catalog}/namespaces/${namespace}/assets`).send({
    name,
    kind: extra.kind ?? 'PARQUET_TABLE',
    location: extra.location ?? `s3://bucket/${catalog}/${namespace}/${name}`,
    properties: extra.properties ?? {},
  });
  expectStatus(res, 201);
  return res.body.id;
}

export interface WireCommit {
  id: string;
  parent_id: string | null;
  timestamp: number;
  author: string;
  message: string;
  operations: Record<string, any>[];
}

export async function history(http: HttpAgent, catalog: string, branch: string, query = ''): Promise<WireCommit[]> {
  const res = await http.get(`/api/v1/branches/${encodeURIComponent(branch)}/commits?catalog=${catalog}${query}`);
  return expectStatus(res, 200).body;
}

export async function branchOf(http: HttpAgent, catalog: string, branch: string) {
  const res = await http.get(`/api/v1/branches/${encodeURIComponent(branch)}?catalog=${catalog}`);
  return expectStatus(res, 200).body as {
    name: string;
    head_commit_id: string | null;
    branch_type: string;
    assets: string[];
  };
}

/** Each commit's parent is the next (older) commit of the list. */
export function expectParentChain(commits: WireCommit[]): void {
  for (let i = 0; i + 1 < commits.length; i++) {
    expect(commits[i].parent_id).toBe(commits[i + 1].id);
    expect(commits[i].timestamp).toBeGreaterThanOrEqual(commits[i + 1].timestamp);
  }
}

/** A minimal Iceberg schema for creating tables through the Iceberg routes. */
export const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [{ id: 1, name: 'id', required: true, type: 'long' }],
};

/**
 * Table changes on a branch through the Iceberg REST routes (each one a commit on that branch, DESIGN §2.5).
 * `?branch=` selects the branch; main when absent.
 */
export class Tables {
  constructor(
    private readonly http: HttpAgent,
    readonly catalog: string,
    readonly namespace = 'ns',
  ) {}

  private path(suffix: string, branch: string): string {
    return `/v1/${this.catalog}/namespaces/${this.namespace}${suffix}?branch=${encodeURIComponent(branch)}`;
  }

  async createNamespace(): Promise<void> {
    expectStatus(await this.http.post(`/v1/${this.catalog}/namespaces`).send({ namespace: [this.namespace] }), 200);
  }

  /** Creates the table; returns its metadata location. */
  async create(name: string, branch = 'main'): Promise<string> {
    const res = await this.http.post(this.path('/tables', branch)).send({ name, schema: SCHEMA });
    return expectStatus(res, 200).body['metadata-location'];
  }

  /** Commits a property change (a new metadata file); returns the new metadata location. */
  async commit(name: string, branch: string, properties: Record<string, string>): Promise<string> {
    const res = await this.http
      .post(this.path(`/tables/${name}`, branch))
      .send({ requirements: [], updates: [{ action: 'set-properties', updates: properties }] });
    return expectStatus(res, 200).body['metadata-location'];
  }

  async drop(name: string, branch: string): Promise<void> {
    expectStatus(await this.http.delete(this.path(`/tables/${name}`, branch)), 204);
  }

  /** Registers an existing metadata file as table `name`; returns its metadata location. */
  async register(name: string, branch: string, metadataLocation: string): Promise<string> {
    const res = await this.http
      .post(this.path('/register', branch))
      .send({ name, 'metadata-location': metadataLocation });
    return expectStatus(res, 200).body['metadata-location'];
  }

  /** The table's metadata location on the branch, or null when the branch does not have it. */
  async metadataLocation(name: string, branch: string): Promise<string | null> {
    const res = await this.http.get(this.path(`/tables/${name}`, branch));
    if (res.status === 404) return null;
    return expectStatus(res, 200).body['metadata-location'];
  }
}

export async function createBranch(http: HttpAgent, catalog: string, name: string, extra: Record<string, unknown> = {}) {
  return expectStatus(await http.post('/api/v1/branches').send({ name, catalog, ...extra }), 201).body;
}

export function merge(http: HttpAgent, catalog: string, source: string, target: string) {
  return http.post('/api/v1/branches/merge').send({ catalog, source_branch: source, target_branch: target });
}
