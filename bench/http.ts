/**
 * HTTP benchmark, side by side in one run. Not part of `npm test`.
 *
 *   npm run bench:http
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=64 BENCH_ROUNDS=3 npm run bench:http
 *   BENCH_PARTS=reads npm run bench:http      # only the read half (or `writes`)
 *   BENCH_SLICE_SECONDS=1 npm run bench:http  # read targets alternate in slices of this length (default 2)
 *   BENCH_POSTGRES_URL=postgres://user:pw@host/postgres npm run bench:http   # instead of an embedded server
 *
 * 1. Reads: GET /v1/config and loadTable (GET /v1/{catalog}/namespaces/{ns}/tables/{t}) requests/s, measured
 *    with autocannon against the real service and against a bare node:http server that answers the same
 *    paths with the same bytes (no framework, no lookup: the ceiling of node on this machine).
 * 2. Writes: table commits/s on 8 tables of one branch (`main`), one writer per table, against the same
 *    writes done directly in PostgreSQL transactions. The service's database writes per commit are: lock the
 *    branch row, compare-and-swap the table's pointer, insert a commit whose parent is the branch head, move
 *    the head (DESIGN §3.1: every commit extends the branch's one history, so commits on one branch
 *    serialize on its row). The target row runs exactly those writes directly, one transaction per commit.
 *    An informational row runs only the pointer `UPDATE` and a commit `INSERT` without the branch head: what a
 *    commit would cost without branch history, a design this service does not have. The 409s the service
 *    answers are counted: between different tables there must be none (each writer is alone on its table, so
 *    any 409 is spurious), and so are its server-side retries.
 *
 * Both sides of each comparison run in separate processes on the same machine and the same PostgreSQL
 * server, alternating so a change of machine load affects both: writes round by round, reads in slices of
 * BENCH_SLICE_SECONDS (default 2) within each round. The service is the real one
 * (test/support/service-process.ts: node running src/main.ts, PostgreSQL backend, file warehouse), with
 * LOG_LEVEL=warn so request logging does not go through the benchmark's pipe. Targets: config >= 0.5x bare,
 * commits >= 0.5x the same writes done directly, 0 spurious 409.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fsSync from 'node:fs';
import * as http from 'node:http';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { createTestPostgresDatabase } from '../test/support/postgres-database';
import { startEmbeddedPostgres } from '../test/support/servers/postgres-server';
import { ServiceProcess, startServiceProcess } from '../test/support/service-process';
import { printTable } from './support/markdown-table';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/**
 * The read targets alternate in slices of this many seconds (BENCH_SECONDS in all per target and round), so
 * the bare server and the service see the same phases of a noisy machine.
 */
