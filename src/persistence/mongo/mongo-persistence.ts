import { Logger } from '@nestjs/common';
import mongoose, { type Connection } from 'mongoose';
import { BackendUnavailableError } from '../../common/errors';
import { redactUrl, type DatabaseConfig } from '../../config/config';
import type { OpenPersistenceOptions } from '../open-persistence';
import type { PersistencePorts } from '../persistence-ports';
import { PersistenceHealthPort } from '../ports';
import { MongoAssets } from './mongo-assets';
import { MongoBranches } from './mongo-branches';
import { MongoCatalogs } from './mongo-catalogs';
import { MongoCommits } from './mongo-commits';
import { createMongoIdentityIndexes, MongoIdentityStore } from './identity/mongo-identity-store';
import { MongoRolesAndGrants } from './identity/mongo-roles-and-grants';
import { MongoServiceUsers } from './identity/mongo-service-users';
import { MongoTenantIdentities } from './identity/mongo-tenant-identities';
import { MongoTokens } from './identity/mongo-tokens';
import { MongoUsers } from './identity/mongo-users';
import type { MongoContext } from './mongo-context';
import { MongoMergeOperations } from './mongo-merge-operations';
import { MongoNamespaces } from './mongo-namespaces';
import { createMongoIndexes, registerMongoModels } from './mongo-schemas';
import { MongoTags } from './mongo-tags';
import { MongoTenants } from './mongo-tenants';
import { MongoTransactions } from './mongo-transactions';
import { MongoUnitOfWork } from './mongo-unit-of-work';
import { MongoWarehouses } from './mongo-warehouses';

/**
 * The MongoDB backend (mongoose 9, on a connection of its own, never mongoose's global one).
 *
 * Requirement: a replica set (or a sharded cluster). Branch changes, catalog creation and deletion and the
 * other multi-document writes run in MongoDB transactions, which a standalone server refuses; a one-node
 * replica set (`mongod --replSet rs0` + `rs.initiate()`) is enough for small deployments.
 *
 * With `runMigrations`, every collection and index is created at boot (idempotent). Without it they must
 * already exist: transactions cannot always create collections, and the bulk branch copy's `$merge` needs
 * the unique asset-key index.
 */
export async function openMongoPersistence(
  db: Extract<DatabaseConfig, { kind: 'mongodb' }>,
  options: OpenPersistenceOptions,
): Promise<PersistencePorts> {
  const connection = mongoose.createConnection(db.url, {
    dbName: db.dbName,
    maxPoolSize: db.maxPoolSize,
    minPoolSize: db.minPoolSize,
    // Fail fast instead of queueing operations while disconnected.
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 15_000,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw new BackendUnavailableError(`Cannot connect to MongoDB at ${redactUrl(db.url)}: ${(error as Error).message}`);
  }

  try {
    await warnIfTransactionsUnsupported(connection);
    const models = registerMongoModels(connection);
    if (options.runMigrations) {
      await createMongoIndexes(models);
      await createMongoIdentityIndexes(connection);
    }
    const ctx: MongoContext = { connection, models, transactions: new MongoTransactions(connection) };
    const identity = new MongoIdentityStore(connection);
    return {
      tenants: new MongoTenants(ctx),
      warehouses: new MongoWarehouses(ctx),
      catalogs: new MongoCatalogs(ctx),
      namespaces: new MongoNamespaces(ctx),
      assets: new MongoAssets(ctx),
      branches: new MongoBranches(ctx),
      commits: new MongoCommits(ctx),
      tags: new MongoTags(ctx),
      mergeOperations: new MongoMergeOperations(ctx),
      unitOfWork: new MongoUnitOfWork(ctx),
      health: new MongoHealth(connection),
      users: new MongoUsers(identity),
      tokens: new MongoTokens(identity),
      rolesAndGrants: new MongoRolesAndGrants(identity),
      serviceUsers: new MongoServiceUsers(identity),
      tenantIdentities: new MongoTenantIdentities(identity),
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

class MongoHealth extends PersistenceHealthPort {
  constructor(private readonly connection: Connection) {
    super();
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new BackendUnavailableError('The MongoDB connection is not open');
    try {
      await db.command({ ping: 1 });
    } catch (error) {
      throw new BackendUnavailableError(`MongoDB did not answer: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** Transactions need a replica set member or a mongos; say so at boot rather than on the first write. */
async function warnIfTransactionsUnsupported(connection: Connection): Promise<void> {
  const hello = (await connection.db!.command({ hello: 1 })) as { setName?: string; msg?: string };
  if (!hello.setName && hello.msg !== 'isdbgrid') {
    new Logger('MongoPersistence').warn(
      'The MongoDB server is neither a replica set member nor a mongos: multi-document transactions, which ' +
        'this backend relies on for atomic writes, are unavailable. Run MongoDB as a replica set.',
    );
  }
}
