/**
 * CPU per request of the framework path, side by side in one run. Not part of `npm test`.
 *
 *   npm run bench:framework
 *   BENCH_ROUNDS=9 BENCH_REQUESTS=5000 npm run bench:framework
 *   BENCH_PROFILE_DIR=/tmp/prof npm run bench:framework   # also profiles the measured requests
 *
 * Two server processes (bench/support/framework-path-server.ts):
 * - `empty`: an empty Nest + Express application with one GET route;
 * - `app`: the real application (createApp) as users deploy it: authentication on, requests carry the bearer
 *   JWT of a tenant admin, request logs at LOG_LEVEL (default `info`, written to the process's standard
 *   output, here /dev/null), metrics on. The metadata backend is `memory://` (BENCH_BACKEND=sqlite for a
 *   SQLite file) so that the database is not what is measured.
 * The real application's targets are management GETs, which take the framework path (the lean path serves
 * only config, loadTable, the table commit and liveness): GET /api/v1/catalogs/{name} and GET
 * /api/v1/warehouses.
 *
 * The metric is CPU time per request of the server process (process.cpuUsage() before and after a fixed
 * number of requests, asked over IPC), not throughput: the machine is shared, and CPU time is what a request
 * costs whatever else runs. Targets alternate in many short rounds (the order rotates); each config reports
 * the mean (all CPU over all requests), median and minimum over the rounds; the ratio of the means to the
 * empty route is the target (<= 1.5x).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { formatSummary, summariseProfile, type CpuProfile } from './support/cpu-profile-summary';
import { printTable } from './support/markdown-table';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 800);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const BACKEND = process.env.BENCH_BACKEND ?? 'memory';
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const TARGET_RATIO = 1.5;
const SERVER_SCRIPT = path.join(__dirname, 'support', 'framework-path-server.ts');
const REGISTER_TS = path.join(__dirname, 'register-ts.js');
/** Variables of this environment that would configure the service; the child gets only the benchmark's. */
const SERVICE_VARIABLE = /^(PANGOLIN_|DATABASE_|MONGO_|LOG_LEVEL$|PORT$|JWT_SECRET$)/;

interface Server {
  kind: string;
  baseUrl: string;
  ask<T>(command: object, answerField: string): Promise<T>;
  stop(): Promise<void>;
}

interface Target {
  name: string;
  server: Server;
  path: string;
  headers: Record<string, string>;
  /** CPU µs per request, one entry per round. */
  perRequest: number[];
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pangolin-bench-fw-'));
    cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
    const rootPassword = randomBytes(18).toString('base64url');
    const appEnv: Record<string, string> = {
      DATABASE_URL: BACKEND === 'sqlite' ? `sqlite://${path.join(dataDir, 'pangolin.db')}` : 'memory://',
      PANGOLIN_DATA_DIR: dataDir,
      PANGOLIN_NO_AUTH: 'false',
      PANGOLIN_JWT_SECRET: randomBytes(32).toString('base64url'),
      PANGOLIN_ROOT_USER: 'root',
      PANGOLIN_ROOT_PASSWORD: rootPassword,
      // Only the set-up logins hash; the measured requests carry a token.
      PANGOLIN_BCRYPT_ROUNDS: '4',
      LOG_LEVEL,
    };
    log('starting the empty Nest application and the service');
    const [empty, app] = await Promise.all([startServer('empty', {}), startServer('app', appEnv)]);
    cleanups.push(() => empty.stop(), () => app.stop());
    const adminToken = await setUpTenant(app.baseUrl, rootPassword);
    const auth = { authorization: `Bearer ${adminToken}` };

    const targets: Target[] = [
      { name: 'empty Nest + Express: GET /ping', server: empty, path: '/ping', headers: {}, perRequest: [] },
      { name: 'service: GET /api/v1/catalogs/bench', server: app, path: '/api/v1/catalogs/bench', headers: auth, perRequest: [] },
      { name: 'service: GET /api/v1/warehouses', server: app, path: '/api/v1/warehouses', headers: auth, perRequest: [] },
    ];
    log(`warm-up, then ${ROUNDS} rounds of ${REQUESTS} requests per target, ${CONNECTIONS} connections`);
    for (const target of targets) await load(target, REQUESTS);