const SLICE_SECONDS = Math.min(Number(process.env.BENCH_SLICE_SECONDS ?? 2), SECONDS);
/** BENCH_PARTS=reads (or writes) runs one half only. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'reads,writes').split(','));
const WRITE_TABLES = 8;
const CATALOG = 'bench';
const NAMESPACE = 'bench';
const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'event_time', required: false, type: 'timestamptz' },
    { id: 3, name: 'payload', required: false, type: 'string' },
  ],
};

interface Throughput {
  perSecond: number;
  /** Successful requests counted over the measurement. */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const serverUrl = process.env.BENCH_POSTGRES_URL ?? (await embeddedPostgres(cleanups));
    process.env.PANGOLIN_TEST_POSTGRES_URL = serverUrl;
    const serviceDb = await createTestPostgresDatabase('pangolin_bench_http');
    cleanups.push(() => serviceDb.drop());
    const directDb = await createTestPostgresDatabase('pangolin_bench_direct');
    cleanups.push(() => directDb.drop());
    // The warehouse lies below the service's allowed storage root (PANGOLIN_ALLOWED_STORAGE_ROOTS).
    const storageRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'pangolin-bench-wh-'));
    cleanups.push(() => fs.rm(storageRoot, { recursive: true, force: true }));
    const warehouse = path.join(storageRoot, 'warehouse');

    log('starting the service');
    const service = await startServiceProcess({
      name: 'bench',
      databaseUrl: serviceDb.url,
      logLevel: 'warn',
      env: { PANGOLIN_ALLOWED_STORAGE_ROOTS: storageRoot },
      // BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service.
      nodeArgs: process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter((a) => a !== ''),
    });
    // A graceful stop, so a requested CPU profile is written.
    cleanups.push(async () => {
      await service.stop('SIGTERM');
      await service.dispose();
    });
    const readTable = `/v1/${CATALOG}/namespaces/${NAMESPACE}/tables/read_me`;
    await setUpCatalog(service, warehouse);

    // The bare server answers the same paths with the same bytes as the service.
    const configBytes = await getBytes(service, '/v1/config');
    const tableBytes = await getBytes(service, readTable);
    const bare = await startBareServer({ '/v1/config': configBytes, [readTable]: tableBytes });
    cleanups.push(() => bare.stop());

    if (PARTS.has('reads')) log(`reads: ${ROUNDS} rounds of ${SECONDS}s per target, ${CONNECTIONS} connections`);
    const configService: Throughput[] = [];
    const configBare: Throughput[] = [];
    const loadService: Throughput[] = [];
    const loadBare: Throughput[] = [];
    if (PARTS.has('reads')) await cannon(`${bare.baseUrl}/v1/config`, 2); // warm-up, both sides
    if (PARTS.has('reads')) await cannon(`${service.baseUrl}/v1/config`, 2);
    if (PARTS.has('reads')) await cannon(`${service.baseUrl}${readTable}`, 2);
    // CPU of the server under test (the `service` field) and of this load generator, per config round.
    const cpuConfigBare: CpuUse[] = [];
    const cpuConfigService: CpuUse[] = [];
    for (let round = 0; round < ROUNDS && PARTS.has('reads'); round++) {
      const [bareConfig, serviceConfig] = await interleaved(
        () => withCpu(cpuConfigBare, bare.pid, () => cannon(`${bare.baseUrl}/v1/config`, SLICE_SECONDS)),
        () => withCpu(cpuConfigService, service.pid, () => cannon(`${service.baseUrl}/v1/config`, SLICE_SECONDS)),
      );
      configBare.push(bareConfig);
      configService.push(serviceConfig);
      const [bareLoad, serviceLoad] = await interleaved(
        () => cannon(`${bare.baseUrl}${readTable}`, SLICE_SECONDS),
        () => cannon(`${service.baseUrl}${readTable}`, SLICE_SECONDS),
      );
      loadBare.push(bareLoad);
      loadService.push(serviceLoad);
    }

    if (PARTS.has('writes')) log(`writes: ${ROUNDS} rounds of ${SECONDS}s per target, ${WRITE_TABLES} tables, one writer each`);
    const direct = await DirectCommits.open(directDb.url);
    cleanups.push(() => direct.close());
    const before = await commitMetrics(service);
    const commitService: (Throughput & { conflicts: number })[] = [];
    const commitDirect: Throughput[] = [];
    const commitDirectWithHead: Throughput[] = [];
    const cpuService: CpuUse[] = [];
    const cpuDirect: CpuUse[] = [];
    const cpuDirectWithHead: CpuUse[] = [];
    if (PARTS.has('writes')) await serviceCommits(service, 2); // warm-up
    if (PARTS.has('writes')) await direct.run(2);
    const warm = await commitMetrics(service);
    for (let round = 0; round < ROUNDS && PARTS.has('writes'); round++) {
      commitDirect.push(await withCpu(cpuDirect, service.pid, () => direct.run(SECONDS)));
      commitService.push(await withCpu(cpuService, service.pid, () => serviceCommits(service, SECONDS)));
      commitDirectWithHead.push(await withCpu(cpuDirectWithHead, service.pid, () => direct.run(SECONDS, true)));
    }
    const after = await commitMetrics(service);

    const rows: string[][] = [];
    const row = (what: string, ours: Throughput[], theirs: Throughput[], baseline: string, target: string) => {
      if (ours.length === 0) return; // that half was not run (BENCH_PARTS)
      const a = mean(ours.map((t) => t.perSecond));
      const b = mean(theirs.map((t) => t.perSecond));
      rows.push([
        what,
        fmt(a),
        `${fmt(median(ours.map((t) => t.p50Ms)), 1)} / ${fmt(median(ours.map((t) => t.p99Ms)), 1)}`,
        `${baseline} ${fmt(b)}`,
        `${(a / b).toFixed(2)}x`,
        target === '' ? '' : `${target} ${a / b >= Number(target.slice(2)) ? 'met' : 'NOT MET'}`,
      ]);
    };
    row('GET /v1/config (req/s)', configService, configBare, 'bare node:http', '>=0.5');
    row('loadTable (req/s)', loadService, loadBare, 'bare node:http', '');
    row(`commits/s, ${WRITE_TABLES} tables of main`, commitService, commitDirectWithHead, 'direct PG, same writes', '>=0.5');
    row(`commits/s, ${WRITE_TABLES} tables of main`, commitService, commitDirect, 'direct PG, no branch head', '');
    const spurious = commitService.reduce((n, r) => n + r.conflicts, 0);
    const serverRetries = after.retries - warm.retries;
    const errors = [...configService, ...loadService, ...commitService, ...configBare, ...loadBare, ...commitDirect, ...commitDirectWithHead].reduce((n, t) => n + t.errors, 0);

    const header = ['measure', 'pangolin', 'p50 / p99 ms', 'baseline', 'ratio', 'target'];
    printTable([header, ...rows]);
    const roundRatios = (ours: Throughput[], theirs: Throughput[]) =>
      ours.map((t, i) => (t.perSecond / theirs[i].perSecond).toFixed(2)).join(', ');
    if (configService.length > 0) console.log(`\nconfig / bare, round by round: ${roundRatios(configService, configBare)}`);
    if (cpuConfigService.length > 0) {
      const perRequest = (uses: CpuUse[], runs: Throughput[], field: keyof CpuUse) =>
        ((uses.reduce((n, u) => n + u[field], 0) * 1000) / runs.reduce((n, r) => n + r.requests, 0)).toFixed(1);
      console.log(
        `CPU per config request (µs; the server's main thread is the bottleneck): service ${perRequest(cpuConfigService, configService, 'service')}, ` +
          `bare node:http ${perRequest(cpuConfigBare, configBare, 'service')} | load generator: ${perRequest(cpuConfigService, configService, 'self')} ` +
          `against the service, ${perRequest(cpuConfigBare, configBare, 'self')} against bare`,
      );
    }
    if (commitService.length > 0) {
      console.log(`commits / direct same writes, round by round: ${roundRatios(commitService, commitDirectWithHead)}`);
    }
    const totalCommits = commitService.reduce((n, r) => n + r.requests, 0);
    console.log(
      `\n409 answers between different tables: ${spurious} (target 0 ${spurious === 0 ? 'met' : 'NOT MET'}); ` +
        `server-side commit retries: ${serverRetries} over ~${Math.round(totalCommits)} commits; ` +
        `commit 409s counted by the service since start: ${after.conflicts - before.conflicts}; ` +
        `failed requests (non-2xx or transport errors) over all runs: ${errors}`,
    );
    if (cpuService.length > 0 && process.platform === 'linux') {
      const perCommit = (uses: CpuUse[], runs: Throughput[], field: keyof CpuUse) =>
        (uses.reduce((n, u) => n + u[field], 0) / runs.reduce((n, r) => n + r.requests, 0)).toFixed(2);
      console.log(
        `CPU per commit (ms; 2 cores shared by everything): service ${perCommit(cpuService, commitService, 'service')}, ` +
          `PostgreSQL ${perCommit(cpuService, commitService, 'postgres')}, load generator ${perCommit(cpuService, commitService, 'self')} | ` +
          `direct, same writes: PostgreSQL ${perCommit(cpuDirectWithHead, commitDirectWithHead, 'postgres')}, client ${perCommit(cpuDirectWithHead, commitDirectWithHead, 'self')} | ` +
          `direct, no branch head: PostgreSQL ${perCommit(cpuDirect, commitDirect, 'postgres')}, client ${perCommit(cpuDirect, commitDirect, 'self')}`,
      );
    }
    console.log(
      `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ` +
        `${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS}s per measure, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error('cleanup:', err));
  }
}

async function embeddedPostgres(cleanups: (() => Promise<unknown>)[]): Promise<string> {
  log('starting an embedded PostgreSQL');
  const postgres = await startEmbeddedPostgres();
  cleanups.push(() => postgres.stop());
  return postgres.url;
}

async function setUpCatalog(service: ServiceProcess, warehouse: string): Promise<void> {
  const send = async (method: string, p: string, body: unknown) => {
    const res = await fetch(`${service.baseUrl}${p}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  await send('POST', '/api/v1/warehouses', { name: 'bench-wh', storage_config: { type: 'file', root: warehouse } });
  await send('POST', '/api/v1/catalogs', { name: CATALOG, warehouse_name: 'bench-wh' });
  await send('POST', `/v1/${CATALOG}/namespaces`, { namespace: [NAMESPACE] });
  const tables = ['read_me', ...Array.from({ length: WRITE_TABLES }, (_, i) => `write_${i}`)];
  for (const table of tables) await send('POST', `/v1/${CATALOG}/namespaces/${NAMESPACE}/tables`, { name: table, schema: SCHEMA });
  // A table as a reader sees it after a while: a few snapshots and properties.
  for (let i = 1; i <= 5; i++) {
    await send('POST', `/v1/${CATALOG}/namespaces/${NAMESPACE}/tables/read_me`, {
      requirements: [],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': 1000 + i,
            'sequence-number': i,
            'timestamp-ms': Date.now(),
            'manifest-list': `file://${warehouse}/read_me/metadata/snap-${1000 + i}.avro`,
            summary: { operation: 'append', 'added-records': '1000' },
            'schema-id': 0,
            ...(i > 1 ? { 'parent-snapshot-id': 1000 + i - 1 } : {}),
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1000 + i },
        { action: 'set-properties', updates: { [`owner-${i}`]: 'analytics', 'write.format.default': 'parquet' } },
      ],
    });
  }
}

