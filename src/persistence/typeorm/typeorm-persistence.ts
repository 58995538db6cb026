import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource, DataSourceOptions, Logger as TypeormLogger } from 'typeorm';
import { POSTGRES_MIGRATIONS } from '../../../migrations/postgres';
import { SQLITE_MIGRATIONS } from '../../../migrations/sqlite';
import type { DatabaseConfig } from '../../config/config';
import type { OpenPersistenceOptions } from '../open-persistence';
import type { PersistencePorts } from '../persistence-ports';
import { BackendUnavailableError } from '../../common/errors';
import { ConnectionPoolStats, PersistenceHealthPort } from '../ports';
import { translateDriverError } from './driver-errors';
import { ALL_ENTITIES } from './entities';
import { TypeormRolesAndGrants } from './identity/typeorm-roles-and-grants';
import { TypeormServiceUsers } from './identity/typeorm-service-users';
import { TypeormTenantIdentities } from './identity/typeorm-tenant-identities';
import { TypeormTokens } from './identity/typeorm-tokens';
import { TypeormUsers } from './identity/typeorm-users';
import { Dialect, SqlDatabase } from './sql-database';
import { TypeormAssets } from './typeorm-assets';
import { TypeormBranches } from './typeorm-branches';
import { TypeormCatalogs } from './typeorm-catalogs';
import { TypeormCommits } from './typeorm-commits';
import { TypeormMergeOperations } from './typeorm-merge-operations';
import { TypeormNamespaces } from './typeorm-namespaces';
import { TypeormTags } from './typeorm-tags';
import { TypeormTenants } from './typeorm-tenants';
import { TypeormUnitOfWork } from './typeorm-unit-of-work';
import { TypeormWarehouses } from './typeorm-warehouses';

export type SqlDatabaseConfig = Extract<DatabaseConfig, { kind: 'sqlite' | 'postgres' }>;

/** How long a SQLite statement waits for another process's lock on the same file before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** PostgreSQL advisory lock held while migrating, so replicas starting together migrate one at a time. */
const MIGRATION_LOCK_KEY = 7_061_656_784;

export interface TypeormBackendOptions extends OpenPersistenceOptions {
  /** Receives every statement (benchmarks count them); TypeORM logging stays off otherwise. */
  logger?: TypeormLogger;
}

export interface TypeormBackend {
  ports: PersistencePorts;
  /** The initialised DataSource behind the ports (benchmarks and tests run statements on it directly). */
  dataSource: DataSource;
}

/**
 * Opens the SQL backend (SQLite through better-sqlite3, PostgreSQL through pg) with TypeORM. The schema comes
 * from the migrations of migrations/<dialect>, applied here when `runMigrations` is set; `synchronize` is
 * never on. When migrations are not run, the schema must already be current: a pending migration is an error.
 */
/**
 * The SQLite file holds password hashes, token records and warehouse credentials: a new one is created
 * readable by the service's user only (SQLite gives its -wal and -shm files the same permissions). An
 * existing file keeps the permissions its operator gave it.
 */
function createPrivateFileIfMissing(file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}

export async function openTypeormPersistence(
  db: SqlDatabaseConfig,
  options: OpenPersistenceOptions,
): Promise<PersistencePorts> {
  return (await openTypeormBackend(db, options)).ports;
}

