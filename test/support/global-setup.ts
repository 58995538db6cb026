import type { StartedTestServer, TestServer } from './servers/test-server';
import { postgresTestServer } from './servers/postgres-server';
import { mongoTestServer } from './servers/mongo-server';
import { s3TestServer } from './servers/s3-server';

const SERVERS: TestServer[] = [postgresTestServer, mongoTestServer, s3TestServer];

declare global {
  var __pangolinTestServers: StartedTestServer[] | undefined;
}

/** Starts every real server the suites need; their locations reach the test workers through process.env. */
export default async function globalSetup(): Promise<void> {
  const started: StartedTestServer[] = [];
  globalThis.__pangolinTestServers = started;
  for (const server of SERVERS) {
    const t0 = Date.now();
    const handle = await server.start();
    started.push(handle);
    Object.assign(process.env, handle.env);
    process.stdout.write(`\n[test servers] ${server.name} ready in ${Date.now() - t0} ms\n`);
  }
}
