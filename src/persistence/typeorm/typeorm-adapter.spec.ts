import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DataSource, Logger as TypeormLogger } from 'typeorm';
import { createLocalCatalog } from '../../../test/persistence-contract/contract-support';
import { createTestPostgresDatabase, TestPostgresDatabase } from '../../../test/support/postgres-database';
import {
  AlreadyExistsError,
  BackendUnavailableError,
  CommitStateUnknownError,
  ExpectationFailedError,
  ValidationError,
} from '../../common/errors';
import type { Commit } from '../models';
import type { AssetPut, BranchChanges } from '../ports';
import type { PersistencePorts } from '../persistence-ports';
import { openTypeormBackend, openTypeormPersistence, SqlDatabaseConfig } from './typeorm-persistence';

/**
 * What the TypeORM adapter promises beyond the persistence contract (test/persistence-contract): the
 * statements it sends (one INSERT ... SELECT per copy, one recursive query per ancestry, a fixed number per
 * unit of work whatever the number of assets), its schema and migrations, and its driver-error translation.
 * Run against a real SQLite file and a real PostgreSQL database.
 */

class StatementLog implements TypeormLogger {
  statements: string[] = [];
  logQuery(query: string): void {
    this.statements.push(query.replace(/\s+/g, ' ').trim());
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}

  /** Statements sent while `action` ran. */
  async during(action: () => Promise<unknown>): Promise<string[]> {
    const start = this.statements.length;
    await action();
    return this.statements.slice(start);
  }
}

interface Dialect {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database; `dispose` removes it. */
  create(): Promise<{ config: SqlDatabaseConfig; dispose(): Promise<void> }>;
}

const sqlite: Dialect = {
  name: 'sqlite',
  async create() {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'pangolin-typeorm-'));
    return {
      config: { kind: 'sqlite', file: path.join(directory, 'pangolin.db') },
      dispose: async () => fs.rmSync(directory, { recursive: true, force: true }),
    };
  },
};

const postgres: Dialect = {
  name: 'postgres',
  async create() {
    const database: TestPostgresDatabase = await createTestPostgresDatabase('pangolin_adapter');
    return {
      config: { kind: 'postgres', url: database.url, maxConnections: 4, minConnections: 0, connectTimeoutMs: 10_000 },
      dispose: () => database.drop(),
    };
  },
};

