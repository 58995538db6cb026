/**
 * History and branching benchmark, side by side in one run. Not part of `npm test`.
 *
 *   npm run bench:history                                   # sqlite, postgres (embedded, started here), memory
 *   PANGOLIN_TEST_MONGODB_URI=mongodb://… npm run bench:history   # adds mongodb
 *   BENCH_DEPTHS=1000,10000 BENCH_ASSETS=1000 BENCH_BACKENDS=sqlite npm run bench:history
 *
 * 1. list_commits: the newest 100 commits of a history D commits deep (D = 1k, 10k, 100k), read
 *    - ancestry: with ONE CommitsPort.getCommitAncestry(head, 100) call (recursive CTE / $graphLookup);
 *    - walk:     one CommitsPort.getCommit per commit, following parent ids (the loop it replaces).
 *    One chain of max(D) commits is imported with CommitsPort.importCommits; depth D is measured from the
 *    commit that has exactly D commits in its ancestry, so every depth reads the same table.
 * 2. branch creation with N assets on main (N = 1k, 10k):
 *    - http: POST /api/v1/branches on the real application (catalog check, createBranch = branch row and
 *            bulk copy in one transaction, the new branch's asset names, the JSON response);
 *    - bulk: AssetsPort.copyAssetsBulk alone onto a new branch.
 * Times are medians over the repetitions. Targets: ancestry >= 20x faster than the walk at depth 10k on SQL;
 * HTTP branch creation within 2x of copyAssetsBulk alone.
 */
import { BENCH_NAMESPACES, seedCatalogWithTables } from './support/seed-tables';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';
import { DEFAULT_TENANT_ID, type Commit } from '../src/persistence/models';
import { openPersistence } from '../src/persistence/open-persistence';
import type { PersistencePorts } from '../src/persistence/persistence-ports';
import { startEmbeddedPostgres } from '../test/support/servers/postgres-server';

const DEPTHS = (process.env.BENCH_DEPTHS ?? '1000,10000,100000').split(',').map(Number);
const ASSET_COUNTS = (process.env.BENCH_ASSETS ?? '1000,10000').split(',').map(Number);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres,memory,mongodb').split(',');
const PAGE = 100;
const IMPORT_CHUNK = 5_000;
const ANCESTRY_REPS = 15;
const WALK_REPS = 5;
const BRANCH_REPS = 5;
/** Same reasoning as bench/branch-copy.ts: the seeding commits are many; their WAL flushes are not measured. */
const POSTGRES_FLAGS = ['-c', 'synchronous_commit=off'];

interface HistoryRow {
  backend: string;
  depth: number;
  ancestryMs: number;
  walkMs: number;
}

interface BranchRow {
  backend: string;
  assets: number;
  httpMs: number;
  bulkMs: number;
}

interface Backend {
  name: string;
  databaseUrl: string;
  ports: PersistencePorts;
}

