import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPersistence } from '../../../src/persistence/open-persistence';
import type { PersistencePorts } from '../../../src/persistence/persistence-ports';
import { AUTH_BACKENDS, bearer, createTenantWithAdmin, login, ROOT_USER, startAuthApp, type Agent, type AuthTestApp, type TenantFixture } from '../auth/auth-support';
import { createTableBody } from '../iceberg/support/iceberg-http';
import { manifestBytes, manifestListBytes } from '../../support/iceberg-manifests';

/**
 * A purge deletes exactly the files the table's metadata references, inside the table's own location, and
 * never the server's own files, another table's files or anything else, whatever the metadata names.
 * Runs in auth mode with a real data directory (SQLite file, auth-secrets.json) and file storage.
 */
describe.each(AUTH_BACKENDS)('purge deletes only what the table owns [%s]', (kind) => {
  let root: string;
  let dataDir: string;
  let unrelatedDir: string;
  let ownSqlite: PersistencePorts | undefined;
  let app: AuthTestApp;
  let http: Agent;
  let tenant: TenantFixture;
  let rootToken: string;
  const catalog = 'lake';

  const tables = (cat: string, ns = 'db') => `/v1/${cat}/namespaces/${ns}/tables`;
  const as = (fixture: TenantFixture) => bearer(fixture.adminToken);

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pangolin-purge-'));
    dataDir = path.join(root, 'data');
    await mkdir(dataDir);
    unrelatedDir = await mkdtemp(path.join(tmpdir(), 'pangolin-purge-unrelated-'));
    await writeFile(path.join(unrelatedDir, 'keep.txt'), 'unrelated');
    await writeFile(path.join(dataDir, 'operator-notes.txt'), 'the operator keeps this here');
    if (kind === 'sqlite') {
      // The production layout: the SQLite file (and its WAL) in the data directory.
      ownSqlite = await openPersistence({ kind: 'sqlite', file: path.join(dataDir, 'pangolin.db') }, { runMigrations: true });
    }
    const sqlite = ownSqlite;
    // No secrets in the environment: the server generates them into <data dir>/auth-secrets.json.
    app = await startAuthApp(
      kind,
      { PANGOLIN_DATA_DIR: dataDir, PANGOLIN_JWT_SECRET: '', PANGOLIN_ROOT_PASSWORD: '' },
      sqlite ? () => sqlite : undefined,
    );
    http = app.http;
    const secrets = JSON.parse(await readFile(path.join(dataDir, 'auth-secrets.json'), 'utf8'));
    const token = await login(http, ROOT_USER, secrets.root_password);
    tenant = await createTenantWithAdmin(http, token, 'purge');
    await http.post('/api/v1/catalogs').set(as(tenant)).send({ name: catalog }).expect(201);
    await http.post(`/v1/${catalog}/namespaces`).set(as(tenant)).send({ namespace: ['db'] }).expect(200);
    rootToken = token;
  });

  afterAll(async () => {
    await app?.close();
    await ownSqlite?.health.close().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    await rm(unrelatedDir, { recursive: true, force: true });
  });

  /** Every file below a directory (relative paths), with its content. */
  async function snapshotDir(dir: string): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    const walk = async (current: string) => {
      for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
        const full = path.join(current, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files.set(path.relative(dir, full), (await readFile(full).catch(() => Buffer.alloc(0))).toString('base64'));
      }
    };
    await walk(dir);
    return files;
  }

  /** The server's own files: everything in the data directory except its warehouse and the SQLite WAL/SHM, which change. */
  async function serverFiles(): Promise<Map<string, string>> {
    const all = await snapshotDir(dataDir);
    for (const key of [...all.keys()]) {
      if (key.startsWith(`warehouse${path.sep}`) || key.startsWith('pangolin.db')) all.delete(key);
    }
    return all;
  }

  /** Every file of `before` is still there with the same content (new files may have appeared). */
  function expectStillThere(before: Map<string, string>, after: Map<string, string>): void {
    for (const [file, content] of before) expect({ file, content: after.get(file) }).toEqual({ file, content });
  }

  function commit(fixture: TenantFixture, tablePath: string, updates: unknown[]) {
    return http.post(tablePath).set(as(fixture)).set('Content-Type', 'application/json').send(JSON.stringify({ requirements: [], updates }));
  }

  interface BuiltTable {
    location: string;
    dir: string;
    /** Absolute paths of every file the table's metadata references. */
    referenced: string[];
    /** A file in the table's directory that no metadata references. */
    orphan: string;
  }

  /**
   * A v2 table with two snapshots: manifest lists, data and delete manifests, data and delete files,
   * statistics and partition statistics, all written by the test inside the table's location.
   */
  async function buildTable(fixture: TenantFixture, cat: string, name: string, extra: { location?: string } = {}): Promise<BuiltTable> {
    const created = await http.post(tables(cat)).set(as(fixture)).send(createTableBody(name, extra));
    if (created.status !== 200) throw new Error(`create ${name}: ${created.status} ${created.text}`);
    const location: string = created.body.metadata.location;
    const dir = fileURLToPath(location);
    const file = (relative: string) => ({ location: `${location}/${relative}`, path: path.join(dir, relative) });
    const dataA = file('data/a.parquet');
    const dataB = file('data/b.parquet');
    const deletes = file('data/pos-deletes.parquet');
    const m1 = file('metadata/m1.avro');
    const mDeletes = file('metadata/m-deletes.avro');
    const list1 = file('metadata/snap-1.avro');
    const list2 = file('metadata/snap-2.avro');
    const stats = file('metadata/stats.puffin');
    const partitionStats = file('metadata/partition-stats.parquet');
    await mkdir(path.join(dir, 'data'), { recursive: true });
    for (const data of [dataA, dataB, deletes]) await writeFile(data.path, `parquet bytes of ${name}`);
    await writeFile(m1.path, await manifestBytes([{ path: dataA.location }, { path: dataB.location }], { version: 2 }));
    await writeFile(mDeletes.path, await manifestBytes([{ path: deletes.location, content: 1 }], { version: 2, content: 'deletes' }));
    await writeFile(list1.path, await manifestListBytes([{ path: m1.location }], { version: 2, snapshotId: 1 }));
    await writeFile(list2.path, await manifestListBytes([{ path: m1.location }, { path: mDeletes.location, content: 1 }], { version: 2, snapshotId: 2 }));
    await writeFile(stats.path, 'puffin');
    await writeFile(partitionStats.path, 'partition stats');
    const tablePath = `${tables(cat)}/${name}`;
    const snapshot = (id: number, parent: number | null, list: string) => ({
      action: 'add-snapshot',
      snapshot: { 'snapshot-id': id, 'parent-snapshot-id': parent, 'sequence-number': id, 'timestamp-ms': 1700000000000 + id, 'manifest-list': list, summary: { operation: 'append' }, 'schema-id': 0 },
    });
    const ref = (id: number) => ({ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id });
    await commit(fixture, tablePath, [snapshot(1, null, list1.location), ref(1)]).expect(200);
    await commit(fixture, tablePath, [snapshot(2, 1, list2.location), ref(2)]).expect(200);
    await commit(fixture, tablePath, [
      { action: 'set-statistics', statistics: { 'snapshot-id': 2, 'statistics-path': stats.location, 'file-size-in-bytes': 6, 'file-footer-size-in-bytes': 1, 'blob-metadata': [] } },
      { action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': 2, 'statistics-path': partitionStats.location, 'file-size-in-bytes': 15 } },
    ]).expect(200);
    const metadataFiles = (await readdir(path.join(dir, 'metadata'))).filter((f) => f.endsWith('.metadata.json'));
    expect(metadataFiles).toHaveLength(4);
    const orphan = path.join(dir, 'data', 'not-referenced.parquet');
    await writeFile(orphan, 'written by an engine whose commit failed');
    return {
      location,
      dir,
      referenced: [
        ...[dataA, dataB, deletes, m1, mDeletes, list1, list2, stats, partitionStats].map((f) => f.path),
        ...metadataFiles.map((f) => path.join(dir, 'metadata', f)),
      ],
      orphan,
    };
  }

  it('deletes exactly the referenced files and reports how many', async () => {
    const target = await buildTable(tenant, catalog, 'orders');
    const neighbour = await buildTable(tenant, catalog, 'customers');
    const neighbourBefore = await snapshotDir(neighbour.dir);
    const serverBefore = await serverFiles();

    const res = await http.delete(`${tables(catalog)}/orders`).set(as(tenant)).query({ purgeRequested: 'true' }).expect(204);

    expect(res.headers['x-pangolin-purged-files']).toBe(String(target.referenced.length));
    for (const file of target.referenced) expect({ file, exists: existsSync(file) }).toEqual({ file, exists: false });
    expect(existsSync(target.orphan)).toBe(true);
    expect(await snapshotDir(neighbour.dir)).toEqual(neighbourBefore);
    expectStillThere(serverBefore, await serverFiles());
    expect(existsSync(path.join(dataDir, 'auth-secrets.json'))).toBe(true);
    if (kind === 'sqlite') expect(existsSync(path.join(dataDir, 'pangolin.db'))).toBe(true);
    expect(await readFile(path.join(unrelatedDir, 'keep.txt'), 'utf8')).toBe('unrelated');
    const purgeLine = app
      .logs()
      .split('\n')
      .filter((line) => line.includes('"event":"table-purge"'))
      .map((line) => JSON.parse(line))
      .find((line) => line.table === 'db.orders' && line.msg === 'table purged');
    expect(purgeLine).toMatchObject({ deleted: target.referenced.length, missing: 0, skippedOutside: 0 });
    // The service still works on the same store.
    await http.get(`${tables(catalog)}/customers`).set(as(tenant)).expect(200);
  });

  it('skips what a crafted metadata names outside the table, and counts files already gone as missing', async () => {
    const target = await buildTable(tenant, catalog, 'crafted');
    const neighbour = await buildTable(tenant, catalog, 'victim');
    const neighbourBefore = await snapshotDir(neighbour.dir);
    const serverBefore = await serverFiles();
    const tablePath = `${tables(catalog)}/crafted`;
    // A directory inside the table that is a symlink to the unrelated directory: inside by name, not really.
    await symlink(unrelatedDir, path.join(target.dir, 'linked'));
    // Statistics entries are free-form paths: point them at another table, an unrelated directory and the server's secrets.
    const outside = [
      `file://${neighbour.dir}/data/a.parquet`,
      `file://${unrelatedDir}/keep.txt`,
      `file://${dataDir}/auth-secrets.json`,
      `${target.location}/linked/keep.txt`,
    ];
    await commit(
      tenant,
      tablePath,
      outside.map((statisticsPath, i) => ({
        action: 'set-statistics',
        statistics: { 'snapshot-id': 100 + i, 'statistics-path': statisticsPath, 'file-size-in-bytes': 1, 'file-footer-size-in-bytes': 1, 'blob-metadata': [] },
      })),
    ).expect(200);
    const referenced = [...target.referenced, ...(await readdir(path.join(target.dir, 'metadata'))).filter((f) => f.endsWith('.metadata.json')).map((f) => path.join(target.dir, 'metadata', f))];
    const unique = [...new Set(referenced)];
    // One referenced data file is already gone.
    await rm(path.join(target.dir, 'data', 'b.parquet'));

    const res = await http.delete(tablePath).set(as(tenant)).query({ purgeRequested: 'true' }).expect(204);

    expect(res.headers['x-pangolin-purged-files']).toBe(String(unique.length - 1));
    for (const file of unique) expect({ file, exists: existsSync(file) }).toEqual({ file, exists: false });
    expect(existsSync(target.orphan)).toBe(true);
    expect(await snapshotDir(neighbour.dir)).toEqual(neighbourBefore);
    expectStillThere(serverBefore, await serverFiles());
    expect(await readFile(path.join(unrelatedDir, 'keep.txt'), 'utf8')).toBe('unrelated');
    const purgeLine = app
      .logs()
      .split('\n')
      .filter((line) => line.includes('"event":"table-purge"'))
      .map((line) => JSON.parse(line))
      .find((line) => line.table === 'db.crafted' && line.msg === 'table purged');
    expect(purgeLine).toMatchObject({ deleted: unique.length - 1, missing: 1, skippedOutside: 4 });
  });

  it('keeps every file when the dropped table is shared with another branch', async () => {
    const shared = await buildTable(tenant, catalog, 'shared');
    const before = await snapshotDir(shared.dir);
    await http.post('/api/v1/branches').set(as(tenant)).send({ name: 'dev', catalog, from_branch: 'main' }).expect(201);

    const res = await http.delete(`${tables(catalog)}/shared@dev`).set(as(tenant)).query({ purgeRequested: 'true' }).expect(204);

    expect(res.headers['x-pangolin-purged-files']).toBe('0');
    expect(await snapshotDir(shared.dir)).toEqual(before);
    await http.get(`${tables(catalog)}/shared`).set(as(tenant)).expect(200);
    await http.get(`${tables(catalog)}/shared@dev`).set(as(tenant)).expect(404);
  });

  // Purge relies on no other table sharing the files: a registered copy of a live table's metadata file would
  // (it takes the location the file names), so registering one is refused while the table exists.
  it('refuses to register a live table\'s metadata in another catalog, so its purge cannot break a copy', async () => {
    const original = await buildTable(tenant, catalog, 'registered');
    await http.post('/api/v1/catalogs').set(as(tenant)).send({ name: 'mirror' }).expect(201);
    await http.post('/v1/mirror/namespaces').set(as(tenant)).send({ namespace: ['db'] }).expect(200);
    const current = await http.get(`${tables(catalog)}/registered`).set(as(tenant)).expect(200);
    await http
      .post('/v1/mirror/namespaces/db/register')
      .set(as(tenant))
      .send({ name: 'copy', 'metadata-location': current.body['metadata-location'] })
      .expect(400);

    const res = await http.delete(`${tables(catalog)}/registered`).set(as(tenant)).query({ purgeRequested: 'true' }).expect(204);

    expect(Number(res.headers['x-pangolin-purged-files'])).toBeGreaterThan(0);
    for (const file of original.referenced) expect(existsSync(file)).toBe(false);
    await http.get(`${tables('mirror')}/copy`).set(as(tenant)).expect(404);
  });

  it('survives a table placed at the data directory: the server files and other tables stay', async () => {
    // Another tenant, whose admin points a file warehouse at a parent of the data directory.
    const attacker = await createTenantWithAdmin(http, rootToken, 'attacker');
    const victim = await buildTable(tenant, catalog, 'bystander');
    const victimBefore = await snapshotDir(victim.dir);
    const serverBefore = await serverFiles();
    const unrelatedBefore = await snapshotDir(unrelatedDir);

    await http.post('/api/v1/warehouses').set(as(attacker)).send({ name: 'evil', storage_config: { type: 'file', root } });
    await http.post('/api/v1/catalogs').set(as(attacker)).send({ name: 'evil', warehouse_name: 'evil' });
    await http.post('/v1/evil/namespaces').set(as(attacker)).send({ namespace: ['db'] });
    const created = await http.post(tables('evil')).set(as(attacker)).send(createTableBody('wipe', { location: `file://${dataDir}` }));
    if (created.status === 200) {
      const tablePath = `${tables('evil')}/wipe`;
      // Everything the metadata can name points at the server's files and at the other tenant's table.
      await commit(attacker, tablePath, [
        {
          action: 'add-snapshot',
          snapshot: { 'snapshot-id': 1, 'sequence-number': 1, 'timestamp-ms': 1700000000000, 'manifest-list': `${victim.location}/metadata/snap-2.avro`, summary: { operation: 'append' }, 'schema-id': 0 },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1 },
        { action: 'set-statistics', statistics: { 'snapshot-id': 1, 'statistics-path': `file://${dataDir}/auth-secrets.json`, 'file-size-in-bytes': 1, 'file-footer-size-in-bytes': 1, 'blob-metadata': [] } },
        { action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': 1, 'statistics-path': `file://${dataDir}/pangolin.db`, 'file-size-in-bytes': 1 } },
      ]);
      const dropped = await http.delete(tablePath).set(as(attacker)).query({ purgeRequested: 'true' });
      expect(dropped.status).toBe(204);
      expect(dropped.headers['x-pangolin-purged-files']).toBe('0');
    }

    expectStillThere(serverBefore, await serverFiles());
    if (kind === 'sqlite') expect(existsSync(path.join(dataDir, 'pangolin.db'))).toBe(true);
    expect(await snapshotDir(victim.dir)).toEqual(victimBefore);
    expect(await snapshotDir(unrelatedDir)).toEqual(unrelatedBefore);
    // The service and its store still work.
    await http.get(`${tables(catalog)}/bystander`).set(as(tenant)).expect(200);
  });
});
