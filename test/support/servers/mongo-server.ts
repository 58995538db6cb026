import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { ensureTestMongoInstalled } from '../mongo/install-test-mongo';
import type { StartedTestServer, TestServer } from './test-server';

/**
 * The MongoDB the tests use.
 *
 * - `PANGOLIN_TEST_MONGODB_URI` set: that server (a real MongoDB replica set, e.g. in CI); tests see
 *   `PANGOLIN_TEST_MONGODB_KIND=external` and run every contract test.
 * - otherwise: the in-process wire-compatible server (installed on first use, see install-test-mongo.ts),
 *   started in a child process on a free port; tests see `PANGOLIN_TEST_MONGODB_KIND=in-process` and skip,
 *   by name, what that server cannot do. If it cannot be installed or started, the run fails with the
 *   reason: Mongo tests are never skipped silently.
 */

export const MONGO_URI_ENV = 'PANGOLIN_TEST_MONGODB_URI';
export const MONGO_KIND_ENV = 'PANGOLIN_TEST_MONGODB_KIND';
export type TestMongoKind = 'external' | 'in-process';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER_MAIN = path.join(REPO_ROOT, 'test', 'support', 'mongo', 'in-process-mongo-main.mjs');
const START_TIMEOUT_MS = 30_000;

export const mongoTestServer: TestServer = {
  name: 'mongo',
  async start(): Promise<StartedTestServer> {
    const external = process.env[MONGO_URI_ENV]?.trim();
    if (external) {
      return { env: { [MONGO_URI_ENV]: external, [MONGO_KIND_ENV]: 'external' }, stop: async () => undefined };
    }
    const installed = await ensureTestMongoInstalled(REPO_ROOT, (line) => process.stdout.write(`\n[test servers] mongo: ${line}\n`));
    const { child, port } = await startChild(installed.serverModule);
    // serverMonitoringMode=poll: the server answers the driver's streaming `hello` once instead of streaming,
    // which the driver reports as a monitor failure that clears the connection pool under running operations.
    const uri = `mongodb://127.0.0.1:${port}/?directConnection=true&serverMonitoringMode=poll`;
    return {
      env: { [MONGO_URI_ENV]: uri, [MONGO_KIND_ENV]: 'in-process' },
      stop: () => stopChild(child),
    };
  },
};

function startChild(serverModule: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER_MAIN, [serverModule], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The in-process MongoDB test server did not start: ${reason}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`it exited (code ${code}, signal ${signal})`));
    child.on('message', (message: { type?: string; port?: number; message?: string }) => {
      if (message.type === 'ready' && typeof message.port === 'number') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        // The runner must be able to exit even if stop() is never called.
        child.unref();
        child.channel?.unref();
        resolve({ child, port: message.port });
      } else if (message.type === 'failed') {
        fail(message.message ?? 'unknown error');
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
  });
}
