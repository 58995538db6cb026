import type { TestServer } from './test-server';

// Placeholder until the postgres test server is wired in; starts nothing.
export const postgresTestServer: TestServer = {
  name: 'postgres',
  async start() {
    return { env: {}, stop: async () => undefined };
  },
};
