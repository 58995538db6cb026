import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { POSTGRES_URL_ENV } from './servers/postgres-server';

export interface TestPostgresDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  /** Drops the database (closing any connection still open to it). */
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a random name on the test server (PANGOLIN_TEST_POSTGRES_URL), so suites
 * and test runs happening at the same time never share tables.
 */
export async function createTestPostgresDatabase(prefix = 'pangolin_test'): Promise<TestPostgresDatabase> {
  const serverUrl = process.env[POSTGRES_URL_ENV];
  if (!serverUrl) {
    throw new Error(`${POSTGRES_URL_ENV} is not set: the test run's global setup starts PostgreSQL and sets it`);
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** Runs one statement on the server's maintenance database, through a short-lived connection. */
async function onServer(serverUrl: string, statement: string): Promise<void> {
  const connection = new DataSource({ type: 'postgres', url: serverUrl, extra: { max: 1 } });
  await connection.initialize();
  try {
    await connection.query(statement);
  } finally {
    await connection.destroy();
  }
}
