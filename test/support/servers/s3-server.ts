import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StartedTestServer, TestServer } from './test-server';

/**
 * An S3-compatible server for the tests: s3rver 3.7 on a free port with a temporary directory, unless
 * PANGOLIN_TEST_S3_ENDPOINT already points at one (then its PANGOLIN_TEST_S3_ACCESS_KEY / _SECRET_KEY are
 * used, default S3RVER/S3RVER).
 *
 * s3rver runs in a child node process started with `--openssl-legacy-provider`: it encrypts
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers through the legacy provider,
 * so without the flag every paginated listing (and with it every purge of more than one page) fails with
 * HTTP 500. Keeping the flag on the child means neither jest nor the user has to pass it.
 *
 * Tests create their own buckets (CreateBucket, random names); clients must use path-style addressing.
 */

const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Runs inside the child: starts s3rver and reports its port on stdout; stops when stdin closes. */
const CHILD_SCRIPT = `
const [modulePath, directory] = process.argv.slice(1);
const S3rver = require(modulePath);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  // Removing the directory here too covers a parent that died without calling stop().
  const removeDirectory = () => require('fs').rmSync(directory, { recursive: true, force: true });
  server.close().then(() => { removeDirectory(); process.exit(0); }, () => { removeDirectory(); process.exit(1); });
};
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); },
);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
`;

export const s3TestServer: TestServer = {
  name: 's3',
  async start(): Promise<StartedTestServer> {
    const external = process.env['PANGOLIN_TEST_S3_ENDPOINT'];
    const quietSdk = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    if (external) {
      return {
        env: {
          ...quietSdk,
          PANGOLIN_TEST_S3_ENDPOINT: external,
          PANGOLIN_TEST_S3_ACCESS_KEY: process.env['PANGOLIN_TEST_S3_ACCESS_KEY'] ?? ACCESS_KEY,
          PANGOLIN_TEST_S3_SECRET_KEY: process.env['PANGOLIN_TEST_S3_SECRET_KEY'] ?? SECRET_KEY,
        },
        stop: async () => undefined,
      };
    }

    const directory = mkdtempSync(path.join(os.tmpdir(), 'pangolin-s3rver-'));
    const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT, require.resolve('s3rver'), directory], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let port: number;
    try {
      port = await waitForPort(child);
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(directory, { recursive: true, force: true });
      throw error;
    }
    // Do not let the server's handles keep a finished test run alive; teardown stops it explicitly.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    return {
      env: {
        ...quietSdk,
        PANGOLIN_TEST_S3_ENDPOINT: `http://127.0.0.1:${port}`,
        PANGOLIN_TEST_S3_ACCESS_KEY: ACCESS_KEY,
        PANGOLIN_TEST_S3_SECRET_KEY: SECRET_KEY,
      },
      async stop() {
        await stopChild(child);
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`s3rver did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      try {
        const { port } = JSON.parse(stdout.slice(0, newline)) as { port: number };
        resolve(port);
      } catch {
        reject(new Error(`s3rver printed an unexpected line: ${stdout.slice(0, newline)}`));
      }
    });
    child.once('error', fail);
    child.once('exit', (code, signal) =>
      fail(new Error(`s3rver exited before it was ready (code ${code}, signal ${signal}): ${stderr.trim()}`)),
    );
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
