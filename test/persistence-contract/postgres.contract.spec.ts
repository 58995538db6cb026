import { openTypeormPersistence } from '../../src/persistence/typeorm/typeorm-persistence';
import { createTestPostgresDatabase, TestPostgresDatabase } from '../support/postgres-database';
import { describePersistenceContract, FULL_CAPABILITIES } from './persistence-contract';

// A database of its own on the test server (PANGOLIN_TEST_POSTGRES_URL), dropped when the suite ends.
let database: TestPostgresDatabase | undefined;
afterAll(async () => database?.drop());

describePersistenceContract('postgres', {
  open: async () => {
    database = await createTestPostgresDatabase();
    return openTypeormPersistence(
      { kind: 'postgres', url: database.url, maxConnections: 10, minConnections: 0, connectTimeoutMs: 10_000 },
      { runMigrations: true },
    );
  },
  capabilities: FULL_CAPABILITIES,
});
