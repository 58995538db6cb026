import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { openMongoPersistence } from '../../src/persistence/mongo/mongo-persistence';
import { testMongoCapabilities } from '../support/backend-capabilities';
import { MONGO_KIND_ENV, MONGO_URI_ENV } from '../support/servers/mongo-server';
import { describePersistenceContract } from './persistence-contract';

// The run's MongoDB (global setup): a real replica set when PANGOLIN_TEST_MONGODB_URI was given (every test
// runs), else the in-process wire-compatible server (what it cannot do is skipped by name). A database of
// its own, random, dropped when the suite ends.
const url = process.env[MONGO_URI_ENV];
if (!url) throw new Error(`${MONGO_URI_ENV} is not set: the test run's global setup starts MongoDB and sets it`);
const dbName = `pangolin_contract_${randomBytes(8).toString('hex')}`;

afterAll(async () => {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
});

describePersistenceContract(`mongodb (${process.env[MONGO_KIND_ENV] ?? 'unknown'} server)`, {
  open: () => openMongoPersistence({ kind: 'mongodb', url, dbName }, { runMigrations: true }),
  capabilities: testMongoCapabilities(),
});
