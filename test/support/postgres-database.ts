import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { POSTGRES_URL_ENV } from './servers/postgres-server';

export interface TestPostgresDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  /** Drops the database (closing any connection still open to it). */
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a random name on the test server (PANGOLIN_TEST_POSTGRES_URL), so suites
 * and engineers running tests at the same time never share tables.
 */
export async function createTestPostgresDatabase(prefix = 'pangolin_test'): Promise<TestPostgresDatabase> {
  const serverUrl = process.env[POSTGRES_URL_ENV];
  if (!serverUrl) {
    throw new Error(`${POSTGRES_URL_ENV} is not set: the test run's global setup starts PostgreSQL and sets it`);
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function withClient<T>(url: string, action: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}
