/**
 * Branch-copy benchmark: copyAssetsBulk against the naive loop it replaces, and against the bare
 * INSERT ... SELECT statement, side by side in one run. Not part of `npm test`.
 *
 *   npm run bench:branch-copy                       # sqlite, postgres (embedded, started here), memory
 *   PANGOLIN_TEST_MONGODB_URI=mongodb://… npm run bench:branch-copy   # adds mongodb
 *   BENCH_SIZES=1000,10000 BENCH_BACKENDS=sqlite,postgres npm run bench:branch-copy
 *
 * For each backend and size N, a source branch of N assets (spread over 4 namespaces) is copied to a new
 * branch three ways:
 * - bulk:  ports.assets.copyAssetsBulk (one transaction; the copy is one INSERT ... SELECT on SQL);
 * - loop:  ports.assets.listAssets, then one INSERT per asset through the same driver (SQL: on the
 *          DataSource, each insert its own implicit transaction, as a loop of repository writes runs;
 *          memory and MongoDB have no lower-level insert, so the loop writes one commitChanges per asset);
 * - bare:  the copy's INSERT ... SELECT alone, executed directly on the DataSource (SQL only).
 * Statements are counted with a TypeORM logger. Times are medians over the repetitions (fewer at 50k).
 */
import { seedCatalogWithTables } from './support/seed-tables';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DataSource, Logger as TypeormLogger } from 'typeorm';
import type { Asset } from '../src/persistence/models';
import { openPersistence } from '../src/persistence/open-persistence';
import type { PersistencePorts } from '../src/persistence/persistence-ports';
import { namespaceColumns } from '../src/persistence/typeorm/namespace-keys';
import { ASSET_COLUMNS } from '../src/persistence/typeorm/typeorm-assets';
import { openTypeormBackend, SqlDatabaseConfig } from '../src/persistence/typeorm/typeorm-persistence';
import { startEmbeddedPostgres } from '../test/support/servers/postgres-server';

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,50000').split(',').map(Number);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres,memory,mongodb').split(',');
/**
 * The benchmark's PostgreSQL runs with the server defaults (every commit waits for its WAL flush), as SQLite
 * runs with the adapter's own settings (WAL, synchronous=FULL): the loop's N autocommitted inserts then cost
 * what they cost a real deployment. BENCH_PG_ASYNC_COMMIT=1 turns synchronous_commit off for a quicker run;
 * that favours the loop (N commits) far more than the bulk copy (one commit).
 */
const POSTGRES_FLAGS = process.env.BENCH_PG_ASYNC_COMMIT ? ['-c', 'synchronous_commit=off'] : [];
/** Rows per commitChanges while seeding (keeps each JSON parameter moderate). */

interface Measurement {
  ms: number;
  statements: number | null;
  rows: number;
}

interface ResultRow {
  backend: string;
  n: number;
  reps: number;
  bulk: Measurement;
  loop: Measurement;
  bare: Measurement | null;
}

