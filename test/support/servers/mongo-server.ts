import type { TestServer } from './test-server';

// Placeholder until the mongo test server is wired in; starts nothing.
export const mongoTestServer: TestServer = {
  name: 'mongo',
  async start() {
    return { env: {}, stop: async () => undefined };
  },
};
