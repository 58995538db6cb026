/**
 * A real server started once per test run by global-setup. `start` returns the environment variables that
 * tell the tests where the server is (test workers inherit them) and a `stop` for global-teardown.
 */
export interface StartedTestServer {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface TestServer {
  name: string;
  start(): Promise<StartedTestServer>;
}