export async function openTypeormBackend(db: SqlDatabaseConfig, options: TypeormBackendOptions): Promise<TypeormBackend> {
  if (db.kind === 'sqlite' && db.file !== ':memory:') createPrivateFileIfMissing(db.file);
  const dataSource = new DataSource(dataSourceOptions(db, options.logger));
  try {
    await dataSource.initialize();
  } catch (error) {
    throw Object.assign(
      new BackendUnavailableError(`Cannot open the ${db.kind} database: ${(error as Error).message}`),
      { cause: error },
    );
  }
  try {
    if (options.runMigrations) {
      await runMigrationsExclusively(dataSource, dialectOf(db));
    } else if (await dataSource.showMigrations()) {
      throw new Error(
        'The database schema is not current (pending migrations) and PANGOLIN_RUN_MIGRATIONS is off; ' +
          'run the migrations first',
      );
    }
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  const database = new SqlDatabase(dataSource, dialectOf(db));
  return { ports: createPorts(database), dataSource };
}

/**
 * Applies pending migrations, each in its own transaction. On PostgreSQL an advisory lock serialises
 * instances booting at the same time (the second one finds nothing left to do). A SQLite file belongs to one
 * server process.
 */
async function runMigrationsExclusively(dataSource: DataSource, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const lockHolder = dataSource.createQueryRunner();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockHolder.release();
  }
}

function createPorts(db: SqlDatabase): PersistencePorts {
  return {
    tenants: new TypeormTenants(db),
    warehouses: new TypeormWarehouses(db),
    catalogs: new TypeormCatalogs(db),
    namespaces: new TypeormNamespaces(db),
    assets: new TypeormAssets(db),
    branches: new TypeormBranches(db),
    commits: new TypeormCommits(db),
    tags: new TypeormTags(db),
    mergeOperations: new TypeormMergeOperations(db),
    unitOfWork: new TypeormUnitOfWork(db),
    health: new TypeormHealth(db),
    users: new TypeormUsers(db),
    tokens: new TypeormTokens(db),
    rolesAndGrants: new TypeormRolesAndGrants(db),
    serviceUsers: new TypeormServiceUsers(db),
    tenantIdentities: new TypeormTenantIdentities(db),
  };
}

class TypeormHealth extends PersistenceHealthPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async ping(): Promise<void> {
    try {
      await this.db.dataSource.query('SELECT 1');
    } catch (error) {
      throw translateDriverError(error);
    }
  }

  async close(): Promise<void> {
    if (this.db.dataSource.isInitialized) await this.db.dataSource.destroy();
  }

  /** PostgreSQL: the node-postgres pool behind TypeORM's driver. */
  override connectionPoolStats(): ConnectionPoolStats | null {
    const pool = (this.db.dataSource.driver as { master?: { totalCount?: number; idleCount?: number; waitingCount?: number } })
      .master;
    if (this.db.dialect !== 'postgres' || !pool || typeof pool.totalCount !== 'number') return null;
    return { total: pool.totalCount, idle: pool.idleCount ?? 0, waiting: pool.waitingCount ?? 0 };
  }
}

function dialectOf(db: SqlDatabaseConfig): Dialect {
  return db.kind === 'postgres' ? 'postgres' : 'sqlite';
}

function dataSourceOptions(db: SqlDatabaseConfig, logger: TypeormLogger | undefined): DataSourceOptions {
  const common = {
    entities: ALL_ENTITIES,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
    logging: logger !== undefined,
    logger,
  } as const;
  if (db.kind === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: db.url,
      migrations: POSTGRES_MIGRATIONS,
      applicationName: 'pangolin',
      connectTimeoutMS: db.connectTimeoutMs,
      extra: { max: db.maxConnections, min: db.minConnections },
    };
  }
  const inMemory = db.file === ':memory:';
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.file,
    migrations: SQLITE_MIGRATIONS,
    // WAL lets readers in other processes proceed during a write; an in-memory database has no WAL.
    enableWAL: !inMemory,
    // busy_timeout: wait for another process's write lock instead of failing at once.
    timeout: SQLITE_BUSY_TIMEOUT_MS,
    prepareDatabase: (connection: { pragma(source: string): unknown }) => {
      connection.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      connection.pragma('foreign_keys = ON');
      // Sync the WAL at every commit: a committed catalog change (a table's new metadata pointer) must
      // survive a power loss, not only a crash of the process.
      connection.pragma('synchronous = FULL');
    },
  };
}
