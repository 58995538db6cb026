/**
 * Metadata benchmark: loadTable and commit on 1 MB, 10 MB and 30 MB table metadata, with the metadata
 * worker pool and with all JSON work on the main thread, plus loadTable against a bare node:http server
 * sending the same bytes from memory, side by side in one run. Not part of `npm test`.
 *
 *   npm run bench:metadata
 *   BENCH_SIZES_MB=1,10 BENCH_SECONDS=5 BENCH_CLIENTS=4 npm run bench:metadata
 *
 * Every server under test runs in its own child process (the real application built by createApp on the
 * memory backend with a local-filesystem warehouse, or the bare server), and so does the /health/live
 * probe, so the load generator in this process never distorts the probe's latencies. For each size:
 * - load:   BENCH_CLIENTS keep-alive clients GET the table for BENCH_SECONDS (bytes served from the
 *           metadata byte cache, spliced into the response, never parsed); requests/s and probe p99;
 * - commit: BENCH_CLIENTS clients each commit `set-properties` to their own table of that size (parse,
 *           apply, validate, serialize, write the new file, swap the pointer); commits/s and probe p99;
 * - bare:   the same GET load against a node:http server answering the identical LoadTableResult bytes.
 * - floor:  a control for the probe: a bare node:http server whose process runs the same metadata worker
 *           pool (same threads, same nice value) on the same commit chain (BENCH_CLIENTS concurrent
 *           `set-properties` commits on the document, each on the previous result), with no HTTP request,
 *           file or database work at all. Its probe p99 is what this machine gives any server while that
 *           JSON work saturates the cores: the floor under the service's commit probe.
 * Modes: `pool` (PANGOLIN_METADATA_WORKERS=2, or BENCH_POOL_WORKERS; default inline threshold) and `main-thread`
 * (PANGOLIN_METADATA_WORKERS=0: everything inline). The probe sends GET /health/live every 10 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const SIZES_MB = (process.env.BENCH_SIZES_MB ?? '1,10,30').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const PROBE_INTERVAL_MS = 10;
/** BENCH_SCENARIOS=load limits the run to some scenarios (load, commit, bare, floor). */
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'load,commit,bare,floor').split(','));
const CATALOG = 'bench';
const NAMESPACE = 'ns';
const REGISTER = path.join(__dirname, 'register-ts.js');
/** How a child announces its port on stdout (the application may print other lines). */
const PORT_LINE = 'bench-port ';
const ELD_LINE = 'bench-eld ';
const BURNED_LINE = 'bench-burned ';

type Mode = 'pool' | 'main-thread';
const ALL_MODES: Record<Mode, Record<string, string>> = {
  pool: { PANGOLIN_METADATA_WORKERS: process.env.BENCH_POOL_WORKERS ?? '2' },
  'main-thread': { PANGOLIN_METADATA_WORKERS: '0' },
};
/** BENCH_MODES=pool limits the run to some modes. */
const MODES = Object.fromEntries(
  (process.env.BENCH_MODES ?? Object.keys(ALL_MODES).join(',')).split(',').map((m) => [m, ALL_MODES[m as Mode]]),
) as Partial<Record<Mode, Record<string, string>>>;

interface Measured {
  seconds: number;
  requests: number;
  errors: number;
  perSecond: number;
  probeP50: number;
  probeP99: number;
  probeMax: number;
  /** The server's own event-loop delay over the window. */
  eventLoopP99: number;
  eventLoopMax: number;
}

interface Row {
  sizeMb: number;
  actualMb: number;
  scenario: string;
  measured: Measured;
}

// ---------------------------------------------------------------------------------------------------------
// Child process roles

/** The real application on the memory backend; prints its port, runs until stdin closes. */
async function serveApplication(): Promise<void> {
  // As src/main.ts does first thing: size libuv's thread pool before anything uses it.
  await import('../src/threadpool-size');
  const { createApp } = await import('../src/app.factory');
  const { loadConfig } = await import('../src/config/config');
  const config = loadConfig({ ...process.env, DATABASE_URL: 'memory://', LOG_LEVEL: 'silent', PANGOLIN_NO_AUTH: 'true' });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  reportPortAndWaitForStdin(app.getHttpServer() as http.Server, () => app.close());
}

