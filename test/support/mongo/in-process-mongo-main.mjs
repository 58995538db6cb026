// Child-process entry of the in-process MongoDB-wire-compatible test server (see install-test-mongo.ts).
// Started with fork() by test/support/servers/mongo-server.ts: argv[2] is the absolute path of the server's
// ESM module. Listens on a free port chosen by the OS (test runs execute concurrently on one machine), reports
// `{ port }` over the IPC channel, and exits when told to, or when the parent goes away.
import { pathToFileURL } from 'node:url';

const serverModule = process.argv[2];
if (!serverModule) {
  console.error('usage: in-process-mongo-main.mjs <path of dist_ts/congodb/index.js>');
  process.exit(2);
}

try {
  const { CongoServer } = await import(pathToFileURL(serverModule).href);
  const server = new CongoServer({ host: '127.0.0.1', port: 0, storage: 'memory' });
  await server.start();
  // The server keeps the configured port (0); the bound one is on its net.Server.
  const address = server.server?.address();
  if (!address || typeof address !== 'object') throw new Error('the server did not report its bound address');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await server.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (message) => {
    if (message && message.type === 'stop') void stop();
  });
  // The parent (the test runner) exited or crashed: never outlive it.
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  process.send?.({ type: 'ready', port: address.port });
} catch (error) {
  process.send?.({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
}
