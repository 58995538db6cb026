import { randomBytes, randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { AlreadyExistsError, ConflictError, ExpectationFailedError } from '../../common/errors';
import type { Commit } from '../models';
import type { PersistencePorts } from '../persistence-ports';
import {
  AUTHOR,
  buildCommitChain,
  changes,
  commit,
  newCatalog,
  newTenant,
  tablePut,
} from '../../../test/persistence-contract/contract-support';
import { MONGO_KIND_ENV, MONGO_URI_ENV } from '../../../test/support/servers/mongo-server';
import { RESERVATION_STALE_MS } from './mongo-branch-copy';
import { openMongoPersistence } from './mongo-persistence';
import { ASSET_KEY_FIELDS, COLLECTIONS } from './mongo-schemas';

/**
 * What the contract suite cannot see: the statements this adapter sends, the stored document shapes, the
 * indexes made at boot and the branch reservation. Runs against the test run's MongoDB (a real replica set
 * when PANGOLIN_TEST_MONGODB_URI is given, else the in-process wire-compatible server).
 */

const url = process.env[MONGO_URI_ENV];
if (!url) throw new Error(`${MONGO_URI_ENV} is not set: the test run's global setup starts MongoDB and sets it`);
const inProcessServer = process.env[MONGO_KIND_ENV] === 'in-process';

interface Statement {
  collection: string;
  method: string;
  args: unknown[];
}

/** Every collection method the adapter calls while `action` runs (mongoose's debug hook). */
async function statementsOf(action: () => Promise<unknown>): Promise<{ statements: Statement[]; outcome: PromiseSettledResult<unknown> }> {
  const statements: Statement[] = [];
  mongoose.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    statements.push({ collection, method, args });
  });
  try {
    const [outcome] = await Promise.allSettled([action()]);
    return { statements, outcome };
  } finally {
    mongoose.set('debug', false);
  }
}

const databases: string[] = [];
function newDatabaseName(): string {
  const name = `pangolin_adapter_${randomBytes(6).toString('hex')}`;
  databases.push(name);
  return name;
}

