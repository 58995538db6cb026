/** Stops the servers global-setup started, in reverse order. */
export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__pangolinTestServers ?? [];
  for (const server of [...started].reverse()) {
    await server.stop();
  }
}