/** A bare node:http server answering every request with the bytes of one file, read once into memory. */
function serveBare(file: string): void {
  const body = fs.readFileSync(file);
  const alive = Buffer.from('{"status":"alive"}');
  const server = http.createServer((req, res) => {
    req.resume();
    // The probe gets a probe answer, not the document.
    const answer = req.url === '/health/live' ? alive : body;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length });
    res.end(answer);
  });
  server.listen(0, '127.0.0.1', () => reportPortAndWaitForStdin(server, async () => server.close()));
}

/**
 * The probe's control: a bare server answering /health/live, in a process that also runs the service's
 * metadata worker pool (configured from the same environment as the service) on `burn` commands.
 */
async function serveFloor(): Promise<void> {
  await import('../src/threadpool-size');
  const { MetadataWorkerPool } = await import('../src/metadata-workers/metadata-worker-pool');
  const { loadConfig } = await import('../src/config/config');
  const pool = MetadataWorkerPool.create(loadConfig({ ...process.env, DATABASE_URL: 'memory://' }).metadata);
  const alive = Buffer.from('{"status":"alive"}');
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': alive.length });
    res.end(alive);
  });
  // `burn <ms> <location> <file>`: CLIENTS chains of commits for <ms>, each on the previous result. The
  // chains go on from one burn to the next and, as in the service's cache, their documents stay in shared
  // memory, so the worker reads them without a copy on this thread.
  const chains: Uint8Array[] = [];
  const burn = async (args: string[]) => {
    const [ms, location, file] = [Number(args[0]), args[1], args.slice(2).join(' ')];
    if (chains.length === 0) {
      const first = fs.readFileSync(file);
      const shared = new Uint8Array(new SharedArrayBuffer(first.byteLength));
      shared.set(first);
      for (let client = 0; client < CLIENTS; client++) chains.push(shared);
    }
    const end = Date.now() + ms;
    let commits = 0;
    await Promise.all(
      chains.map(async (_, client) => {
        for (let n = 0; Date.now() < end; n++) {
          const current = chains[client];
          const body = Buffer.from(`{"requirements":[],"updates":[{"action":"set-properties","updates":{"bench.counter":"${n}"}}]}`);
          chains[client] = (await pool.commitTable({ bytes: current, location }, body, { nowMs: Date.now() })).metadataBytes;
          commits++;
        }
      }),
    );
    process.stdout.write(`${BURNED_LINE}${commits}\n`);
  };
  server.listen(0, '127.0.0.1', () =>
    reportPortAndWaitForStdin(server, () => pool.destroy().then(() => server.close()), (command, args) => {
      if (command === 'burn') void burn(args);
    }),
  );
}

/** Sends GET /health/live every PROBE_INTERVAL_MS for `durationMs`; prints the latencies (ms) as JSON. */
function probe(baseUrl: string, durationMs: number): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const end = Date.now() + durationMs;
  const once = () => {
    if (Date.now() >= end) {
      process.stdout.write(`${JSON.stringify(latencies)}\n`);
      agent.destroy();
      return;
    }
    const started = process.hrtime.bigint();
    const req = http.get(`${baseUrl}/health/live`, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        setTimeout(once, PROBE_INTERVAL_MS);
      });
    });
    req.on('error', () => setTimeout(once, PROBE_INTERVAL_MS));
  };
  once();
}

/**
 * Announces the port, then serves stdin commands: `reset` / `report` of the event-loop delay histogram
 * (how long the main thread could not react: what a blocking parse costs every other request), answered
 * on stdout as `bench-eld {"p50":…,"p99":…,"max":…}` in ms. Exits when stdin closes.
 */