    const profiling = PROFILE_DIR !== undefined;
    if (profiling) {
      await fs.mkdir(PROFILE_DIR, { recursive: true });
      await Promise.all([empty, app].map((s) => s.ask({ type: 'profile-start' }, 'profiling')));
    }
    for (let round = 0; round < ROUNDS; round++) {
      // The order rotates, so no target always runs right after another one.
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(round + i) % targets.length];
        target.perRequest.push(await cpuPerRequest(target));
      }
    }
    if (profiling) {
      const requestsOf = (server: Server) => targets.filter((t) => t.server === server).length * ROUNDS * REQUESTS;
      for (const server of [empty, app]) {
        const file = path.join(PROFILE_DIR, `framework-path-${server.kind}-${Date.now()}.cpuprofile`);
        await server.ask({ type: 'profile-stop', file }, 'profile');
        const profile = JSON.parse(await fs.readFile(file, 'utf8')) as CpuProfile;
        console.log(`\n${formatSummary(`${server.kind} (${file})`, summariseProfile(profile, requestsOf(server)))}`);
      }
    }

    const floor = targets[0];
    // The headline is the ratio of the means: every round has the same number of requests, so the mean is
    // all CPU over all requests, and with many short alternating rounds a burst of load from elsewhere lands
    // on every target alike. Median and minimum are shown for comparison.
    const rows = targets.map((t) => [
      t.name,
      mean(t.perRequest).toFixed(1),
      median(t.perRequest).toFixed(1),
      min(t.perRequest).toFixed(1),
      t === floor ? '' : `${(mean(t.perRequest) / mean(floor.perRequest)).toFixed(2)}x`,
      t === floor ? '' : `${(median(t.perRequest) / median(floor.perRequest)).toFixed(2)}x`,
      t === floor ? '' : `${(min(t.perRequest) / min(floor.perRequest)).toFixed(2)}x`,
      t === floor ? '' : mean(t.perRequest) / mean(floor.perRequest) <= TARGET_RATIO ? 'met' : 'NOT MET',
    ]);
    printTable([
      ['CPU per request (µs)', 'mean', 'median', 'min', 'mean ratio', 'median ratio', 'min ratio', `target (mean) <= ${TARGET_RATIO}x`],
      ...rows,
    ]);
    for (const t of targets) console.log(`${t.name}, round by round: ${t.perRequest.map((v) => v.toFixed(1)).join(', ')}`);
    // Both sides of a round ran on the same machine within seconds of each other: the steadiest ratio.
    for (const t of targets.slice(1)) {
      const ratios = t.perRequest.map((v, round) => v / floor.perRequest[round]);
      console.log(`${t.name} / empty, round by round: ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)}x)`);
    }
    console.log(
      `\nbackend ${BACKEND}, LOG_LEVEL=${LOG_LEVEL}, profiling ${profiling ? 'ON (adds its own cost)' : 'off'}; machine: ` +
        `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ` +
        `${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error('cleanup:', err));
  }
}

async function cpuPerRequest(target: Target): Promise<number> {
  const before = await target.server.ask<NodeJS.CpuUsage>({ type: 'cpu' }, 'cpu');
  await load(target, REQUESTS);
  const after = await target.server.ask<NodeJS.CpuUsage>({ type: 'cpu' }, 'cpu');
  return (after.user - before.user + after.system - before.system) / REQUESTS;
}

async function load(target: Target, amount: number): Promise<void> {
  const result = await autocannon({
    url: `${target.server.baseUrl}${target.path}`,
    headers: target.headers,
    connections: CONNECTIONS,
    amount,
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${target.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
}

async function startServer(kind: string, env: Record<string, string>): Promise<Server> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!SERVICE_VARIABLE.test(key)) childEnv[key] = value;
  const child: ChildProcess = fork(SERVER_SCRIPT, [kind], {
    execArgv: ['-r', REGISTER_TS],
    env: { ...childEnv, ...env },
    // Standard output is the service's log stream: discarded, as a log shipper would take it off the pipe.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`))));
  exited.catch(() => undefined);
  const next = <T>(field: string) =>
    Promise.race([
      exited,
      new Promise<T>((resolve, reject) => {
        const onMessage = (message: Record<string, unknown>) => {
          if (message.error === undefined && !(field in message)) return;
          child.off('message', onMessage);
          if (message.error !== undefined) reject(new Error(`${kind} server: ${String(message.error)}`));
          else resolve(message[field] as T);
        };
        child.on('message', onMessage);
      }),
    ]);
  const port = await next<number>('port');
  return {
    kind,
    baseUrl: `http://127.0.0.1:${port}`,
    ask: <T>(command: object, answerField: string) => {
      const answer = next<T>(answerField);
      child.send(command);
      return answer;
    },
    stop: async () => {
      child.removeAllListeners('exit');
      child.kill('SIGKILL');
    },
  };
}

/** Root creates a tenant and its admin; the admin creates a warehouse and the catalog `bench`. */
async function setUpTenant(baseUrl: string, rootPassword: string): Promise<string> {
  const send = async (method: string, p: string, body: unknown, token?: string) => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const rootToken = (await send('POST', '/api/v1/users/login', { username: 'root', password: rootPassword })).token as string;
  const tenantId = (await send('POST', '/api/v1/tenants', { name: 'bench' }, rootToken)).id as string;
  const admin = { username: 'bench-admin', password: randomBytes(18).toString('base64url') };
  await send('POST', '/api/v1/users', { ...admin, email: 'bench-admin@example.com', tenant_id: tenantId, role: 'tenant-admin' }, rootToken);
  const adminToken = (await send('POST', '/api/v1/users/login', { ...admin, 'tenant-id': tenantId })).token as string;
  await send('POST', '/api/v1/warehouses', { name: 'bench-wh', storage_config: { type: 'memory' } }, adminToken);
  await send('POST', '/api/v1/catalogs', { name: 'bench', warehouse_name: 'bench-wh' }, adminToken);
  return adminToken;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function min(values: number[]): number {
  return Math.min(...values);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function log(message: string): void {
  process.stderr.write(`[bench:framework] ${message}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