async function main(): Promise<void> {
  const started = Date.now();
  const historyRows: HistoryRow[] = [];
  const branchRows: BranchRow[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const run = async (backend: Backend) => {
    try {
      historyRows.push(...(await benchHistory(backend)));
      branchRows.push(...(await benchBranchCreation(backend)));
    } finally {
      await backend.ports.health.close();
    }
  };
  try {
    if (BACKENDS.includes('sqlite')) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pangolin-bench-history-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'bench.db');
      await run({ name: 'sqlite', databaseUrl: `sqlite://${file}`, ports: await openPersistence({ kind: 'sqlite', file }, { runMigrations: true }) });
    }
    if (BACKENDS.includes('postgres')) {
      log('starting embedded PostgreSQL');
      const postgres = await startEmbeddedPostgres(POSTGRES_FLAGS);
      cleanups.push(postgres.stop);
      const db = { kind: 'postgres' as const, url: postgres.url, maxConnections: 4, minConnections: 1, connectTimeoutMs: 10_000 };
      await run({ name: 'postgres', databaseUrl: postgres.url, ports: await openPersistence(db, { runMigrations: true }) });
    }
    if (BACKENDS.includes('memory')) {
      await run({ name: 'memory', databaseUrl: 'memory://', ports: await openPersistence({ kind: 'memory' }, { runMigrations: true }) });
    }
    const mongoUri = process.env.PANGOLIN_TEST_MONGODB_URI;
    if (BACKENDS.includes('mongodb')) {
      if (mongoUri) {
        const dbName = `pangolin_bench_${randomUUID().slice(0, 8)}`;
        const ports = await openPersistence({ kind: 'mongodb', url: mongoUri, dbName }, { runMigrations: true });
        await run({ name: 'mongodb', databaseUrl: mongoUri, ports });
      } else {
        log('mongodb skipped: PANGOLIN_TEST_MONGODB_URI is not set');
      }
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => log(`cleanup failed: ${String(e)}`));
  }
  printTables(historyRows, branchRows);
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Imports one chain of max(DEPTHS) commits, then reads 100 commits from each depth both ways. */
async function benchHistory(backend: Backend): Promise<HistoryRow[]> {
  const tenantId = randomUUID();
  const total = Math.max(...DEPTHS);
  log(`${backend.name}: importing ${total} commits`);
  const ids: string[] = [];
  let parentId: string | null = null;
  for (let start = 0; start < total; start += IMPORT_CHUNK) {
    const chunk: Commit[] = [];
    for (let i = start; i < Math.min(total, start + IMPORT_CHUNK); i++) {
      const id = randomUUID();
      chunk.push(syntheticCommit(tenantId, id, parentId, i));
      ids.push(id);
      parentId = id;
    }
    await backend.ports.commits.importCommits(tenantId, chunk);
  }
  const rows: HistoryRow[] = [];
  for (const depth of DEPTHS) {
    // ids[depth - 1] has exactly `depth` commits in its ancestry (itself included).
    const head = ids[depth - 1];
    const ancestry = await repeat(ANCESTRY_REPS, async () => {
      const commits = await backend.ports.commits.getCommitAncestry(tenantId, head, PAGE);
      check(commits, head, backend.name);
    });
    const walk = await repeat(WALK_REPS, async () => {
      const commits: Commit[] = [];
      let next: string | null = head;
      while (next && commits.length < PAGE) {
        const commit = await backend.ports.commits.getCommit(tenantId, next);
        if (!commit) break;
        commits.push(commit);
        next = commit.parentId;
      }
      check(commits, head, backend.name);
    });
    rows.push({ backend: backend.name, depth, ancestryMs: ancestry, walkMs: walk });
    log(`${backend.name} depth=${depth}: ancestry ${ancestry.toFixed(2)} ms, walk ${walk.toFixed(2)} ms`);
  }
  return rows;
}

function syntheticCommit(tenantId: string, id: string, parentId: string | null, i: number): Commit {
  const namespace = BENCH_NAMESPACES[i % BENCH_NAMESPACES.length];
  const name = `table_${String(i % 500).padStart(3, '0')}`;
  return {
    id,
    tenantId,
    parentId,
    timestamp: 1_700_000_000_000 + i,
    author: 'bench',
    message: `Commit table ${namespace.join('.')}.${name}`,
    operations: [
      {
        Put: {
          asset: {
            id: randomUUID(),
            name,
            namespace,
            kind: 'ICEBERG_TABLE',
            location: `s3://warehouse/${namespace.join('/')}/${name}`,
            properties: { metadata_location: `s3://warehouse/${namespace.join('/')}/${name}/metadata/${i}.metadata.json` },
          },
        },
      },
    ],
  };
}

function check(commits: Commit[], head: string, backend: string): void {
  if (commits.length !== PAGE || commits[0].id !== head) {
    throw new Error(`${backend}: read ${commits.length} commits from ${head}, expected ${PAGE} starting there`);
  }
  for (let i = 0; i + 1 < commits.length; i++) {
    if (commits[i].parentId !== commits[i + 1].id) throw new Error(`${backend}: ancestry out of order at ${i}`);
  }
}