function reportPortAndWaitForStdin(
  server: http.Server,
  close: () => Promise<unknown>,
  onCommand: (command: string, args: string[]) => void = () => undefined,
): void {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const { port } = server.address() as { port: number };
  process.stdout.write(`${PORT_LINE}${port}\n`);
  let pending = '';
  process.stdin.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const [command, ...args] = pending.slice(0, newline).trim().split(' ');
      pending = pending.slice(newline + 1);
      onCommand(command, args);
      if (command === 'reset') delay.reset();
      if (command === 'report') {
        const ms = (ns: number) => ns / 1e6;
        const report = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
        process.stdout.write(`${ELD_LINE}${JSON.stringify(report)}\n`);
      }
    }
  });
  process.stdin.on('end', () => {
    void close().finally(() => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Orchestration (parent process)

interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
}

interface Child {
  process: ChildProcess;
  baseUrl: string;
  resetEventLoopDelay(): void;
  eventLoopDelay(): Promise<EventLoopDelay>;
  /** Floor child only: runs the commit chains for `ms`, resolves with the number of commits. */
  burn(ms: number, location: string, file: string): Promise<number>;
  stop(): Promise<void>;
}

function startChild(args: string[], env: Record<string, string> = {}): Promise<Child> {
  // BENCH_PROFILE_DIR: write a CPU profile of every server process (main thread and workers) there.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '-r', REGISTER, __filename, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((report: EventLoopDelay) => void)[] = [];
  const burning: ((commits: number) => void)[] = [];
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`child ${args[0]} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      let newline: number;
      while ((newline = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, newline);
        out = out.slice(newline + 1);
        if (line.startsWith(ELD_LINE)) waiting.shift()?.(JSON.parse(line.slice(ELD_LINE.length)) as EventLoopDelay);
        if (line.startsWith(BURNED_LINE)) burning.shift()?.(Number(line.slice(BURNED_LINE.length)));
        if (!line.startsWith(PORT_LINE)) continue;
        child.removeAllListeners('exit');
        resolve({
          process: child,
          baseUrl: `http://127.0.0.1:${Number(line.slice(PORT_LINE.length))}`,
          resetEventLoopDelay: () => child.stdin!.write('reset\n'),
          eventLoopDelay: () =>
            new Promise((done) => {
              waiting.push(done);
              child.stdin!.write('report\n');
            }),
          burn: (ms, location, file) =>
            new Promise((done) => {
              burning.push(done);
              child.stdin!.write(`burn ${ms} ${location} ${file}\n`);
            }),
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.stdin!.end();
            }),
        });
      }
    });
  });
}

function runProbe(baseUrl: string, durationMs: number): Promise<number[]> {
  const child = spawn(process.execPath, ['-r', REGISTER, __filename, '--probe', baseUrl, String(durationMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`probe exited ${code}`))));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(
  baseUrl: string,
  method: string,
  urlPath: string,
  body?: string | Buffer,
): Promise<{ status: number; bytes: number; text?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl}${urlPath}`,
      {
        method,
        agent,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const keepText = (res.statusCode ?? 0) >= 300;
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keepText) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, text: keepText ? Buffer.concat(chunks).toString() : undefined }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function expectOk(baseUrl: string, method: string, urlPath: string, body?: string): Promise<number> {
  const res = await request(baseUrl, method, urlPath, body);
  if (res.status >= 300) throw new Error(`${method} ${urlPath}: ${res.status} ${res.text?.slice(0, 500)}`);
  return res.bytes;
}

/** A commit adding chained snapshots until the metadata document reaches about `sizeMb`. */
function growCommit(tableLocation: string, sizeMb: number): string {
  const padding = 'p'.repeat(900);
  const count = Math.ceil((sizeMb * 1024 * 1024) / 1150);
  const updates: string[] = [];
  const now = Date.now();
  let parent: bigint | null = null;
  let id = 0n;
  for (let i = 0; i < count; i++) {
    id = 6_000_000_000_000_000_000n + BigInt(i);
    updates.push(
      `{"action":"add-snapshot","snapshot":{"snapshot-id":${id}${parent === null ? '' : `,"parent-snapshot-id":${parent}`},` +
        `"sequence-number":${i + 1},"timestamp-ms":${now + i},"manifest-list":"${tableLocation}/metadata/snap-${id}.avro",` +
        `"summary":{"operation":"append","padding":"${padding}"},"schema-id":0}}`,
    );
    parent = id;
  }
  updates.push(`{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":${id}}`);
  return `{"requirements":[],"updates":[${updates.join(',')}]}`;
}