describe.each([sqlite, postgres])('TypeORM adapter on $name', (dialect) => {
  let dispose: () => Promise<void>;
  let config: SqlDatabaseConfig;
  let ports: PersistencePorts;
  let dataSource: DataSource;
  const log = new StatementLog();

  beforeAll(async () => {
    ({ config, dispose } = await dialect.create());
    ({ ports, dataSource } = await openTypeormBackend(config, { runMigrations: true, logger: log }));
  });
  afterAll(async () => {
    await ports?.health.close();
    await dispose?.();
  });

  async function catalogWithTables(count: number): Promise<{ tenantId: string; catalogName: string }> {
    const tenantId = randomUUID();
    const catalogName = `catalog-${randomUUID()}`;
    await createLocalCatalog(ports, tenantId, catalogName);
    if (count > 0) await commitTables(tenantId, catalogName, 'main', count);
    return { tenantId, catalogName };
  }

  function commitTables(tenantId: string, catalogName: string, branch: string, count: number, prefix = 't') {
    const puts: AssetPut[] = Array.from({ length: count }, (_, i) => ({
      namespace: i % 2 === 0 ? ['sales'] : ['sales', 'eu'],
      name: `${prefix}${i}`,
      kind: 'ICEBERG_TABLE',
      location: `s3://bucket/${prefix}${i}`,
      properties: { metadata_location: `s3://bucket/${prefix}${i}/metadata/00000.metadata.json` },
    }));
    return ports.unitOfWork.commitChanges(
      tenantId,
      catalogName,
      branch,
      { puts, deletes: [], expectations: [] },
      { author: 'test', message: 'seed' },
    );
  }

  const writesAssets = (sql: string) => /^(INSERT INTO|UPDATE|DELETE FROM) "?assets"?/i.test(sql);
  const readsAssets = (sql: string) => /^SELECT/i.test(sql) && /FROM "?assets"?/i.test(sql);

  describe('statements', () => {
    it('copyAssetsBulk copies with ONE INSERT ... SELECT, the same statements for 1 or 300 assets', async () => {
      const counts: number[] = [];
      for (const size of [1, 300]) {
        const { tenantId, catalogName } = await catalogWithTables(size);
        const statements = await log.during(async () => {
          expect(await ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', 'copy')).toBe(size);
        });
        const assetWrites = statements.filter(writesAssets);
        expect(assetWrites).toHaveLength(1);
        expect(assetWrites[0]).toMatch(/^INSERT INTO assets \(.*\) SELECT .* FROM assets WHERE /);
        expect(statements.filter(readsAssets)).toEqual([]);
        counts.push(statements.length);
      }
      expect(counts[0]).toBe(counts[1]);
    });

    it('copyAssetsBulk onto an existing branch overwrites with ON CONFLICT, still without reading rows back', async () => {
      const { tenantId, catalogName } = await catalogWithTables(20);
      await ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', 'existing');
      const statements = await log.during(() => ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', 'existing'));
      const inserts = statements.filter((s) => /^INSERT INTO assets/.test(s));
      expect(inserts).toHaveLength(1);
      expect(inserts[0]).toMatch(/SELECT .* FROM assets .* ON CONFLICT \(tenant_id, catalog_name, branch_name, namespace_key, name\) DO UPDATE/);
      expect(statements.filter(readsAssets)).toEqual([]);
    });

    it('createBranch copies a full branch or an explicit list with one statement each', async () => {
      const { tenantId, catalogName } = await catalogWithTables(40);
      const full = await log.during(() =>
        ports.branches.createBranch(tenantId, catalogName, { name: 'full', branchType: 'experimental', fromBranch: 'main' }),
      );
      expect(full.filter(writesAssets)).toHaveLength(1);
      expect(full.filter(readsAssets)).toEqual([]);

      const assets = Array.from({ length: 30 }, (_, i) => ({ namespace: i % 2 === 0 ? ['sales'] : ['sales', 'eu'], name: `t${i}` }));
      let created: { copied: number } | undefined;
      const listed = await log.during(async () => {
        created = await ports.branches.createBranch(tenantId, catalogName, {
          name: 'listed',
          branchType: 'experimental',
          fromBranch: 'main',
          assets,
        });
      });
      expect(created?.copied).toBe(30);
      expect(listed.filter(writesAssets)).toHaveLength(1);
      expect(listed.filter(readsAssets)).toEqual([]);
    });

    it('commitChanges sends the same statements for 1 put or 200 puts', async () => {
      const { tenantId, catalogName } = await catalogWithTables(0);
      const one = await log.during(() => commitTables(tenantId, catalogName, 'main', 1, 'a'));
      const many = await log.during(() => commitTables(tenantId, catalogName, 'main', 200, 'b'));
      expect(many.length).toBe(one.length);
      // PostgreSQL: BEGIN, the branch lock and the read of the current rows travel as ONE round trip.
      if (dialect.name === 'postgres') expect(many[0]).toMatch(/^BEGIN; SELECT head_commit_id FROM branches .* FOR UPDATE; SELECT a\.id/);
      else expect(many[0]).toBe('BEGIN IMMEDIATE');
    });

    it('getCommitAncestry reads 300 commits with ONE recursive query', async () => {
      const { tenantId, catalogName } = await catalogWithTables(0);
      let head = '';
      for (let i = 0; i < 300; i += 100) {
        const chain = Array.from({ length: 100 }, (_, j) => ({
          id: `c-${tenantId}-${i + j}`,
          tenantId,
          parentId: i + j === 0 ? null : `c-${tenantId}-${i + j - 1}`,
          timestamp: 1_700_000_000_000 + i + j,
          author: 'a',
          message: 'm',
          operations: [],
        }));
        await ports.commits.importCommits(tenantId, chain);
        head = chain[chain.length - 1].id;
      }
      expect(catalogName).toBeDefined();
      let ancestry: { id: string }[] = [];
      const statements = await log.during(async () => {
        ancestry = await ports.commits.getCommitAncestry(tenantId, head, 1000);
      });
      expect(ancestry).toHaveLength(300);
      expect(ancestry[0].id).toBe(head);
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/^WITH RECURSIVE ancestry .* ORDER BY depth LIMIT/);
    });
  });

  describe('group commit', () => {
    /**
     * The statements that take the branch lock: one per transaction of commitChanges. On PostgreSQL that is the
     * transaction's opening round trip (BEGIN; the lock; the read).
     */
    const locksBranch = (sql: string) =>
      dialect.name === 'postgres'
        ? /^BEGIN; SELECT head_commit_id FROM branches .* FOR UPDATE(;|$)/.test(sql)
        : sql === 'BEGIN IMMEDIATE';

    function put(namespace: string[], name: string, extra: Partial<AssetPut> = {}): AssetPut {
      return {
        namespace,
        name,
        kind: 'ICEBERG_TABLE',
        location: `s3://bucket/${name}`,
        properties: { metadata_location: `s3://bucket/${name}/metadata/00000.metadata.json` },
        ...extra,
      };
    }

    function commitOne(tenantId: string, catalogName: string, changes: Partial<BranchChanges>, message = 'burst') {
      return ports.unitOfWork.commitChanges(
        tenantId,
        catalogName,
        'main',
        { puts: [], deletes: [], expectations: [], ...changes },
        { author: 'test', message },
      );
    }

    async function history(tenantId: string, catalogName: string): Promise<Commit[]> {
      const head = (await ports.branches.getBranch(tenantId, catalogName, 'main'))!.headCommitId;
      return ports.commits.getCommitAncestry(tenantId, head, 1000);
    }

    it('names with quotes, backslashes and SQL in them round-trip through the one-round-trip opening (values are escaped literals there)', async () => {
      const { tenantId, catalogName } = await catalogWithTables(0);
      const namespace = ["o'hara\\x", 'E\'\\\'; DROP TABLE assets; --'];
      const name = `t'\\"; SELECT pg_sleep(1); -- \u00e9\u{1F600}`;
      await commitOne(tenantId, catalogName, { puts: [put(namespace, name)], expectations: [{ namespace, name, state: 'absent' }] });
      const stored = await ports.assets.getAsset(tenantId, catalogName, 'main', namespace, name);
      expect(stored).toMatchObject({ namespace, name });
      // The read under the lock finds the row by that key: an `absent` expectation now fails, a CAS on it holds.
      await expect(
        commitOne(tenantId, catalogName, { puts: [put(namespace, name)], expectations: [{ namespace, name, state: 'absent' }] }),
      ).rejects.toMatchObject({ failure: 'exists' });
      const location = stored!.properties.metadata_location;
      await commitOne(tenantId, catalogName, {
        puts: [put(namespace, name, { properties: { metadata_location: `${location}'2` } })],
        expectations: [{ namespace, name, state: 'present', metadataLocation: location }],
      });
      expect((await ports.assets.getAsset(tenantId, catalogName, 'main', namespace, name))?.properties.metadata_location).toBe(`${location}'2`);
      expect(await ports.assets.listAssets(tenantId, catalogName, 'main')).toHaveLength(1);
    });

    it('a burst of 30 calls locks the branch twice (the first call alone, then one batch), one call\'s statements each', async () => {
      const { tenantId, catalogName } = await catalogWithTables(0);
      const alone = await log.during(() => commitOne(tenantId, catalogName, { puts: [put(['ns'], 'alone')] }));
      let made: Commit[] = [];
      const burst = await log.during(async () => {
        made = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            commitOne(tenantId, catalogName, { puts: [put(['ns'], `t${i}`)] }, `call ${i}`),
          ),
        );
      });
      expect(burst.filter(locksBranch)).toHaveLength(2);
      expect(burst).toHaveLength(2 * alone.length);
      // (On PostgreSQL the commit insert is a CTE of the head update: matched anywhere in the statement.)
      expect(burst.filter((sql) => /INSERT INTO "?commits"?/.test(sql))).toHaveLength(2);

      // One chain in arrival order, each call's commit holding its own put and message.
      const chain = await history(tenantId, catalogName);
      expect(chain).toHaveLength(31);
      expect(chain.slice(0, 30).reverse()).toEqual(made);
      made.forEach((commit, i) => {
        expect(commit.parentId).toBe(i === 0 ? chain[30].id : made[i - 1].id);
        expect(commit.message).toBe(`call ${i}`);
        expect(commit.operations).toEqual([{ Put: { asset: expect.objectContaining({ name: `t${i}` }) } }]);
      });
      await expect(ports.assets.listAssets(tenantId, catalogName, 'main')).resolves.toHaveLength(31);
    });

    it('the calls of one batch answer exactly as sequential execution in arrival order', async () => {
      const { tenantId, catalogName } = await catalogWithTables(0);
      await commitOne(tenantId, catalogName, { puts: [put(['ns'], 'z')] });
      const [z] = await ports.assets.listAssets(tenantId, catalogName, 'main');
      const x = { namespace: ['ns'], name: 'x' };
      const zKey = { namespace: ['ns'], name: 'z' };
      const create = (key: typeof x, i: number): Partial<BranchChanges> => ({
        puts: [put(key.namespace, key.name, { location: `s3://${key.name}-${i}` })],
        expectations: [{ ...key, state: 'absent' }],
      });
      const update = (key: typeof x, i: number): Partial<BranchChanges> => ({
        puts: [put(key.namespace, key.name, { location: `s3://${key.name}-${i}` })],
        expectations: [{ ...key, state: 'present' }],
      });
      const remove = (key: typeof x): Partial<BranchChanges> => ({
        deletes: [key],
        expectations: [{ ...key, state: 'present' }],
      });
      const calls: Partial<BranchChanges>[] = [
        update(zKey, 0), // runs alone; the rest is one batch
        create(x, 1),
        update(x, 2), // keeps the id call 1 gave x
        remove(x),
        create(x, 4), // a new id
        create(x, 5), // fails: exists
        remove(zKey),
        create(zKey, 7), // a new id for z
        update(zKey, 8),
        remove(x),
        remove(x), // fails: missing
        update(x, 11), // fails: missing
        { expectedHeadCommitId: 'not-the-head', puts: [put(['ns'], 'never')] }, // fails: head-moved
      ];
      let results: PromiseSettledResult<Commit>[] = [];
      const statements = await log.during(async () => {
        results = await Promise.allSettled(
          calls.map((changes, i) => commitOne(tenantId, catalogName, changes, `call ${i}`)),
        );
      });
      expect(statements.filter(locksBranch)).toHaveLength(2);

      const answers = results.map((r) => (r.status === 'rejected' ? (r.reason as ExpectationFailedError).failure : 'ok'));
      expect(answers).toEqual([
        ...['ok', 'ok', 'ok', 'ok', 'ok', 'exists', 'ok', 'ok', 'ok', 'ok'],
        ...['missing', 'missing', 'head-moved'],
      ]);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ExpectationFailedError);
      const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const chain = await history(tenantId, catalogName);
      expect(chain.slice(0, accepted.length).reverse()).toEqual(accepted);

      const putId = (commit: Commit) => (commit.operations[0] as { Put: { asset: { id: string } } }).Put.asset.id;
      const committed = (i: number) => (results[i] as PromiseFulfilledResult<Commit>).value;
      expect(putId(committed(0))).toBe(z.id);
      expect(putId(committed(2))).toBe(putId(committed(1)));
      expect(putId(committed(4))).not.toBe(putId(committed(1)));
      expect(putId(committed(7))).not.toBe(z.id);
      expect(putId(committed(8))).toBe(putId(committed(7)));
      expect(committed(3).operations).toEqual([{ Delete: { name: 'ns.x' } }]);
      expect(committed(9).operations).toEqual([{ Delete: { name: 'ns.x' } }]);

      // x was created and removed within the batch; z was removed, recreated with a new id and updated.
      await expect(ports.assets.listAssets(tenantId, catalogName, 'main')).resolves.toEqual([
        expect.objectContaining({ name: 'z', id: putId(committed(7)), location: 's3://z-8' }),
      ]);
    });

    it('a put that violates a unique key fails alone: the batch is re-run call by call, the other calls succeed', async () => {
      const { tenantId, catalogName } = await catalogWithTables(0);
      await commitOne(tenantId, catalogName, { puts: [put(['ns'], 'a')] });
      const [a] = await ports.assets.listAssets(tenantId, catalogName, 'main');
      let results: PromiseSettledResult<Commit>[] = [];
      const statements = await log.during(async () => {
        results = await Promise.allSettled([
          commitOne(tenantId, catalogName, { puts: [put(['ns'], 'first')] }), // alone; the rest is one batch
          commitOne(tenantId, catalogName, { puts: [put(['ns'], 'b')] }),
          commitOne(tenantId, catalogName, { puts: [put(['ns'], 'c', { id: a.id })] }), // a's id, another name
          commitOne(tenantId, catalogName, { puts: [put(['ns'], 'd')] }),
        ]);
      });
      // The first call, the failed batch, then its three calls one by one.
      expect(statements.filter(locksBranch)).toHaveLength(5);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyExistsError);
      expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ resource: 'asset' });

      const names = (await ports.assets.listAssets(tenantId, catalogName, 'main')).map((row) => row.name);
      expect(names.sort()).toEqual(['a', 'b', 'd', 'first']);
      const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect((await history(tenantId, catalogName)).slice(0, 3).reverse()).toEqual(accepted);
    });

    it('a batch on a missing branch: NotFoundError for every call, unless one may create it (then in arrival order)', async () => {
      const { tenantId, catalogName } = await catalogWithTables(0);
      const onFork = (name: string, createBranchIfMissing: boolean) =>
        ports.unitOfWork.commitChanges(
          tenantId,
          catalogName,
          'fork',
          { puts: [put(['ns'], name)], deletes: [], expectations: [] },
          { author: 'test', message: name },
          { createBranchIfMissing },
        );
      const missing = await Promise.allSettled([onFork('a', false), onFork('b', false), onFork('c', false)]);
      for (const r of missing) expect(r).toMatchObject({ status: 'rejected', reason: { resource: 'branch' } });

      const mixed = await Promise.allSettled([
        onFork('first', false), // alone: the branch is missing
        onFork('before', false), // a batch of the next three: before the creating call, still missing
        onFork('creates', true),
        onFork('after', false),
      ]);
      expect(mixed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
      expect((await ports.branches.listBranchAssetNames(tenantId, catalogName, 'fork')).sort()).toEqual([
        'ns.after',
        'ns.creates',
      ]);
    });
  });

  describe('schema and migrations', () => {
    (dialect.name === 'sqlite' ? it : it.skip)('creates a new SQLite file (and its WAL) readable by the service user only', async () => {
      const file = (config as Extract<SqlDatabaseConfig, { kind: 'sqlite' }>).file;
      // The suite's database was opened (and written to) in beforeAll.
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const wal = `${file}-wal`;
      if (fs.existsSync(wal)) expect(fs.statSync(wal).mode & 0o777).toBe(0o600);
      // An existing file keeps the permissions its operator gave it.
      const other = path.join(path.dirname(file), 'operator.db');
      fs.writeFileSync(other, '', { mode: 0o640 });
      fs.chmodSync(other, 0o640);
      const backend = await openTypeormBackend({ kind: 'sqlite', file: other }, { runMigrations: true });
      await backend.ports.health.close();
      expect(fs.statSync(other).mode & 0o777).toBe(0o640);
    });

    it('creates every table, records the migrations in order and the add-perf-indexes indexes', async () => {
      const tables = await dataSource.query(
        dialect.name === 'postgres'
          ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
          : "SELECT name FROM sqlite_master WHERE type = 'table'",
      );
      const names = (tables as { name: string }[]).map((t) => t.name);
      for (const table of [
        'tenants', 'warehouses', 'catalogs', 'namespaces', 'assets', 'branches', 'commits', 'tags',
        'merge_operations', 'merge_conflicts', 'users', 'active_tokens', 'revoked_tokens', 'roles',
        'permissions', 'user_roles', 'service_users',
      ]) {
        expect(names).toContain(table);
      }
      const migrations = (await dataSource.query('SELECT name FROM schema_migrations ORDER BY id')) as { name: string }[];
      expect(migrations.map((m) => m.name).slice(0, 2)).toEqual(['InitialSchema1767225600000', 'AddPerfIndexes1767225600001']);
      const indexes = (await dataSource.query(
        dialect.name === 'postgres'
          ? "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'"
          : "SELECT name FROM sqlite_master WHERE type = 'index'",
      )) as { name: string }[];
      expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['idx_commits_parent_id', 'idx_active_tokens_user_id']));
    });

    it('opens an already migrated database without running migrations', async () => {
      const again = await openTypeormPersistence(config, { runMigrations: false });
      try {
        await expect(again.health.ping()).resolves.toBeUndefined();
        expect(await again.tenants.listTenants({ limit: 1 })).toEqual(expect.any(Array));
      } finally {
        await again.health.close();
      }
    });

    it('two instances booting together on an empty database both open it (migrations run once)', async () => {
      const empty = await dialect.create();
      try {
        const opened = await Promise.all([
          openTypeormPersistence(empty.config, { runMigrations: true }),
          openTypeormPersistence(empty.config, { runMigrations: true }),
        ]);
        for (const instance of opened) await instance.health.close();
      } finally {
        await empty.dispose();
      }
    });

    it('refuses to open an empty database when migrations are not run', async () => {
      const empty = await dialect.create();
      try {
        await expect(openTypeormPersistence(empty.config, { runMigrations: false })).rejects.toThrow(/pending migrations/);
      } finally {
        await empty.dispose();
      }
    });
  });

  if (dialect.name === 'sqlite') {
    it('joins JSON key lists to assets through the unique key, one probe per entry (never a scan per entry)', async () => {
      const { tenantId, catalogName } = await catalogWithTables(10);
      const statements = await log.during(async () => {
        await commitTables(tenantId, catalogName, 'main', 5, 'x');
        await ports.branches.createBranch(tenantId, catalogName, {
          name: 'listed',
          branchType: 'experimental',
          fromBranch: 'main',
          assets: [{ namespace: ['sales'], name: 't0' }],
        });
      });
      const joins = statements.filter((s) => /json_each\(\?\)\) AS l (CROSS )?JOIN assets a/.test(s));
      expect(joins.length).toBeGreaterThanOrEqual(2);
      for (const sql of joins) {
        const parameters = new Array((sql.match(/\?/g) ?? []).length).fill('[]');
        const plan = ((await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, parameters)) as { detail: string }[])
          .map((step) => step.detail)
          .join(' | ');
        expect(plan).toMatch(/^.*SCAN json_each.*SEARCH a USING INDEX .*namespace_key=\? AND name=\?/);
      }
    });

    it('runs SQLite in WAL mode, synchronous FULL, with a busy timeout and foreign keys on', async () => {
      expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await dataSource.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]); // FULL
      const [{ timeout }] = (await dataSource.query('PRAGMA busy_timeout')) as { timeout: number }[];
      expect(timeout).toBeGreaterThan(0);
    });
  }

  if (dialect.name === 'postgres') {
    describe('PostgreSQL driver errors', () => {
      it('a character PostgreSQL cannot store is a ValidationError, not a backend failure', async () => {
        await expect(
          ports.tenants.createTenant({ id: randomUUID(), name: 'bad\u0000name', properties: {} }),
        ).rejects.toBeInstanceOf(ValidationError);
      });

      /**
       * Drops the connection of the transaction that is about to send `statement`: the server process is
       * terminated from another connection and the client sees its socket close before the statement goes.
       * A connection loss is a fault a running server cannot be asked to produce on cue, so it is produced
       * this way, on the real server. The first `letPass` matching statements go through.
       */
      function dropConnectionBefore(statement: RegExp, letPass = 0): () => void {
        const subscriber = {
          async beforeQuery(event: { query: string; queryRunner: unknown }) {
            if (!statement.test(event.query)) return;
            if (letPass-- > 0) return;
            subscribers.splice(subscribers.indexOf(subscriber), 1);
            const client = (event.queryRunner as { databaseConnection: PgClient }).databaseConnection;
            const closed = new Promise((resolve) => client.connection.stream.once('close', resolve));
            await dataSource.query('SELECT pg_terminate_backend($1)', [client.processID]);
            await closed;
          },
        };
        const subscribers = dataSource.subscribers as unknown[];
        subscribers.push(subscriber);
        return () => {
          const index = subscribers.indexOf(subscriber);
          if (index >= 0) subscribers.splice(index, 1);
        };
      }

      it('a connection lost during COMMIT is CommitStateUnknownError (never a conflict)', async () => {
        const { tenantId, catalogName } = await catalogWithTables(0);
        const remove = dropConnectionBefore(/^COMMIT$/);
        try {
          await expect(commitTables(tenantId, catalogName, 'main', 1)).rejects.toBeInstanceOf(CommitStateUnknownError);
        } finally {
          remove();
        }
        // The pool replaces the dead connection.
        await expect(ports.health.ping()).resolves.toBeUndefined();
      });

      /** Four concurrent one-put calls: the first runs alone, the other three as one batch. */
      /** A burst of four on a new catalog (the first call alone, then a batch of three), the connection dropped before the second `statement`. */
      async function burstOfFourDroppingBefore(statement: RegExp) {
        const { tenantId, catalogName } = await catalogWithTables(0);
        const remove = dropConnectionBefore(statement, 1);
        try {
          return { tenantId, catalogName, results: await burstOfFour(tenantId, catalogName) };
        } finally {
          remove();
        }
      }

      function burstOfFour(tenantId: string, catalogName: string) {
        return Promise.allSettled(
          ['alone', 'b1', 'b2', 'b3'].map((name) =>
            ports.unitOfWork.commitChanges(
              tenantId,
              catalogName,
              'main',
              {
                puts: [{ namespace: ['ns'], name, kind: 'ICEBERG_TABLE', location: 's3://x', properties: {} }],
                deletes: [],
                expectations: [],
              },
              { author: 'test', message: name },
            ),
          ),
        );
      }

      it('a connection lost during the COMMIT of a batch is CommitStateUnknownError for every call, never re-run', async () => {
        // The lone first call commits; the connection drops before the batch's COMMIT.
        const { tenantId, catalogName, results } = await burstOfFourDroppingBefore(/^COMMIT$/);
        expect(results[0].status).toBe('fulfilled');
        for (const r of results.slice(1)) {
          expect(r).toMatchObject({ status: 'rejected', reason: expect.any(CommitStateUnknownError) });
        }
        // The server never received the COMMIT, so it rolled the batch back; a re-run would have written it.
        const names = (await ports.assets.listAssets(tenantId, catalogName, 'main')).map((row) => row.name);
        expect(names).toEqual(['alone']);
      });

      it('a connection lost within a batch is BackendUnavailableError for every call, never re-run', async () => {
        // The lone first call writes first; the connection drops before the batch's write.
        const { tenantId, catalogName, results } = await burstOfFourDroppingBefore(/INSERT INTO commits \(/);
        expect(results[0].status).toBe('fulfilled');
        for (const r of results.slice(1)) {
          expect(r).toMatchObject({ status: 'rejected', reason: expect.any(BackendUnavailableError) });
        }
        const names = (await ports.assets.listAssets(tenantId, catalogName, 'main')).map((row) => row.name);
        expect(names).toEqual(['alone']);
        await expect(ports.health.ping()).resolves.toBeUndefined();
      });

      it('a connection lost before COMMIT is BackendUnavailableError and writes nothing', async () => {
        const { tenantId, catalogName } = await catalogWithTables(0);
        const remove = dropConnectionBefore(/UPDATE branches SET head_commit_id/); // the write, just before COMMIT
        try {
          await expect(commitTables(tenantId, catalogName, 'main', 1)).rejects.toBeInstanceOf(BackendUnavailableError);
        } finally {
          remove();
        }
        expect(await ports.assets.listAssets(tenantId, catalogName, 'main')).toEqual([]);
        expect((await ports.branches.getBranch(tenantId, catalogName, 'main'))?.headCommitId).toBeNull();
      });
    });
  }
});

interface PgClient {
  processID: number;
  connection: { stream: NodeJS.EventEmitter };
}
