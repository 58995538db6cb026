import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { assertNever } from '../../src/common/assert-never';
import { loadConfig, type DatabaseConfig } from '../../src/config/config';
import { openPersistence } from '../../src/persistence/open-persistence';
import type { PersistencePorts } from '../../src/persistence/persistence-ports';
import {
  FULL_CAPABILITIES,
  type BackendCapabilities,
  type CapabilityName,
} from '../persistence-contract/contract-support';
import { testMongoCapabilities } from './backend-capabilities';
import { createTestPostgresDatabase } from './postgres-database';
import { MONGO_URI_ENV } from './servers/mongo-server';

/** Every metadata backend; e2e suites run once per entry (describeEachBackend). */
export const TEST_BACKENDS = ['memory', 'sqlite', 'postgres', 'mongodb'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

export interface TestPersistence {
  kind: TestBackend;
  ports: PersistencePorts;
  /** The DATABASE_URL that names this backend (for the app's configuration). */
  databaseUrl: string;
  capabilities: BackendCapabilities;
  /** Closes the connections and removes what was created (temp file, database). Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens a fresh, empty, private store of the given kind, migrated: memory; SQLite in a temp file; a new
 * PostgreSQL database on the test server; a random database on the test MongoDB. Suites running in parallel
 * never share data.
 */
export async function openTestPersistence(kind: TestBackend): Promise<TestPersistence> {
  const cleanups: (() => Promise<void>)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const { db, databaseUrl, capabilities } = await prepareDatabase(kind, cleanups);
    const ports = await openPersistence(db, { runMigrations: true });
    let closed = false;
    return {
      kind,
      ports,
      databaseUrl,
      capabilities,
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await ports.health.close();
        } finally {
          await runCleanups();
        }
      },
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}

async function prepareDatabase(
  kind: TestBackend,
  cleanups: (() => Promise<void>)[],
): Promise<{ db: DatabaseConfig; databaseUrl: string; capabilities: BackendCapabilities }> {
  switch (kind) {
    case 'memory':
      return { db: { kind: 'memory' }, databaseUrl: 'memory://', capabilities: FULL_CAPABILITIES };
    case 'sqlite': {
      const dir = await mkdtemp(path.join(tmpdir(), 'pangolin-sqlite-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'pangolin.db');
      return { db: { kind: 'sqlite', file }, databaseUrl: `sqlite://${file}`, capabilities: FULL_CAPABILITIES };
    }
    case 'postgres': {
      const database = await createTestPostgresDatabase('pangolin_e2e');
      cleanups.push(() => database.drop());
      return {
        db: { kind: 'postgres', url: database.url, maxConnections: 5, minConnections: 0, connectTimeoutMs: 10_000 },
        databaseUrl: database.url,
        capabilities: FULL_CAPABILITIES,
      };
    }
    case 'mongodb': {
      const url = process.env[MONGO_URI_ENV];
      if (!url) throw new Error(`${MONGO_URI_ENV} is not set: the test run's global setup starts MongoDB and sets it`);
      const dbName = `pangolin_e2e_${randomBytes(6).toString('hex')}`;
      cleanups.push(() => dropMongoDatabase(url, dbName));
      return { db: { kind: 'mongodb', url, dbName }, databaseUrl: url, capabilities: testMongoCapabilities() };
    }
    default:
      return assertNever(kind, 'test backend');
  }
}

async function dropMongoDatabase(url: string, dbName: string): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    await client.db(dbName).dropDatabase();
  } catch {
    // Best effort: the database has a random name and the test server is discarded after the run.
  } finally {
    await client.close().catch(() => undefined);
  }
}

export type HttpAgent = ReturnType<typeof request>;

export interface TestApp {
  kind: TestBackend;
  app: NestExpressApplication;
  /** supertest bound to the listening server. */
  http: HttpAgent;
  /** `http://127.0.0.1:<port>`, for real clients (iceberg-js, fetch). */
  baseUrl: string;
  ports: PersistencePorts;
  capabilities: BackendCapabilities;
  /** The temp data directory (default warehouse, generated secrets). */
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Environment every test app starts with; `envOverrides` win. NO-AUTH because requests in e2e suites act as
 * the default tenant unless a suite tests authentication; metadata handled inline because test workers run
 * TypeScript through the Jest transform, which worker threads do not have.
 */
const BASE_TEST_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent',
  PANGOLIN_NO_AUTH: 'true',
  PANGOLIN_METADATA_WORKERS: '0',
  // The lowest bcrypt cost: hashing strength is not under test here, and cost 12 adds ~0.5 s per app start.
  PANGOLIN_BCRYPT_ROUNDS: '4',
};

/**
 * Starts the real application on a fresh store of the given kind, listening on a free 127.0.0.1 port,
 * built by the same createApp as production.
 */
export interface StartTestAppOptions {
  /** Wraps the opened ports before the app gets them (fault injection). */
  wrapPorts?: (ports: PersistencePorts) => PersistencePorts;
  /** Where the structured log goes (tests that inspect log lines). */
  logDestination?: DestinationStream;
  /** False: every request goes through the framework pipeline (see CreateAppOptions.hotRoutes). */
  hotRoutes?: boolean;
}

export async function startTestApp(
  kind: TestBackend,
  envOverrides: Record<string, string> = {},
  options: StartTestAppOptions = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pangolin-e2e-'));
  let persistence: TestPersistence | undefined;
  let app: NestExpressApplication | undefined;
  try {
    persistence = await openTestPersistence(kind);
    const config = loadConfig({
      ...BASE_TEST_ENV,
      DATABASE_URL: persistence.databaseUrl,
      PANGOLIN_DATA_DIR: dataDir,
      PORT: '0',
      PANGOLIN_HOST: '127.0.0.1',
      ...envOverrides,
    });
    const ports = options.wrapPorts ? options.wrapPorts(persistence.ports) : persistence.ports;
    app = await createApp(config, { persistence: ports, logDestination: options.logDestination, hotRoutes: options.hotRoutes });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    const opened = { app, persistence };
    let closed = false;
    return {
      kind,
      app,
      http: request(baseUrl),
      baseUrl,
      ports: persistence.ports,
      capabilities: persistence.capabilities,
      dataDir,
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await opened.app.close();
        } finally {
          await opened.persistence.close();
          await rm(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await persistence?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** What a describeEachBackend body receives. Fields are usable inside tests and hooks, not at describe time. */
export interface BackendTestContext {
  readonly kind: TestBackend;
  readonly app: NestExpressApplication;
  readonly http: HttpAgent;
  readonly baseUrl: string;
  readonly ports: PersistencePorts;
  readonly capabilities: BackendCapabilities;
  readonly dataDir: string;
  /**
   * Registers a test needing the listed capabilities of the backend's TEST server: a plain `it` when it has
   * them, else a visible `it.skip` whose title names the missing capability and the reason.
   */
  itWith(needs: CapabilityName[], title: string, fn: () => Promise<void>, timeoutMs?: number): void;
}

export interface DescribeEachBackendOptions {
  /** Environment overrides for every app of this suite. */
  env?: Record<string, string>;
  /** Restrict to some backends (default: all of TEST_BACKENDS). */
  backends?: readonly TestBackend[];
}

/**
 * Registers one `describe` per backend, each starting its own app on a fresh store before its tests and
 * closing it after them:
 *
 *   describeEachBackend('catalogs API', (ctx) => {
 *     it('creates', async () => { await ctx.http.post('/api/v1/catalogs').send({...}).expect(201); });
 *   });
 */
export function describeEachBackend(
  title: string,
  body: (ctx: BackendTestContext) => void,
  options: DescribeEachBackendOptions = {},
): void {
  for (const kind of options.backends ?? TEST_BACKENDS) {
    describe(`${title} [${kind}]`, () => {
      let started: TestApp | undefined;
      const need = (): TestApp => {
        if (!started) throw new Error(`The ${kind} test app is not running (did beforeAll fail?)`);
        return started;
      };
      // Capabilities are known before the app starts (they depend on the test server only), so skips can be
      // decided at registration time.
      const capabilities = capabilitiesOf(kind);
      const ctx: BackendTestContext = {
        kind,
        get app() {
          return need().app;
        },
        get http() {
          return need().http;
        },
        get baseUrl() {
          return need().baseUrl;
        },
        get ports() {
          return need().ports;
        },
        get dataDir() {
          return need().dataDir;
        },
        capabilities,
        itWith(needs, testTitle, fn, timeoutMs) {
          const missing = needs.filter((name) => !capabilities[name].supported);
          if (missing.length === 0) {
            it(testTitle, fn, timeoutMs);
            return;
          }
          const reasons = missing.map((name) => {
            const capability = capabilities[name];
            return `${name}: ${capability.supported ? '' : capability.reason}`;
          });
          it.skip(`${testTitle} [skipped on ${kind}: ${reasons.join('; ')}]`, fn, timeoutMs);
        },
      };

      beforeAll(async () => {
        started = await startTestApp(kind, options.env);
      });
      afterAll(async () => {
        await started?.close();
      });

      body(ctx);
    });
  }
}

function capabilitiesOf(kind: TestBackend): BackendCapabilities {
  return kind === 'mongodb' ? testMongoCapabilities() : FULL_CAPABILITIES;
}
