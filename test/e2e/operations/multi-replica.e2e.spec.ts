import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestPostgresDatabase, TestPostgresDatabase } from '../../support/postgres-database';
import { ServiceProcess, startServiceProcess } from '../../support/service-process';
import {
  branchHistory,
  call,
  commitBody,
  createFileCatalog,
  createNamespace,
  createTable,
  Json,
  loadTable,
  tablePath,
} from './support/catalog-client';

/**
 * Multi-replica safety: three service processes on different ports against ONE PostgreSQL database (and one
 * shared file warehouse, standing in for the object store every replica of a deployment shares).
 *
 * 1. A storm of 200 concurrent commits spread over the three instances and ten tables: plain property
 *    updates, updates guarded by a schema requirement that holds, updates guarded by one that never holds, and
 *    a race of snapshot appends guarded by `assert-ref-snapshot-id` of which at most one per table can win.
 * 2. The same kind of storm again, and one instance is killed with SIGKILL in the middle of it, while it has
 *    commits in flight; it is restarted afterwards.
 *
 * After each storm, for every table: every instance loads it and agrees on its pointer; the chain of metadata
 * files (its metadata-log plus the current file, read from the warehouse) starts at the created file and each
 * file adds exactly one update; every 200 is in the final metadata and no 409 (nor a refused connection) is;
 * a commit whose answer was lost with the killed instance is there at most once. The branch history is one
 * linear parent chain with exactly one commit per table create and per successful write, and per table its
 * commits point at exactly the files of the metadata chain, in order: no lost update, no duplicate, no gap.
 * Without a kill, no metadata file is left behind by a commit that lost its pointer swap.
 *
 * DEBUG_STORM=1 prints how each storm's commits were answered.
 */

const CATALOG = 'replicas';
const NAMESPACE = 'storm';
const TABLES = Array.from({ length: 10 }, (_, i) => `t${i}`);
const WRITES_PER_STORM = 200;
/** Keys the storms write; anything else in the properties is not ours. */
const TRACKED_KEY = /^[psxa]-\d+-\d+$/;

type WriteKind = 'property' | 'schema-holds' | 'schema-stale' | 'append';

interface Write {
  storm: number;
  index: number;
  table: string;
  replica: number;
  kind: WriteKind;
  /** The property this write sets; present in the final metadata exactly when the write committed. */
  key: string;
  snapshotId?: number;
}

type Outcome = 'committed' | 'rejected' | 'unknown';

interface Answer {
  write: Write;
  outcome: Outcome;
  status?: number;
  body?: Json;
  error?: string;
}

