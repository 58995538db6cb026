import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Starts the REAL service as a separate node process, the way it runs in production (its own event loop,
 * signal handlers, worker threads, connection pool), so tests can send it signals, kill it with SIGKILL and run
 * several instances side by side against one database.
 *
 * The process runs the TypeScript sources directly: `node -r test/support/typescript-require-hook.js
 * src/main.ts`. The hook compiles each file with @swc/core (already a dev dependency, same options as the Jest
 * transform) as it is loaded. This needs no build step, so `npm test` on a fresh clone works and always tests
 * the current sources (a stale or half-built dist/ cannot be picked up by mistake), and a type error in an
 * unrelated file does not stop the service from starting, exactly as under Jest. A `-r` preload also runs in
 * worker threads, so the metadata worker pool works in the child too.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const REQUIRE_HOOK = path.join(__dirname, 'typescript-require-hook.js');
const MAIN = path.join(REPO_ROOT, 'src', 'main.ts');
/** Kept per process for diagnostics; older output is dropped beyond this. */
const OUTPUT_LIMIT_CHARS = 2_000_000;
/** Startup on a busy 2-core machine (module loading, migrations) can take a while. */
const DEFAULT_READY_TIMEOUT_MS = 90_000;

/** Variables of the parent's environment that would configure the child; the child gets only ours. */
const INHERITED_CONFIG_VARIABLE = /^(PANGOLIN_|DATABASE_|MONGO_|LOG_LEVEL$|PORT$)/;

export interface ServiceProcessOptions {
  /** DATABASE_URL of the child. */
  databaseUrl: string;
  /** PANGOLIN_DATA_DIR; default: a new temp directory, removed by dispose(). */
  dataDir?: string;
  /** Port to listen on; default: a free port (picked again if it was taken meanwhile). */
  port?: number;
  /** LOG_LEVEL of the child (default `warn`: failures and shutdown remain visible in the diagnostics). */
  logLevel?: string;
  /** Further variables; they win over the defaults (NO-AUTH, 127.0.0.1, ...). */
  env?: Record<string, string>;
  /** Extra node options placed before the entry point (e.g. `--cpu-prof` when profiling a benchmark). */
  nodeArgs?: string[];
  /** A label used in diagnostics (e.g. `replica-2`). */
  name?: string;
  readyTimeoutMs?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly dataDir: string;
  /** Everything the child wrote to stdout and stderr so far (truncated at the front beyond a limit). */
  output(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** Resolves with the first output line matching, including lines already written. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends the signal (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** Sends the signal without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL: no shutdown hook runs, exactly like a crashed or OOM-killed pod. */
  kill9(): Promise<ProcessExit>;
  /** Kills the process if it still runs and removes the temp data directory it created. */
  dispose(): Promise<void>;
}

/** Every child still running, killed when the test worker exits so no service outlives its test run. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/** Starts one service process and resolves once /health/ready answers 200. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'pangolin-service-')));
  try {
    // A free port can be taken between probing and binding; only then is another one picked.
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findFreePort());
      const started = spawnService(options, dataDir, port, ownsDataDir);
      try {
        await started.waitUntilReady(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
        return started.service;
      } catch (error) {
        await started.service.kill9();
        const portTaken = /EADDRINUSE/.test(started.service.output());
        if (!portTaken || options.port !== undefined || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

function spawnService(
  options: ServiceProcessOptions,
  dataDir: string,
  port: number,
  ownsDataDir: boolean,
): { service: ServiceProcess; waitUntilReady(timeoutMs: number): Promise<void> } {
  installExitHook();
  const name = options.name ?? `service:${port}`;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!INHERITED_CONFIG_VARIABLE.test(key)) env[key] = value;
  }
  Object.assign(env, {
    PORT: String(port),
    PANGOLIN_HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    PANGOLIN_DATA_DIR: dataDir,
    LOG_LEVEL: options.logLevel ?? 'warn',
    PANGOLIN_NO_AUTH: 'true',
    ...options.env,
  });

  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-r', REQUIRE_HOOK, MAIN], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);

  let output = '';
  let pendingLine = '';
  const lineWaiters = new Set<(line: string) => void>();
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    if (output.length > OUTPUT_LIMIT_CHARS) output = output.slice(output.length - OUTPUT_LIMIT_CHARS);
    const parts = (pendingLine + text).split('\n');
    pendingLine = parts.pop() ?? '';
    for (const line of parts) {
      if (lines.length < 10_000) lines.push(line);
      for (const waiter of lineWaiters) waiter(line);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  let exitInfo: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      liveChildren.delete(child);
      resolve(exitInfo);
    });
    child.once('error', (error) => {
      output += `\n[spawn error] ${error.message}\n`;
      exitInfo = { code: null, signal: null };
      liveChildren.delete(child);
      resolve(exitInfo);
    });
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    name,
    pid: child.pid ?? -1,
    port,
    baseUrl,
    dataDir,
    output: () => output,
    exited,
    hasExited: () => exitInfo !== undefined,
    waitForOutput(pattern, timeoutMs = 60_000) {
      const already = lines.find((line) => pattern.test(line));
      if (already !== undefined) return Promise.resolve(already);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          lineWaiters.delete(waiter);
          reject(new Error(`${name}: no output line matched ${pattern} within ${timeoutMs} ms\n${tail(output)}`));
        }, timeoutMs);
        const waiter = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          lineWaiters.delete(waiter);
          resolve(line);
        };
        lineWaiters.add(waiter);
      });
    },
    signal(signal) {
      if (exitInfo === undefined) child.kill(signal);
    },
    async stop(signal = 'SIGTERM') {
      service.signal(signal);
      return exited;
    },
    async kill9() {
      service.signal('SIGKILL');
      return exited;
    },
    async dispose() {
      await service.kill9();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };

  return {
    service,
    async waitUntilReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitInfo !== undefined) {
          throw new Error(`${name} exited before it was ready (${describeExit(exitInfo)})\n${tail(output)}`);
        }
        if (await answersReady(baseUrl)) return;
        await Promise.race([delay(100), exited]);
      }
      throw new Error(`${name} was not ready within ${timeoutMs} ms\n${tail(output)}`);
    },
  };
}

async function answersReady(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** A port nobody listens on right now (the kernel picks it). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** The last lines of a process's output, for assertion messages. */
export function tail(output: string, maxLines = 60): string {
  const lines = output.trimEnd().split('\n');
  return lines.slice(-maxLines).join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