describe('MongoDB adapter', () => {
  let ports: PersistencePorts;
  let raw: Connection;
  const dbName = newDatabaseName();

  beforeAll(async () => {
    ports = await openMongoPersistence({ kind: 'mongodb', url, dbName }, { runMigrations: true });
    raw = await mongoose.createConnection(url, { dbName }).asPromise();
  });

  afterAll(async () => {
    await ports?.health.close();
    for (const name of databases) await raw?.useDb(name).dropDatabase().catch(() => undefined);
    await raw?.close();
  });

  describe('boot', () => {
    it('creates every collection with its named unique indexes when migrations run', async () => {
      const indexes = await raw.collection(COLLECTIONS.assets).listIndexes().toArray();
      const byName = new Map(indexes.map((index) => [index.name, index]));
      expect(byName.get('assets_key_unique')).toMatchObject({
        unique: true,
        key: Object.fromEntries(ASSET_KEY_FIELDS.map((field) => [field, 1])),
      });
      expect(byName.get('assets_branch_id_unique')).toMatchObject({ unique: true });
      for (const [collection, index] of [
        [COLLECTIONS.tenants, 'tenants_name_unique'],
        [COLLECTIONS.warehouses, 'warehouses_tenant_name_unique'],
        [COLLECTIONS.catalogs, 'catalogs_tenant_name_unique'],
        [COLLECTIONS.namespaces, 'namespaces_key_unique'],
        [COLLECTIONS.branches, 'branches_name_unique'],
        [COLLECTIONS.tags, 'tags_name_unique'],
        [COLLECTIONS.commits, 'commits_id_unique'],
        [COLLECTIONS.commits, 'commits_parent'],
      ]) {
        const names = (await raw.collection(collection).listIndexes().toArray()).map((i) => i.name);
        expect(names).toContain(index);
      }
    });

    it('creates nothing when migrations are disabled', async () => {
      const untouched = newDatabaseName();
      const other = await openMongoPersistence({ kind: 'mongodb', url, dbName: untouched }, { runMigrations: false });
      try {
        await expect(other.health.ping()).resolves.toBeUndefined();
        const collections = await raw.useDb(untouched).db!.listCollections().toArray();
        expect(collections).toEqual([]);
      } finally {
        await other.health.close();
      }
    });
  });

  describe('stored documents', () => {
    it('keeps our ids in `id` fields and client map keys with dots and dollar signs intact', async () => {
      const properties = { 'write.format.default': 'parquet', $ref: 'not an operator', '': 'empty key', 'a.b.c': '' };
      const tenantId = randomUUID();
      await ports.tenants.createTenant({ id: tenantId, name: `t-${tenantId}`, properties });
      await expect(ports.tenants.getTenant(tenantId)).resolves.toMatchObject({ properties });

      const stored = await raw.collection(COLLECTIONS.tenants).findOne({ id: tenantId });
      expect(stored).toMatchObject({ id: tenantId, properties: expect.arrayContaining([{ k: '$ref', v: 'not an operator' }]) });

      const { tenantId: owner, catalogName } = await newCatalog(ports);
      await ports.namespaces.createNamespace({ tenantId: owner, catalogName, levels: ['a.b', 'c'], properties });
      await expect(ports.namespaces.getNamespace(owner, catalogName, ['a.b', 'c'])).resolves.toMatchObject({ properties });
      await commit(ports, owner, catalogName, 'main', { puts: [tablePut(['a.b', 'c'], 't', null, { properties })] });
      await expect(ports.assets.getAsset(owner, catalogName, 'main', ['a.b', 'c'], 't')).resolves.toMatchObject({ properties });
    });
  });

  describe('statements', () => {
    it('getCommitAncestry is ONE aggregation: $graphLookup within the tenant, sorted by depth, limited', async () => {
      const tenantId = await newTenant(ports);
      const chain = buildCommitChain(tenantId, 30);
      await ports.commits.importCommits(tenantId, chain);

      const { statements, outcome } = await statementsOf(() => ports.commits.getCommitAncestry(tenantId, chain[29].id, 10));
      expect(outcome).toEqual({ status: 'fulfilled', value: [...chain].reverse().slice(0, 10) });
      expect(statements.map((s) => `${s.collection}.${s.method}`)).toEqual([`${COLLECTIONS.commits}.aggregate`]);
      const pipeline = statements[0].args[0] as Record<string, Record<string, unknown>>[];
      const graph = pipeline.find((stage) => stage.$graphLookup)!.$graphLookup;
      expect(graph).toMatchObject({
        from: COLLECTIONS.commits,
        connectFromField: 'parentId',
        connectToField: 'id',
        maxDepth: 9,
        restrictSearchWithMatch: { tenantId },
      });
      const order = pipeline.map((stage) => Object.keys(stage)[0]);
      expect(order.indexOf('$sort')).toBeGreaterThan(order.indexOf('$graphLookup'));
      expect(order.indexOf('$limit', order.indexOf('$sort'))).toBeGreaterThan(order.indexOf('$sort'));
    });

    it('commitChanges sends the same few statements for 1 or 50 rows: reads, head swap, one bulk write, the commit', async () => {
      const { tenantId, catalogName } = await newCatalog(ports);
      const shapes: string[][] = [];
      for (const count of [1, 50]) {
        const puts = Array.from({ length: count }, (_, i) => tablePut(['ns'], `t${count}_${i}`));
        const { statements, outcome } = await statementsOf(() => commit(ports, tenantId, catalogName, 'main', { puts }));
        expect(outcome.status).toBe('fulfilled');
        shapes.push(statements.map((s) => `${s.collection}.${s.method}`));
      }
      expect(shapes[1]).toEqual(shapes[0]);
      expect(shapes[0]).toEqual([
        `${COLLECTIONS.branches}.findOne`,
        `${COLLECTIONS.assets}.find`,
        `${COLLECTIONS.branches}.updateOne`,
        `${COLLECTIONS.assets}.bulkWrite`,
        `${COLLECTIONS.commits}.insertMany`,
      ]);
    });

    it('the branch copy is ONE $merge pipeline, never row by row; a failed copy leaves no branch and no rows', async () => {
      const { tenantId, catalogName } = await newCatalog(ports);
      const head = await commit(ports, tenantId, catalogName, 'main', {
        puts: Array.from({ length: 20 }, (_, i) => tablePut(['ns'], `t${i}`)),
      });
      const { statements, outcome } = await statementsOf(() =>
        ports.branches.createBranch(tenantId, catalogName, { name: 'dev', branchType: 'experimental', fromBranch: 'main' }),
      );

      const onAssets = statements.filter((s) => s.collection === COLLECTIONS.assets);
      expect(onAssets.filter((s) => ['insertOne', 'insertMany', 'updateOne', 'replaceOne', 'bulkWrite'].includes(s.method))).toEqual([]);
      const copies = onAssets.filter(
        (s) => s.method === 'aggregate' && (s.args[0] as Record<string, unknown>[]).some((stage) => '$merge' in stage),
      );
      expect(copies).toHaveLength(1);
      const pipeline = copies[0].args[0] as Record<string, Record<string, unknown>>[];
      expect(pipeline.map((stage) => Object.keys(stage)[0])).toEqual(['$match', '$project', '$merge']);
      expect(pipeline[2].$merge).toEqual({
        into: COLLECTIONS.assets,
        on: [...ASSET_KEY_FIELDS],
        whenMatched: 'replace',
        whenNotMatched: 'insert',
      });

      if (inProcessServer) {
        // This server refuses $merge: the request fails and the reservation is rolled back.
        expect(outcome.status).toBe('rejected');
        await expect(ports.branches.getBranch(tenantId, catalogName, 'dev')).resolves.toBeNull();
        await expect(ports.assets.listAssets(tenantId, catalogName, 'dev')).resolves.toEqual([]);
        await expect(raw.collection(COLLECTIONS.branches).countDocuments({ tenantId, catalogName, name: 'dev' })).resolves.toBe(0);
      } else {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { copied: 20, branch: { headCommitId: head.id } } });
      }
    });
  });

  describe('branch reservation (a branch being created)', () => {
    async function reserve(tenantId: string, catalogName: string, name: string, startedAt: Date) {
      await raw.collection(COLLECTIONS.branches).insertOne({
        tenantId,
        catalogName,
        name,
        headCommitId: null,
        branchType: 'experimental',
        creationId: randomUUID(),
        creationStartedAt: startedAt,
      });
      // A row its (crashed) creator had already copied.
      await raw.collection(COLLECTIONS.assets).insertOne({
        id: randomUUID(),
        tenantId,
        catalogName,
        branch: name,
        namespace: ['ns'],
        namespaceKey: 'ns',
        name: 'half_copied',
        kind: 'ICEBERG_TABLE',
        location: 's3://b/ns/half_copied',
        properties: [],
      });
    }

    it('is invisible to readers, refused to writers, and blocks the name while fresh', async () => {
      const { tenantId, catalogName } = await newCatalog(ports);
      await reserve(tenantId, catalogName, 'pending', new Date());

      await expect(ports.branches.getBranch(tenantId, catalogName, 'pending')).resolves.toBeNull();
      await expect(ports.branches.listBranches(tenantId, catalogName)).resolves.toEqual([
        expect.objectContaining({ name: 'main' }),
      ]);
      await expect(ports.branches.listBranchAssetNames(tenantId, catalogName, 'pending')).resolves.toEqual([]);
      await expect(
        commit(ports, tenantId, catalogName, 'pending', { puts: [tablePut(['ns'], 't')] }, { createBranchIfMissing: true }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', 'pending')).rejects.toBeInstanceOf(ConflictError);
      await expect(
        ports.branches.createBranch(tenantId, catalogName, { name: 'pending', branchType: 'ingest', fromBranch: 'main', assets: [] }),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
    });

    it('an abandoned one is cleared, rows included, by the next creation of the name', async () => {
      const { tenantId, catalogName } = await newCatalog(ports);
      const head = await commit(ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], 't')] });
      await reserve(tenantId, catalogName, 'pending', new Date(Date.now() - RESERVATION_STALE_MS - 60_000));

      // An explicit empty asset list copies nothing, so this runs on servers without $merge too.
      await expect(
        ports.branches.createBranch(tenantId, catalogName, { name: 'pending', branchType: 'ingest', fromBranch: 'main', assets: [] }),
      ).resolves.toEqual({
        branch: { tenantId, catalogName, name: 'pending', headCommitId: head.id, branchType: 'ingest' },
        copied: 0,
      });
      await expect(ports.assets.listAssets(tenantId, catalogName, 'pending')).resolves.toEqual([]);
    });
  });

  it('moving the head is a compare-and-swap: of concurrent commits with one expectation exactly one wins', async () => {
    const { tenantId, catalogName } = await newCatalog(ports);
    const seed = await commit(ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], 't', 's3://v0.json')] });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        ports.unitOfWork.commitChanges(
          tenantId,
          catalogName,
          'main',
          changes({
            puts: [tablePut(['ns'], 't', `s3://v1-${i}.json`)],
            expectations: [{ namespace: ['ns'], name: 't', state: 'present', metadataLocation: 's3://v0.json' }],
          }),
          AUTHOR,
        ),
      ),
    );
    const winners = results.filter((r): r is PromiseFulfilledResult<Commit> => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ExpectationFailedError);
    }
    expect(winners[0].value.parentId).toBe(seed.id);
    await expect(ports.commits.getCommitAncestry(tenantId, winners[0].value.id, 10)).resolves.toEqual([winners[0].value, seed]);
  });
});
