import { randomUUID } from 'node:crypto';
import type { DomainError } from '../../src/common/errors';
import type { Asset, AssetKind, Commit, NamespacePath, Pagination, StringMap } from '../../src/persistence/models';
import { METADATA_LOCATION_PROPERTY } from '../../src/persistence/models';
import type { PersistencePorts } from '../../src/persistence/persistence-ports';
import type { AssetKey, AssetPut, BranchChanges, CommitInfo, CommitChangesOptions } from '../../src/persistence/ports';

/**
 * What a backend's TEST server may genuinely be unable to do. A test that needs a missing capability is
 * registered as a visible skip naming the capability and the reason; it is never reported as passed.
 */
export interface BackendCapabilities {
  /** The server enforces unique indexes (needed when two writers race to create the same name). */
  enforcedUniqueIndexes: Capability;
  /** Atomic multi-document writes with rollback and isolation (needed by the concurrent-commit races). */
  transactions: Capability;
  /** Server-side `$merge` aggregation stage (the MongoDB bulk branch copy is one such pipeline). */
  aggregationMerge: Capability;
  /** Reads an ancestry thousands of commits deep with one query within a test's time budget. */
  deepAncestry: Capability;
}

export type CapabilityName = keyof BackendCapabilities;
export type Capability = { supported: true } | { supported: false; reason: string };

export const SUPPORTED: Capability = { supported: true };

/** A capability the test server lacks, with the reason shown in the skipped test's title. */
export function lacking(reason: string): Capability {
  return { supported: false, reason };
}

/** A real production-grade server: every contract test runs. */
export const FULL_CAPABILITIES: BackendCapabilities = {
  enforcedUniqueIndexes: SUPPORTED,
  transactions: SUPPORTED,
  aggregationMerge: SUPPORTED,
  deepAncestry: SUPPORTED,
};

export interface ContractBackend {
  /** Opens the backend once per suite; the suite closes it with `health.close()`. */
  open(): Promise<PersistencePorts>;
  capabilities: BackendCapabilities;
}

/** What every per-port part of the suite receives. */
export interface ContractContext {
  backendName: string;
  /** The opened backend (available inside tests and hooks, not at describe time). */
  readonly ports: PersistencePorts;
  /**
   * Registers a test that needs the listed capabilities: a plain `it` when the backend has them all, else a
   * visible `it.skip` whose title names the missing capability and why.
   */
  test(title: string, needs: CapabilityName[], fn: () => Promise<void>, timeoutMs?: number): void;
}

