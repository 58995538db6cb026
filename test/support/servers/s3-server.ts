import type { TestServer } from './test-server';

// Placeholder until the s3 test server is wired in; starts nothing.
export const s3TestServer: TestServer = {
  name: 's3',
  async start() {
    return { env: {}, stop: async () => undefined };
  },
};
