import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DataSource, Logger as TypeormLogger } from 'typeorm';
import { createTestPostgresDatabase, TestPostgresDatabase } from '../../../test/support/postgres-database';
import {
  BackendUnavailableError,
  CommitStateUnknownError,
  ValidationError,
} from '../../common/errors';
import type { AssetPut } from '../ports';
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
      if (dialect.name === 'postgres') expect(many.some((s) => /FROM branches .* FOR UPDATE$/.test(s))).toBe(true);
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

  describe('schema and migrations', () => {
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
       * this way, on the real server.
       */
      function dropConnectionBefore(statement: RegExp): () => void {
        const subscriber = {
          async beforeQuery(event: { query: string; queryRunner: unknown }) {
            if (!statement.test(event.query)) return;
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

      it('a connection lost before COMMIT is BackendUnavailableError and writes nothing', async () => {
        const { tenantId, catalogName } = await catalogWithTables(0);
        const remove = dropConnectionBefore(/^UPDATE branches SET head_commit_id/);
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