export function createContractContext(
  backendName: string,
  capabilities: BackendCapabilities,
  getPorts: () => PersistencePorts,
): ContractContext {
  return {
    backendName,
    get ports() {
      return getPorts();
    },
    test(title, needs, fn, timeoutMs) {
      for (const flag of needs) {
        const capability = capabilities[flag];
        if (!capability.supported) {
          it.skip(`${title} [skipped: ${backendName} test server lacks ${flag}: ${capability.reason}]`, fn);
          return;
        }
      }
      it(title, fn, timeoutMs);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers shared by the per-port parts. Every test uses fresh random tenants and names, so tests are
// independent without ever resetting the store.

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Creates a tenant with a random id and name; returns its id. */
export async function newTenant(ports: PersistencePorts, properties: StringMap = {}): Promise<string> {
  const id = randomUUID();
  await ports.tenants.createTenant({ id, name: uniqueName('tenant'), properties });
  return id;
}

/** A Local catalog without warehouse or storage location (brings namespace `default` and branch `main`). */
export async function createLocalCatalog(ports: PersistencePorts, tenantId: string, catalogName: string): Promise<void> {
  await ports.catalogs.createCatalog({
    id: randomUUID(),
    tenantId,
    name: catalogName,
    catalogType: 'Local',
    warehouseName: null,
    storageLocation: null,
    federatedConfig: null,
    properties: {},
  });
}

/** Creates a tenant and a Local catalog in it (which brings namespace `default` and branch `main`). */
export async function newCatalog(ports: PersistencePorts): Promise<{ tenantId: string; catalogName: string }> {
  const tenantId = await newTenant(ports);
  const catalogName = uniqueName('catalog');
  await createLocalCatalog(ports, tenantId, catalogName);
  return { tenantId, catalogName };
}

/** An Iceberg-table put whose metadata location is `metadataLocation` (no property when null). */
export function tablePut(
  namespace: NamespacePath,
  name: string,
  metadataLocation: string | null = `s3://bucket/${name}/metadata/00000.metadata.json`,
  overrides: Partial<AssetPut> = {},
): AssetPut {
  const properties: StringMap = { owner: 'contract' };
  if (metadataLocation !== null) properties[METADATA_LOCATION_PROPERTY] = metadataLocation;
  return {
    namespace,
    name,
    kind: 'ICEBERG_TABLE' as AssetKind,
    location: `s3://bucket/${[...namespace, name].join('/')}`,
    properties,
    ...overrides,
  };
}

export function changes(partial: Partial<BranchChanges>): BranchChanges {
  return { puts: [], deletes: [], expectations: [], ...partial };
}

export const AUTHOR: CommitInfo = { author: 'contract-suite', message: 'contract test change' };

/** commitChanges with defaults for the parts a test does not care about. */
export function commit(
  ports: PersistencePorts,
  tenantId: string,
  catalogName: string,
  branch: string,
  partial: Partial<BranchChanges>,
  options?: CommitChangesOptions,
): Promise<Commit> {
  return ports.unitOfWork.commitChanges(tenantId, catalogName, branch, changes(partial), AUTHOR, options);
}

/**
 * Writes `count` tables onto the branch with ONE commitChanges, spread over `namespaces` round-robin.
 * Names are zero-padded so their order is predictable.
 */
export async function seedTables(
  ports: PersistencePorts,
  tenantId: string,
  catalogName: string,
  branch: string,
  count: number,
  namespaces: NamespacePath[] = [['default']],
): Promise<Commit> {
  const puts: AssetPut[] = [];
  for (let i = 0; i < count; i++) {
    const name = `t${String(i).padStart(5, '0')}`;
    const put = tablePut(namespaces[i % namespaces.length], name);
    put.properties.n = String(i);
    puts.push(put);
  }
  return commit(ports, tenantId, catalogName, branch, { puts });
}

/** The part of an asset row a branch copy must preserve (everything but the branch). */
export function copiedShape(asset: Asset): Omit<Asset, 'branch'> {
  const { branch: _branch, ...rest } = asset;
  return rest;
}

export function keyOf(asset: AssetKey): string {
  return JSON.stringify([asset.namespace, asset.name]);
}

/** A chain of `depth` commits, root first, each the parent of the next. */
export function buildCommitChain(tenantId: string, depth: number, rootParentId: string | null = null): Commit[] {
  const chain: Commit[] = [];
  let parentId = rootParentId;
  for (let i = 0; i < depth; i++) {
    const id = randomUUID();
    chain.push({
      id,
      tenantId,
      parentId,
      timestamp: 1_700_000_000_000 + i,
      author: 'importer',
      message: `imported commit ${i}`,
      operations: [{ Delete: { name: `ns.t${i}` } }],
    });
    parentId = id;
  }
  return chain;
}

/**
 * Awaits a rejection and checks it is an instance of `errorClass` with the given fields (for example the
 * `resource` of a NotFoundError). Returns the error for further checks.
 */
export async function expectRejection<E extends DomainError>(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => E,
  fields: Partial<Record<keyof E, unknown>> = {},
): Promise<E> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`Expected a ${errorClass.name}, but the call resolved`);
  expect(caught).toBeInstanceOf(errorClass);
  expect(caught).toMatchObject(fields);
  return caught as E;
}

/**
 * Checks a paginated list against the full expected result in its documented order: no page, limit,
 * offset, both, limit 0 and an offset at or past the end.
 */
export async function expectPagination<T>(list: (page?: Pagination) => Promise<T[]>, expected: T[]): Promise<void> {
  expect(expected.length).toBeGreaterThanOrEqual(3);
  expect(await list()).toEqual(expected);
  expect(await list({})).toEqual(expected);
  expect(await list({ limit: 2 })).toEqual(expected.slice(0, 2));
  expect(await list({ offset: 1 })).toEqual(expected.slice(1));
  expect(await list({ limit: 2, offset: 1 })).toEqual(expected.slice(1, 3));
  expect(await list({ limit: 1000, offset: expected.length - 1 })).toEqual(expected.slice(-1));
  expect(await list({ limit: 0 })).toEqual([]);
  expect(await list({ limit: 0, offset: 1 })).toEqual([]);
  expect(await list({ offset: expected.length })).toEqual([]);
  expect(await list({ offset: expected.length + 5 })).toEqual([]);
}

/**
 * Names that sort differently under binary (code point) order and under locale collations: the contract
 * orders names in binary order on every backend. Listed here in that order.
 */
export function binaryOrderedNames(prefix: string): string[] {
  return [`${prefix}-B`, `${prefix}-Z`, `${prefix}-_x`, `${prefix}-a`, `${prefix}-a-b`, `${prefix}-ab`];
}

/** Binary (Unicode code point, i.e. UTF-8 byte) order: the order every backend lists names in. */
export function compareBinary(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