const tablesPath = `/v1/${CATALOG}/namespaces/${NAMESPACE}/tables`;

async function seedTables(baseUrl: string, sizeMb: number, names: string[]): Promise<number> {
  let loadBytes = 0;
  for (const name of names) {
    const created = await request(
      baseUrl,
      'POST',
      tablesPath,
      JSON.stringify({ name, schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] } }),
    );
    if (created.status !== 200) throw new Error(`create ${name}: ${created.status}`);
    const location = (await tableLocation(baseUrl, name)).location;
    await expectOk(baseUrl, 'POST', `${tablesPath}/${name}`, growCommit(location, sizeMb));
    loadBytes = await expectOk(baseUrl, 'GET', `${tablesPath}/${name}`);
  }
  return loadBytes;
}

async function tableLocation(baseUrl: string, name: string): Promise<{ location: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${baseUrl}${tablesPath}/${name}`, { agent }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ location: (JSON.parse(text) as { metadata: { location: string } }).metadata.location }));
      })
      .on('error', reject);
  });
}

/** The floor child burns for SECONDS while the probe runs against its bare server. */
async function measureFloor(floor: Child, location: string, file: string): Promise<Measured> {
  const durationMs = SECONDS * 1000;
  floor.resetEventLoopDelay();
  const started = Date.now();
  const [latencies, commits] = await Promise.all([runProbe(floor.baseUrl, durationMs), floor.burn(durationMs, location, file)]);
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const eventLoop = await floor.eventLoopDelay();
  return {
    seconds: elapsed,
    requests: commits,
    errors: 0,
    perSecond: commits / elapsed,
    probeP50: percentile(latencies, 0.5),
    probeP99: percentile(latencies, 0.99),
    probeMax: latencies[latencies.length - 1] ?? NaN,
    eventLoopP99: eventLoop.p99,
    eventLoopMax: eventLoop.max,
  };
}

/** Runs `CLIENTS` closed-loop clients for SECONDS while the probe runs; returns throughput and probe latency. */
async function measure(
  server: Child,
  oneRequest: (client: number, n: number) => Promise<boolean>,
  parts = 1,
): Promise<Measured> {
  const durationMs = (SECONDS * 1000) / parts;
  server.resetEventLoopDelay();
  const probeDone = runProbe(server.baseUrl, durationMs);
  const started = Date.now();
  let requests = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      let n = 0;
      while (Date.now() - started < durationMs) {
        if (await oneRequest(client, n++)) requests++;
        else errors++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const latencies = (await probeDone).sort((a, b) => a - b);
  const eventLoop = await server.eventLoopDelay();
  return {
    seconds: elapsed,
    eventLoopP99: eventLoop.p99,
    eventLoopMax: eventLoop.max,
    requests,
    errors,
    perSecond: requests / elapsed,
    probeP50: percentile(latencies, 0.5),
    probeP99: percentile(latencies, 0.99),
    probeMax: latencies[latencies.length - 1] ?? NaN,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/**
 * One size: for each mode a fresh server is seeded and measured. While the first server is up, the bare
 * server runs next to it and the two loadTable measurements alternate in half-length rounds, so machine
 * noise (this runs on shared hardware) hits both alike; the ratio compares those interleaved rounds.
 */
async function benchSize(sizeMb: number, rows: Row[]): Promise<void> {
  const loadTables = ['load_t'];
  const commitTables = Array.from({ length: CLIENTS }, (_, i) => `commit_t${i}`);
  let bareDone = !SCENARIOS.has('bare');
  for (const mode of Object.keys(MODES) as Mode[]) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pangolin-bench-metadata-'));
    const server = await startChild(['--serve'], { ...MODES[mode]!, PANGOLIN_DATA_DIR: dataDir });
    let bare: Child | null = null;
    const responseFile = path.join(os.tmpdir(), `pangolin-bench-load-${process.pid}-${sizeMb}.json`);
    try {
      await expectOk(server.baseUrl, 'POST', '/api/v1/catalogs', JSON.stringify({ name: CATALOG }));
      await expectOk(server.baseUrl, 'POST', `/v1/${CATALOG}/namespaces`, JSON.stringify({ namespace: [NAMESPACE] }));
      const loadBytes = await seedTables(server.baseUrl, sizeMb, [...loadTables, ...commitTables]);
      const actualMb = loadBytes / 1024 / 1024;

      // Warm-up: connections open, worker threads started and compiled, code paths optimised.
      for (let i = 0; i < CLIENTS * 2; i++) await expectOk(server.baseUrl, 'GET', `${tablesPath}/load_t`);
      for (const table of commitTables) {
        await expectOk(server.baseUrl, 'POST', `${tablesPath}/${table}`, '{"requirements":[],"updates":[{"action":"set-properties","updates":{"warm":"up"}}]}');
      }

      const loadOnce = () => measure(server, async () => (await request(server.baseUrl, 'GET', `${tablesPath}/load_t`)).status === 200, 2);
      if (!bareDone) {
        // The bare server answers exactly the bytes this server answers for the table.
        fs.writeFileSync(responseFile, await fetchBytes(`${server.baseUrl}${tablesPath}/load_t`));
        bare = await startChild(['--bare', responseFile]);
        const bareServer = bare;
        const bareOnce = () => measure(bareServer, async () => (await request(bareServer.baseUrl, 'GET', '/')).status === 200, 2);
        const ours: Measured[] = [];
        const theirs: Measured[] = [];
        for (let round = 0; round < 2; round++) {
          ours.push(await loadOnce());
          theirs.push(await bareOnce());
        }
        rows.push({ sizeMb, actualMb, scenario: `loadTable   ${mode}`, measured: combine(ours) });
        rows.push({ sizeMb, actualMb, scenario: 'loadTable   bare node:http', measured: combine(theirs) });
        bareDone = true;
      } else if (SCENARIOS.has('load')) {
        rows.push({ sizeMb, actualMb, scenario: `loadTable   ${mode}`, measured: combine([await loadOnce(), await loadOnce()]) });
      }
      if (SCENARIOS.has('commit')) {
        const commit = await measure(server, async (client, n) => {
          const body = `{"requirements":[],"updates":[{"action":"set-properties","updates":{"bench.counter":"${n}"}}]}`;
          return (await request(server.baseUrl, 'POST', `${tablesPath}/${commitTables[client]}`, body)).status === 200;
        });
        rows.push({ sizeMb, actualMb, scenario: `commit      ${mode}`, measured: commit });
      }
      if (SCENARIOS.has('floor') && mode === 'pool') {
        // The control runs on the current document of a commit table, read from its file.
        const location = metadataLocationOf(await fetchBytes(`${server.baseUrl}${tablesPath}/${commitTables[0]}`));
        const floor = await startChild(['--floor'], MODES.pool!);
        try {
          // Warm-up, as for the service: worker threads started and compiled, the document in shared memory.
          await floor.burn(1000, location, fileOf(location));
          const measured = await measureFloor(floor, location, fileOf(location));
          rows.push({ sizeMb, actualMb, scenario: 'commit JSON only: bare node:http + pool (floor)', measured });
        } finally {
          await floor.stop();
        }
      }
    } finally {
      await bare?.stop();
      fs.rmSync(responseFile, { force: true });
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

/** Rounds of one scenario as one measurement: summed throughput, the worst latencies. */
function combine(rounds: Measured[]): Measured {
  const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  const worst = (pick: (m: Measured) => number) => Math.max(...rounds.map(pick));
  return {
    seconds,
    requests,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    perSecond: requests / seconds,
    probeP50: worst((m) => m.probeP50),
    probeP99: worst((m) => m.probeP99),
    probeMax: worst((m) => m.probeMax),
    eventLoopP99: worst((m) => m.eventLoopP99),
    eventLoopMax: worst((m) => m.eventLoopMax),
  };
}

/** `metadata-location` leads a LoadTableResult; read it without parsing the document. */
function metadataLocationOf(loadTableResult: Buffer): string {
  const match = /"metadata-location":"([^"]+)"/.exec(loadTableResult.subarray(0, 4096).toString());
  if (!match) throw new Error('no metadata-location in the LoadTableResult');
  return match[1];
}

function fileOf(location: string): string {
  return location.startsWith('file://') ? new URL(location).pathname : location;
}

function fetchBytes(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      })
      .on('error', reject);
  });
}

function printTable(rows: Row[]): void {
  const header = ['size', 'scenario', 'req/s', 'ok', 'errors', 'probe p50 ms', 'probe p99 ms', 'probe max ms', 'loop delay p99 ms', 'loop delay max ms'];
  const lines = rows.map((r) => [
    `${r.sizeMb} MB (${r.actualMb.toFixed(1)})`,
    r.scenario,
    r.measured.perSecond.toFixed(1),
    String(r.measured.requests),
    String(r.measured.errors),
    r.measured.probeP50.toFixed(2),
    r.measured.probeP99.toFixed(2),
    r.measured.probeMax.toFixed(2),
    r.measured.eventLoopP99.toFixed(2),
    r.measured.eventLoopMax.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
  console.log('');
  for (const sizeMb of SIZES_MB) {
    const of = (scenario: string) => rows.find((r) => r.sizeMb === sizeMb && r.scenario === scenario)?.measured;
    const bare = of('loadTable   bare node:http');
    const pool = of('loadTable   pool');
    const poolCommit = of('commit      pool');
    const inlineCommit = of('commit      main-thread');
    const floor = of('commit JSON only: bare node:http + pool (floor)');
    if (bare && pool) console.log(`${sizeMb} MB: loadTable (pool) / bare node:http = ${(pool.perSecond / bare.perSecond).toFixed(2)}x`);
    if (poolCommit && inlineCommit) {
      console.log(
        `${sizeMb} MB: /health/live p99 while ${CLIENTS} clients commit: pool ${poolCommit.probeP99.toFixed(2)} ms, ` +
          `main thread ${inlineCommit.probeP99.toFixed(2)} ms (server event-loop delay p99: pool ` +
          `${poolCommit.eventLoopP99.toFixed(2)} ms, main thread ${inlineCommit.eventLoopP99.toFixed(2)} ms)`,
      );
    }
    if (poolCommit && floor) {
      console.log(
        `${sizeMb} MB: /health/live p99 of a bare node:http server while the same pool runs the same commits ` +
          `(no HTTP, files or database): ${floor.probeP99.toFixed(2)} ms, against ${poolCommit.probeP99.toFixed(2)} ms ` +
          'for the service: the part of the probe latency that is this machine under that JSON load',
      );
    }
  }
}

async function main(): Promise<void> {
  console.log(
    `metadata benchmark: sizes ${SIZES_MB.join(', ')} MB, ${CLIENTS} clients, ${SECONDS} s per scenario, ` +
      `probe every ${PROBE_INTERVAL_MS} ms, ${os.cpus().length} CPUs, node ${process.version}`,
  );
  const rows: Row[] = [];
  for (const sizeMb of SIZES_MB) {
    await benchSize(sizeMb, rows);
    console.log(`... ${sizeMb} MB done`);
  }
  agent.destroy();
  printTable(rows);
}

const [role, ...args] = process.argv.slice(2);
if (role === '--serve') {
  void serveApplication();
} else if (role === '--bare') {
  serveBare(args[0]);
} else if (role === '--floor') {
  void serveFloor();
} else if (role === '--probe') {
  probe(args[0], Number(args[1]));
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