describe('three service processes on one PostgreSQL database', () => {
  let database: TestPostgresDatabase;
  /** The allowed storage root of the replicas (PANGOLIN_ALLOWED_STORAGE_ROOTS); the warehouse lies below it. */
  let storageRoot: string;
  let warehouseRoot: string;
  const dataDirs: string[] = [];
  const replicas: ServiceProcess[] = [];
  const stopped: ServiceProcess[] = [];
  /** Every write of every storm, with what its answer proves about it. */
  const ledger: Answer[] = [];

  const startReplica = (i: number) =>
    startServiceProcess({
      name: `replica-${i}`,
      databaseUrl: database.url,
      dataDir: dataDirs[i],
      env: { PANGOLIN_METADATA_WORKERS: '1', DATABASE_MAX_CONNECTIONS: '5', PANGOLIN_ALLOWED_STORAGE_ROOTS: storageRoot },
    });

  beforeAll(async () => {
    database = await createTestPostgresDatabase('pangolin_replicas');
    storageRoot = await mkdtemp(path.join(tmpdir(), 'pangolin-replicas-wh-'));
    warehouseRoot = path.join(storageRoot, 'warehouse');
    for (let i = 0; i < 3; i++) dataDirs.push(await mkdtemp(path.join(tmpdir(), `pangolin-replica-${i}-`)));
    // All three start at once against the empty database, as a fresh deployment's pods do (migrations race).
    replicas.push(...(await Promise.all([0, 1, 2].map(startReplica))));
    const base = replicas[0].baseUrl;
    await createFileCatalog(base, CATALOG, warehouseRoot);
    await createNamespace(base, CATALOG, NAMESPACE);
    for (const [i, table] of TABLES.entries()) await createTable(replicas[i % 3].baseUrl, CATALOG, NAMESPACE, table);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...replicas, ...stopped].map((r) => r.dispose()));
    await database?.drop();
    await Promise.all([storageRoot, ...dataDirs].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('200 concurrent commits over 3 instances and 10 tables: every 200 is reflected, nothing lost or duplicated, history consistent', async () => {
    const writes = await planStorm(1);
    const answers = await Promise.all(writes.map((w) => send(w)));
    ledger.push(...answers);
    if (process.env.DEBUG_STORM) console.log(summary(answers));

    expectOnlyKnownAnswers(answers);
    // A requirement that never holds is never committed, on any instance.
    expect(answers.filter((a) => a.write.kind === 'schema-stale').map((a) => a.outcome)).toEqual(
      Array(answers.filter((a) => a.write.kind === 'schema-stale').length).fill('rejected'),
    );
    // The snapshot-append race: at most one winner per table.
    for (const table of TABLES) {
      const winners = answers.filter((a) => a.write.table === table && a.write.kind === 'append' && a.outcome === 'committed');
      expect(winners.length).toBeLessThanOrEqual(1);
    }
    // The storm really contended: plain updates went through on every instance and on every table.
    const committed = answers.filter((a) => a.outcome === 'committed');
    expect(new Set(committed.map((a) => a.write.replica)).size).toBe(3);
    expect(new Set(committed.map((a) => a.write.table)).size).toBe(TABLES.length);

    await verifyConsistency(replicas, { orphanFilesAllowed: false });
  }, 180_000);

  it('kill -9 of one instance in the middle of a storm: after its restart every pointer is readable and the history has no gap', async () => {
    const victim = 1;
    const writes = await planStorm(2);
    const victimWrites = writes.filter((w) => w.replica === victim).length;
    let victimAnswered = 0;
    let killed: Promise<unknown> | undefined;
    const answers = await Promise.all(
      writes.map(async (w) => {
        const answer = await send(w);
        // The kill is triggered by progress, not by time: once a third of the victim's commits are answered,
        // the rest are in flight on it (all 200 were sent at once).
        if (w.replica === victim && answer.status !== undefined && ++victimAnswered === Math.ceil(victimWrites / 3)) {
          killed = replicas[victim].kill9();
        }
        return answer;
      }),
    );
    ledger.push(...answers);
    if (process.env.DEBUG_STORM) console.log(summary(answers));
    expect(killed).toBeDefined();
    const exit = await killed;
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expectOnlyKnownAnswers(answers);
    // Only the killed instance's commits can have an unknown outcome.
    expect(answers.filter((a) => a.outcome === 'unknown' && a.write.replica !== victim)).toEqual([]);
    expect(answers.some((a) => a.write.replica === victim && a.outcome === 'unknown')).toBe(true);

    stopped.push(replicas[victim]);
    replicas[victim] = await startReplica(victim);
    // The killed instance may have written a file whose pointer swap never happened: an orphan, never a gap.
    await verifyConsistency(replicas, { orphanFilesAllowed: true });
  }, 180_000);

  /** 200 writes over all tables and instances, in a fixed shuffled order so the kinds interleave. */
  async function planStorm(storm: number): Promise<Write[]> {
    const writes: Write[] = [];
    const current = new Map<string, { snapshotId: number | null; sequence: number }>();
    for (const table of TABLES) {
      const { metadata } = await loadTable(replicas[0].baseUrl, CATALOG, NAMESPACE, table);
      const snapshotId = metadata['current-snapshot-id'];
      current.set(table, { snapshotId: snapshotId === undefined || snapshotId === -1 ? null : snapshotId, sequence: metadata['last-sequence-number'] ?? 0 });
    }
    for (let index = 0; index < WRITES_PER_STORM; index++) {
      const table = TABLES[index % TABLES.length];
      const round = Math.floor(index / TABLES.length); // 0..19 per table
      const kind: WriteKind = round < 12 ? 'property' : round < 14 ? 'schema-holds' : round < 16 ? 'schema-stale' : 'append';
      const prefix = { property: 'p', 'schema-holds': 's', 'schema-stale': 'x', append: 'a' }[kind];
      const write: Write = { storm, index, table, replica: index % 3, kind, key: `${prefix}-${storm}-${index}` };
      if (kind === 'append') write.snapshotId = storm * 1_000_000 + index;
      writes.push(write);
    }
    writes.sort((a, b) => scramble(a.index) - scramble(b.index));
    // The append race of each table starts from the state before the storm.
    for (const w of writes) (w as Write & { base?: unknown }).base = current.get(w.table);
    return writes;
  }

  async function send(write: Write): Promise<Answer> {
    const base = (write as Write & { base: { snapshotId: number | null; sequence: number } }).base;
    const setKey = { action: 'set-properties', updates: { [write.key]: `${write.storm}/${write.index}` } };
    let body: Json;
    switch (write.kind) {
      case 'property':
        body = commitBody([], [setKey]);
        break;
      case 'schema-holds':
        body = commitBody([{ type: 'assert-current-schema-id', 'current-schema-id': 0 }], [setKey]);
        break;
      case 'schema-stale':
        body = commitBody([{ type: 'assert-current-schema-id', 'current-schema-id': 1 }], [setKey]);
        break;
      case 'append': {
        const snapshot: Json = {
          'snapshot-id': write.snapshotId,
          'sequence-number': base.sequence + 1,
          'timestamp-ms': Date.now(),
          'manifest-list': `file://${warehouseRoot}/manifests/snap-${write.snapshotId}.avro`,
          summary: { operation: 'append' },
          'schema-id': 0,
        };
        if (base.snapshotId !== null) snapshot['parent-snapshot-id'] = base.snapshotId;
        body = commitBody(
          [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': base.snapshotId }],
          [
            { action: 'add-snapshot', snapshot },
            { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': write.snapshotId },
            setKey,
          ],
        );
        break;
      }
    }
    try {
      const res = await call(replicas[write.replica].baseUrl, 'POST', tablePath(CATALOG, NAMESPACE, write.table), body);
      const outcome: Outcome = res.status === 200 ? 'committed' : res.status === 409 ? 'rejected' : 'unknown';
      return { write, outcome, status: res.status, body: res.body };
    } catch (error) {
      // No connection at all: the request never reached a server, nothing can have been committed.
      const code = (error as { cause?: { code?: string } }).cause?.code;
      return { write, outcome: code === 'ECONNREFUSED' ? 'rejected' : 'unknown', error: `${code ?? ''} ${String(error)}` };
    }
  }

  /** 200 with the update in the answered metadata, or 409 CommitFailedException; nothing else from a live instance. */
  function expectOnlyKnownAnswers(answers: Answer[]): void {
    const odd = answers.filter((a) => {
      if (a.status === undefined) return false;
      if (a.status === 200) return a.body?.metadata?.properties?.[a.write.key] === undefined;
      if (a.status === 409) return a.body?.error?.type !== 'CommitFailedException';
      return true;
    });
    expect(odd.map((a) => `${a.write.key} on replica-${a.write.replica}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`)).toEqual([]);
  }

  async function verifyConsistency(instances: ServiceProcess[], options: { orphanFilesAllowed: boolean }): Promise<void> {
    const chains = new Map<string, string[]>();
    const problems: string[] = [];
    for (const table of TABLES) {
      const loads = await Promise.all(instances.map((r) => loadTable(r.baseUrl, CATALOG, NAMESPACE, table)));
      const pointer = loads[0]['metadata-location'] as string;
      expect(loads.map((l) => l['metadata-location'])).toEqual([pointer, pointer, pointer]);
      const metadata = loads[0].metadata;
      const chain = [...(metadata['metadata-log'] as { 'metadata-file': string }[]).map((e) => e['metadata-file']), pointer];
      chains.set(table, chain);

      // Read the chain from the warehouse: the first file is the created one, each later one adds one update.
      let previous = new Set<string>();
      for (const [position, location] of chain.entries()) {
        const document = JSON.parse(await readFile(filePath(location), 'utf8'));
        const keys = new Set(Object.keys(document.properties ?? {}).filter((k) => TRACKED_KEY.test(k)));
        const added = [...keys].filter((k) => !previous.has(k));
        const removed = [...previous].filter((k) => !keys.has(k));
        const expectedAdded = position === 0 ? 0 : 1;
        if (added.length !== expectedAdded || removed.length > 0) {
          problems.push(`${table}: file ${position} of the chain (${location}) adds ${JSON.stringify(added)} and removes ${JSON.stringify(removed)}`);
        }
        previous = keys;
      }
      const final = previous;
      if (!options.orphanFilesAllowed) {
        // A commit that lost the pointer swap deletes the file it wrote (contract §8.3): the metadata
        // directory holds exactly the chain.
        const directory = path.dirname(filePath(pointer));
        const files = (await readdir(directory)).filter((f) => f.endsWith('.metadata.json')).map((f) => path.join(directory, f));
        const orphans = files.filter((f) => !chain.map(filePath).includes(f));
        if (orphans.length > 0) problems.push(`${table}: ${orphans.length} metadata files no pointer refers to: ${orphans.slice(0, 3).join(', ')}`);
      }
      expect([...final].sort()).toEqual(Object.keys(metadata.properties).filter((k) => TRACKED_KEY.test(k)).sort());

      const mine = ledger.filter((a) => a.write.table === table);
      for (const a of mine) {
        if (a.outcome === 'committed' && !final.has(a.write.key)) problems.push(`${table}: ${a.write.key} answered 200 on replica-${a.write.replica} but is lost`);
        if (a.outcome === 'rejected' && final.has(a.write.key)) problems.push(`${table}: ${a.write.key} was refused (${a.status ?? a.error}) but is committed`);
      }
      const known = new Set(mine.map((a) => a.write.key));
      for (const key of final) if (!known.has(key)) problems.push(`${table}: ${key} committed but never sent`);

      // Snapshots: the table's main points at the append that won, if one did.
      const appended = mine.filter((a) => a.write.kind === 'append' && final.has(a.write.key)).map((a) => a.write.snapshotId);
      expect((metadata.snapshots ?? []).map((s: Json) => s['snapshot-id']).sort()).toEqual(appended.sort());
      if (appended.length > 0) {
        expect(metadata['current-snapshot-id']).toBe(Math.max(...(appended as number[])));
      }
    }

    // One linear history: each commit's parent is the next older one, ending at the root.
    const history = await branchHistory(instances[2].baseUrl, CATALOG);
    for (let i = 0; i < history.length; i++) {
      const expectedParent = i + 1 < history.length ? history[i + 1].id : null;
      if (history[i].parent_id !== expectedParent) {
        problems.push(`history: commit ${i} (${history[i].id}) has parent ${history[i].parent_id}, expected ${expectedParent}`);
      }
    }
    // Exactly one commit per table create and per successful write, each pointing at the next file of the chain.
    const tableCommits = new Map<string, string[]>(TABLES.map((t) => [t, []]));
    for (const commit of [...history].reverse()) {
      for (const operation of commit.operations) {
        if (!('Put' in operation)) {
          problems.push(`history: unexpected operation ${JSON.stringify(operation).slice(0, 200)}`);
          continue;
        }
        const table = TABLES.find((t) => operation.Put.asset.name === t || operation.Put.asset.name.endsWith(`.${t}`));
        if (table) tableCommits.get(table)!.push(operation.Put.asset.properties.metadata_location);
        else problems.push(`history: Put of an unknown asset ${operation.Put.asset.name}`);
      }
    }
    for (const table of TABLES) {
      const chain = chains.get(table)!;
      const pointed = tableCommits.get(table)!;
      if (JSON.stringify(pointed) !== JSON.stringify(chain)) {
        problems.push(`${table}: history points at ${pointed.length} files, the metadata chain has ${chain.length}; first difference at ${firstDifference(pointed, chain)}`);
      }
    }
    const expectedCommits = TABLES.length + [...chains.values()].reduce((n, chain) => n + chain.length - 1, 0);
    expect({ problems, commits: history.length }).toEqual({ problems: [], commits: expectedCommits });
  }
});

function filePath(location: string): string {
  return location.replace(/^file:(\/\/)?/, '');
}

function firstDifference(a: string[], b: string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `#${i}: ${a[i]} vs ${b[i]}`;
  return 'none';
}

/** A fixed permutation of the write indexes (interleaves kinds, tables and instances). */
function scramble(index: number): number {
  return (index * 7919) % 10007;
}

function summary(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const key = `${a.write.kind} ${a.outcome} ${a.status ?? a.error?.slice(0, 60)} ${a.status === 409 ? String(a.body?.error?.message).slice(0, 60) : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort().map(([k, n]) => `${n}\t${k}`).join('\n');
}