/** Counts every statement TypeORM sends (BEGIN/COMMIT included). */
class StatementCounter implements TypeormLogger {
  count = 0;
  logQuery(): void {
    this.count++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

interface Backend {
  name: string;
  ports: PersistencePorts;
  /** SQL backends only. */
  sql?: { dataSource: DataSource; counter: StatementCounter; dialect: 'postgres' | 'sqlite' };
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const started = Date.now();
  const results: ResultRow[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    if (BACKENDS.includes('sqlite')) {
      const sqliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pangolin-bench-sqlite-'));
      cleanups.push(async () => fs.rmSync(sqliteDir, { recursive: true, force: true }));
      await runBackend(await openSql('sqlite', { kind: 'sqlite', file: path.join(sqliteDir, 'bench.db') }), results);
    }

    if (BACKENDS.includes('postgres')) {
      log('starting embedded PostgreSQL');
      const postgres = await startEmbeddedPostgres(POSTGRES_FLAGS);
      cleanups.push(postgres.stop);
      await runBackend(
        await openSql('postgres', {
          kind: 'postgres',
          url: postgres.url,
          maxConnections: 4,
          minConnections: 1,
          connectTimeoutMs: 10_000,
        }),
        results,
      );
    }

    if (BACKENDS.includes('memory')) {
      const ports = await openPersistence({ kind: 'memory' }, { runMigrations: true });
      await runBackend(await openPorts('memory', ports), results);
    }

    const mongoUri = process.env.PANGOLIN_TEST_MONGODB_URI;
    if (!BACKENDS.includes('mongodb')) {
      // not selected
    } else if (mongoUri) {
      const dbName = `pangolin_bench_${randomUUID().slice(0, 8)}`;
      const ports = await openPersistence({ kind: 'mongodb', url: mongoUri, dbName }, { runMigrations: true });
      await runBackend(await openPorts('mongodb', ports), results);
    } else {
      log('mongodb skipped: PANGOLIN_TEST_MONGODB_URI is not set');
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => log(`cleanup failed: ${String(e)}`));
  }
  printTable(results);
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function openSql(name: 'sqlite' | 'postgres', db: SqlDatabaseConfig): Promise<Backend> {
  const counter = new StatementCounter();
  const { ports, dataSource } = await openTypeormBackend(db, { runMigrations: true, logger: counter });
  return { name, ports, sql: { dataSource, counter, dialect: name }, close: () => ports.health.close() };
}

async function openPorts(name: string, ports: PersistencePorts): Promise<Backend> {
  return { name, ports, close: () => ports.health.close() };
}

async function runBackend(backend: Backend, results: ResultRow[]): Promise<void> {
  try {
    for (const n of SIZES) {
      const reps = n >= 50_000 ? 1 : 3;
      const seedStart = Date.now();
      const { tenantId, catalogName } = await seed(backend.ports, n);
      await settle(backend, true);
      log(`${backend.name} n=${n}: seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
      const bulk: Measurement[] = [];
      const loop: Measurement[] = [];
      const bare: Measurement[] = [];
      for (let rep = 0; rep < reps; rep++) {
        // bulk and bare alternate which goes first, so neither always runs on the warmer cache.
        const order = rep % 2 === 0 ? ['bulk', 'bare'] : ['bare', 'bulk'];
        for (const method of order) {
          await settle(backend, false);
          if (method === 'bulk') bulk.push(await measureBulk(backend, tenantId, catalogName, `bulk-${rep}`));
          else if (backend.sql) bare.push(await measureBare(backend, tenantId, catalogName, `bare-${rep}`));
        }
        await settle(backend, false);
        loop.push(await measureLoop(backend, tenantId, catalogName, `loop-${rep}`));
      }
      for (const m of [...bulk, ...loop, ...bare]) {
        if (m.rows !== n) throw new Error(`${backend.name}: copied ${m.rows} rows instead of ${n}`);
      }
      const row: ResultRow = {
        backend: backend.name,
        n,
        reps,
        bulk: median(bulk),
        loop: median(loop),
        bare: backend.sql ? median(bare) : null,
      };
      results.push(row);
      log(
        `${backend.name} n=${n}: bulk ${row.bulk.ms.toFixed(1)} ms, loop ${row.loop.ms.toFixed(1)} ms` +
          (row.bare ? `, bare ${row.bare.ms.toFixed(1)} ms` : ''),
      );
    }
  } finally {
    await backend.close();
  }
}

/**
 * Puts the SQL backend in the same state before every timed operation: the write-ahead log checkpointed
 * (so no measurement pays for an earlier one's checkpoint) and, after seeding, fresh planner statistics.
 */
async function settle(backend: Backend, analyze: boolean): Promise<void> {
  const sql = backend.sql;
  if (!sql) return;
  if (analyze) await sql.dataSource.query('ANALYZE');
  await sql.dataSource.query(sql.dialect === 'postgres' ? 'CHECKPOINT' : 'PRAGMA wal_checkpoint(TRUNCATE)');
}

/** A fresh tenant and catalog whose main branch holds `n` tables. */
async function seed(ports: PersistencePorts, n: number): Promise<{ tenantId: string; catalogName: string }> {
  const tenantId = randomUUID();
  const catalogName = `bench-${n}`;
  await ports.tenants.createTenant({ id: tenantId, name: `bench-${tenantId}`, properties: {} });
  await seedCatalogWithTables(ports, tenantId, catalogName, n);
  return { tenantId, catalogName };
}

async function measureBulk(backend: Backend, tenantId: string, catalogName: string, dest: string): Promise<Measurement> {
  const before = backend.sql?.counter.count ?? 0;
  const t0 = process.hrtime.bigint();
  const rows = await backend.ports.assets.copyAssetsBulk(tenantId, catalogName, 'main', dest);
  const ms = elapsedMs(t0);
  return { ms, rows, statements: backend.sql ? backend.sql.counter.count - before : null };
}

/** The naive copy: read every row, then write them back one by one. */
async function measureLoop(backend: Backend, tenantId: string, catalogName: string, dest: string): Promise<Measurement> {
  const sql = backend.sql;
  if (sql) await createEmptyBranch(sql.dataSource, sql.dialect, tenantId, catalogName, dest);
  const before = sql?.counter.count ?? 0;
  const t0 = process.hrtime.bigint();
  const assets = await backend.ports.assets.listAssets(tenantId, catalogName, 'main');
  if (sql) {
    const insert = `INSERT INTO assets (${ASSET_COLUMNS}) VALUES (${placeholders(11)})`;
    for (const asset of assets) await sql.dataSource.query(...bind(sql.dialect, insert, assetValues(asset, dest)));
  } else {
    for (const asset of assets) {
      await backend.ports.unitOfWork.commitChanges(
        tenantId,
        catalogName,
        dest,
        { puts: [{ ...asset }], deletes: [], expectations: [] },
        { author: 'bench', message: 'loop copy' },
        { createBranchIfMissing: true },
      );
    }
  }
  const ms = elapsedMs(t0);
  return { ms, rows: assets.length, statements: sql ? sql.counter.count - before : null };
}

/** The copy statement alone, straight on the DataSource (dest branch row created beforehand, untimed). */
async function measureBare(backend: Backend, tenantId: string, catalogName: string, dest: string): Promise<Measurement> {
  const sql = backend.sql!;
  await createEmptyBranch(sql.dataSource, sql.dialect, tenantId, catalogName, dest);
  const [statement, params] = bind(
    sql.dialect,
    `INSERT INTO assets (${ASSET_COLUMNS})
     SELECT tenant_id, catalog_name, CAST($4 AS text), id, namespace_key, namespace_depth, namespace_sort, name,
            kind, location, properties
     FROM assets WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $3`,
    [tenantId, catalogName, 'main', dest],
  );
  const before = sql.counter.count;
  const t0 = process.hrtime.bigint();
  await sql.dataSource.query(statement, params);
  const ms = elapsedMs(t0);
  const statements = sql.counter.count - before;
  const [{ copied }] = await sql.dataSource.query(
    ...bind(
      sql.dialect,
      'SELECT COUNT(*) AS copied FROM assets WHERE tenant_id = $1 AND catalog_name = $2 AND branch_name = $3',
      [tenantId, catalogName, dest],
    ),
  );
  return { ms, rows: Number(copied), statements };
}

async function createEmptyBranch(
  dataSource: DataSource,
  dialect: 'postgres' | 'sqlite',
  tenantId: string,
  catalogName: string,
  name: string,
): Promise<void> {
  await dataSource.query(
    ...bind(
      dialect,
      `INSERT INTO branches (tenant_id, catalog_name, name, head_commit_id, branch_type) VALUES ($1, $2, $3, NULL, 'experimental')`,
      [tenantId, catalogName, name],
    ),
  );
}

function assetValues(asset: Asset, branch: string): unknown[] {
  const ns = namespaceColumns(asset.namespace);
  return [
    asset.tenantId,
    asset.catalogName,
    branch,
    asset.id,
    ns.key,
    ns.depth,
    ns.sortKey,
    asset.name,
    asset.kind,
    asset.location,
    JSON.stringify(asset.properties),
  ];
}

function placeholders(count: number): string {
  return Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ');
}

/**
 * A statement written with PostgreSQL's `$n` placeholders, bound for the dialect: SQLite takes positional `?`,
 * so the values are reordered (and repeated) to match.
 */
function bind(dialect: 'postgres' | 'sqlite', sql: string, params: unknown[]): [string, unknown[]] {
  if (dialect === 'postgres') return [sql, params];
  const values: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    values.push(params[Number(n) - 1]);
    return '?';
  });
  return [text, values];
}

function median(values: Measurement[]): Measurement {
  const sorted = [...values].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor(sorted.length / 2)];
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function printTable(rows: ResultRow[]): void {
  const header = ['backend', 'N', 'reps', 'bulk ms', 'stmts', 'loop ms', 'stmts', 'bare ms', 'stmts', 'loop/bulk', 'bulk/bare'];
  const lines = rows.map((r) => [
    r.backend,
    String(r.n),
    String(r.reps),
    r.bulk.ms.toFixed(1),
    r.bulk.statements === null ? 'n/a' : String(r.bulk.statements),
    r.loop.ms.toFixed(1),
    r.loop.statements === null ? 'n/a' : String(r.loop.statements),
    r.bare ? r.bare.ms.toFixed(1) : 'n/a',
    r.bare ? String(r.bare.statements) : 'n/a',
    `${(r.loop.ms / r.bulk.ms).toFixed(1)}x`,
    r.bare ? `${(r.bulk.ms / r.bare.ms).toFixed(2)}x` : 'n/a',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => '| ' + cells.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  console.log('');
  console.log(format(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const line of lines) console.log(format(line));
  console.log('');
  console.log('loop/bulk: how many times faster copyAssetsBulk is than the loop (target >= 20x at 10k on SQL).');
  console.log('bulk/bare: copyAssetsBulk time over the bare INSERT ... SELECT alone (target <= 1.5x).');
}

const benchStart = Date.now();

function log(message: string): void {
  process.stderr.write(`[bench +${((Date.now() - benchStart) / 1000).toFixed(1)}s] ${message}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