/** The real application on this backend, listening on a free port. */
async function startApp(backend: Backend, dataDir: string): Promise<{ app: NestExpressApplication; baseUrl: string }> {
  const config = loadConfig({
    DATABASE_URL: backend.databaseUrl,
    PANGOLIN_DATA_DIR: dataDir,
    PANGOLIN_NO_AUTH: 'true',
    PANGOLIN_METADATA_WORKERS: '0',
    LOG_LEVEL: 'silent',
    PORT: '0',
    PANGOLIN_HOST: '127.0.0.1',
  });
  const app = await createApp(config, { persistence: backend.ports });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

async function benchBranchCreation(backend: Backend): Promise<BranchRow[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pangolin-bench-app-'));
  const { app, baseUrl } = await startApp(backend, dataDir);
  const rows: BranchRow[] = [];
  try {
    for (const n of ASSET_COUNTS) {
      const catalog = await seedCatalog(backend.ports, n);
      let branchNumber = 0;
      // http and bulk alternate which goes first, so neither always runs on the warmer cache.
      const http: number[] = [];
      const bulk: number[] = [];
      for (let rep = 0; rep < BRANCH_REPS; rep++) {
        const order = rep % 2 === 0 ? ['http', 'bulk'] : ['bulk', 'http'];
        for (const method of order) {
          const dest = `b${branchNumber++}`;
          if (method === 'http') {
            http.push(
              await time(async () => {
                const res = await fetch(`${baseUrl}/api/v1/branches`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ name: dest, catalog }),
                });
                const body = (await res.json()) as { assets?: string[] };
                if (res.status !== 201 || body.assets?.length !== n) {
                  throw new Error(`${backend.name}: branch creation answered ${res.status} with ${body.assets?.length} assets`);
                }
              }),
            );
          } else {
            bulk.push(
              await time(async () => {
                const copied = await backend.ports.assets.copyAssetsBulk(DEFAULT_TENANT_ID, catalog, 'main', dest);
                if (copied !== n) throw new Error(`${backend.name}: copied ${copied} rows instead of ${n}`);
              }),
            );
          }
        }
      }
      const row = { backend: backend.name, assets: n, httpMs: median(http), bulkMs: median(bulk) };
      rows.push(row);
      log(`${backend.name} assets=${n}: http ${row.httpMs.toFixed(1)} ms, bulk ${row.bulkMs.toFixed(1)} ms`);
    }
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

/** A catalog of the default tenant (the NO-AUTH caller's) whose main branch holds `n` tables. */
async function seedCatalog(ports: PersistencePorts, n: number): Promise<string> {
  const catalogName = `bench-${n}-${randomUUID().slice(0, 8)}`;
  await seedCatalogWithTables(ports, DEFAULT_TENANT_ID, catalogName, n);
  return catalogName;
}

async function repeat(reps: number, fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up (statement preparation, caches), not measured
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await time(fn));
  return median(times);
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function printTables(historyRows: HistoryRow[], branchRows: BranchRow[]): void {
  console.log('');
  console.log('list_commits (newest 100 commits)');
  printTable(
    ['backend', 'depth', 'ancestry ms', 'walk ms', 'walk/ancestry'],
    historyRows.map((r) => [
      r.backend,
      String(r.depth),
      r.ancestryMs.toFixed(2),
      r.walkMs.toFixed(2),
      `${(r.walkMs / r.ancestryMs).toFixed(1)}x`,
    ]),
  );
  console.log('walk/ancestry: how many times faster one getCommitAncestry is than 100 getCommit calls (target >= 20x at 10k on SQL).');
  console.log('');
  console.log('branch creation');
  printTable(
    ['backend', 'assets', 'http ms', 'bulk ms', 'http/bulk'],
    branchRows.map((r) => [r.backend, String(r.assets), r.httpMs.toFixed(1), r.bulkMs.toFixed(1), `${(r.httpMs / r.bulkMs).toFixed(2)}x`]),
  );
  console.log('http/bulk: POST /api/v1/branches over copyAssetsBulk alone (target <= 2x).');
}

function printTable(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => '| ' + cells.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  console.log(format(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const line of lines) console.log(format(line));
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