async function getBytes(service: ServiceProcess, p: string): Promise<Buffer> {
  const res = await fetch(`${service.baseUrl}${p}`);
  if (res.status !== 200) throw new Error(`GET ${p}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function cannon(url: string, seconds: number): Promise<Throughput> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  return {
    perSecond: result.requests.total / seconds,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

/**
 * Runs `a` and `b` alternately, one slice each, until each has run about SECONDS; returns each side's slices as
 * one measurement: the mean requests/s of its slices, the median slice p50 and the worst slice p99.
 */
async function interleaved(a: () => Promise<Throughput>, b: () => Promise<Throughput>): Promise<[Throughput, Throughput]> {
  const slices: [Throughput[], Throughput[]] = [[], []];
  for (let slice = 0; slice < Math.max(1, Math.round(SECONDS / SLICE_SECONDS)); slice++) {
    slices[0].push(await a());
    slices[1].push(await b());
  }
  const combine = (runs: Throughput[]): Throughput => ({
    perSecond: mean(runs.map((r) => r.perSecond)),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  });
  return [combine(slices[0]), combine(slices[1])];
}

/**
 * One writer per table, each committing in a loop for `seconds`: set-properties, no requirements. The client
 * is node:http with keep-alive (fetch costs ~1.4 ms of CPU per request here, which the 2 cores then lack for
 * the service under test).
 */
async function serviceCommits(service: ServiceProcess, seconds: number): Promise<Throughput & { conflicts: number }> {
  const deadline = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  let conflicts = 0;
  let errors = 0;
  let counter = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: WRITE_TABLES });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: WRITE_TABLES }, async (_, table) => {
      const url = `${service.baseUrl}/v1/${CATALOG}/namespaces/${NAMESPACE}/tables/write_${table}`;
      while (Date.now() < deadline) {
        const body = JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { counter: String(counter++) } }] });
        const t0 = performance.now();
        const status = await post(agent, url, body);
        latencies.push(performance.now() - t0);
        if (status === 409) conflicts++;
        else if (status !== 200) errors++;
      }
    }),
  );
  agent.destroy();
  const elapsed = (Date.now() - started) / 1000;
  const requests = latencies.length - conflicts - errors;
  return { perSecond: requests / elapsed, requests, ...percentiles(latencies), errors, conflicts };
}

/** POSTs a JSON body and drains the answer; resolves with the status (0 on a transport error). */
function post(agent: http.Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** The part of pg's API used here (the package ships no types and @types/pg is not a dependency). */
interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, string>[]; rowCount: number | null }>;
  release(): void;
}
interface PgPool {
  query: PgClient['query'];
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}
const { Pool } = require('pg') as { Pool: new (options: { connectionString: string; max: number }) => PgPool };

/** The same writes as raw PostgreSQL transactions: CAS UPDATE of the table's pointer row + INSERT of a commit. */
class DirectCommits {
  private constructor(private readonly pool: PgPool) {}

  static async open(url: string): Promise<DirectCommits> {
    const pool = new Pool({ connectionString: url, max: WRITE_TABLES });
    await pool.query(`CREATE TABLE bench_pointer (table_id int PRIMARY KEY, metadata_location text NOT NULL)`);
    await pool.query(
      `CREATE TABLE bench_commit (id uuid PRIMARY KEY, table_id int NOT NULL, parent_id uuid, metadata_location text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(`CREATE TABLE bench_branch (id int PRIMARY KEY, head uuid)`);
    await pool.query(`INSERT INTO bench_branch VALUES (1, NULL)`);
    for (let t = 0; t < WRITE_TABLES; t++) await pool.query(`INSERT INTO bench_pointer VALUES ($1, $2)`, [t, `initial-${t}`]);
    return new DirectCommits(pool);
  }

  /**
   * `withBranchHead`: the commit also extends ONE shared history, as the service's atomic write does (DESIGN
   * §2.5, §3.1): the branch row is locked, the commit's parent is its head, and the head moves. Commits on
   * different tables of one branch then serialize on that row; the difference to the plain variant is what
   * real commit history costs in the database alone.
   */
  async run(seconds: number, withBranchHead = false): Promise<Throughput> {
    const deadline = Date.now() + seconds * 1000;
    const latencies: number[] = [];
    let errors = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: WRITE_TABLES }, async (_, table) => {
        const client = await this.pool.connect();
        try {
          const { rows } = await client.query(`SELECT metadata_location FROM bench_pointer WHERE table_id = $1`, [table]);
          let expected: string = rows[0].metadata_location;
          let parent: string | null = null;
          while (Date.now() < deadline) {
            const t0 = performance.now();
            const next = `file:///warehouse/${table}/metadata/${randomUUID()}.metadata.json`;
            const id = randomUUID();
            await client.query('BEGIN');
            if (withBranchHead) {
              const head = await client.query(`SELECT head FROM bench_branch WHERE id = 1 FOR UPDATE`);
              parent = head.rows[0].head ?? null;
            }
            const updated = await client.query(
              `UPDATE bench_pointer SET metadata_location = $2 WHERE table_id = $1 AND metadata_location = $3`,
              [table, next, expected],
            );
            await client.query(`INSERT INTO bench_commit (id, table_id, parent_id, metadata_location) VALUES ($1, $2, $3, $4)`, [
              id,
              table,
              parent,
              next,
            ]);
            if (withBranchHead) await client.query(`UPDATE bench_branch SET head = $1 WHERE id = 1`, [id]);
            await client.query('COMMIT');
            latencies.push(performance.now() - t0);
            if (updated.rowCount !== 1) errors++;
            expected = next;
            parent = id;
          }
        } finally {
          client.release();
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    const requests = latencies.length - errors;
    return { perSecond: requests / elapsed, requests, ...percentiles(latencies), errors };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

async function commitMetrics(service: ServiceProcess): Promise<{ conflicts: number; retries: number }> {
  const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((n, line) => n + Number(line.split(' ').pop()), 0);
  return { conflicts: sum('pangolin_table_commit_conflicts_total'), retries: sum('pangolin_table_commit_retries_total') };
}

/** A node:http server in its own process answering fixed paths with fixed bytes. */
async function startBareServer(routes: Record<string, Buffer>): Promise<{ baseUrl: string; pid: number; stop(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pangolin-bench-bare-'));
  const routesFile = path.join(dir, 'routes.json');
  await fs.writeFile(routesFile, JSON.stringify(Object.fromEntries(Object.entries(routes).map(([p, b]) => [p, b.toString('base64')]))));
  const script = `
    const http = require('node:http');
    const routes = JSON.parse(require('node:fs').readFileSync(process.env.BARE_ROUTES, 'utf8'));
    const bodies = new Map(Object.entries(routes).map(([p, b]) => [p, Buffer.from(b, 'base64')]));
    const server = http.createServer((req, res) => {
      const body = bodies.get(req.url);
      if (!body) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
  `;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { env: { ...process.env, BARE_ROUTES: routesFile }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString('utf8')).port));
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGKILL');
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** CPU time (ms) used during one measurement: the service process, every PostgreSQL process, this process. */
interface CpuUse {
  service: number;
  postgres: number;
  self: number;
}

/** Linux only (reads /proc); elsewhere the measurement runs without CPU accounting. */
async function withCpu<T>(into: CpuUse[], servicePid: number, run: () => Promise<T>): Promise<T> {
  if (process.platform !== 'linux') return run();
  const before = cpuSnapshot(servicePid);
  const result = await run();
  const after = cpuSnapshot(servicePid);
  into.push({ service: after.service - before.service, postgres: after.postgres - before.postgres, self: after.self - before.self });
  return result;
}

function cpuSnapshot(servicePid: number): CpuUse {
  const ticksPerMs = 100 / 1000; // USER_HZ = 100 on Linux
  /** utime + stime; with `reapedChildren`, plus the time of its children that have ended (cutime + cstime). */
  const ticksOf = (pid: string, reapedChildren = false): number => {
    try {
      const stat = fsSync.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const own = Number(fields[11]) + Number(fields[12]);
      return reapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own;
    } catch {
      return 0; // the process ended
    }
  };
  let postgres = 0;
  for (const pid of fsSync.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // A backend that ends during the window takes its CPU time along; the postmaster that reaps it adds it
      // to its children's time, which is counted here too.
      if (fsSync.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) postgres += ticksOf(pid, true);
    } catch {
      // gone meanwhile
    }
  }
  return {
    service: ticksOf(String(servicePid)) / ticksPerMs,
    postgres: postgres / ticksPerMs,
    self: ticksOf(String(process.pid)) / ticksPerMs,
  };
}

function percentiles(latencies: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function fmt(value: number, digits = 0): string {
  return value.toFixed(digits);
}

function log(message: string): void {
  process.stderr.write(`[bench:http] ${message}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
