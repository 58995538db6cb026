import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Response } from 'supertest';
import {
  bearer,
  createTenantUser,
  createTenantWithAdmin,
  rootLogin,
  startAuthApp,
  type AuthTestApp,
  type TenantFixture,
} from '../auth/auth-support';
import { METADATA_LOCATION_PROPERTY } from '../../../src/persistence/models';
import type { TestBackend } from '../../support/app-harness';

/**
 * Storage confinement: a hostile tenant admin (or a tenant user with write on a single table) tries to reach
 * server files, another tenant's tables or the server's data directory through warehouse roots, catalog
 * storage locations, table locations, `set-location` commits and registered metadata files. Every attempt
 * is a 400 that names the rule (no file content, no oracle), and after every test the data directory, the
 * other tenant's files and an unrelated directory are byte-for-byte unchanged.
 */
const BACKENDS: readonly TestBackend[] = ['sqlite', 'postgres', 'memory'];

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
const SECRET_TEXT = 'TOP-SECRET-CONTENT-0123456789';

type Json = Record<string, any>;

/** Every file, directory and symlink under `dir` with a digest of its content (empty for a missing dir). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const walk = async (current: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(current);
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry);
      const stat = await lstat(full);
      const key = path.relative(dir, full);
      if (stat.isSymbolicLink()) result[key] = `link:${await readlink(full)}`;
      else if (stat.isDirectory()) {
        result[key] = 'dir';
        await walk(full);
      } else result[key] = createHash('sha256').update(await readFile(full)).digest('hex');
    }
  };
  await walk(dir);
  return result;
}

function errorMessage(res: Response): string {
  return String(res.body?.error?.message ?? res.body?.message ?? res.text);
}

/** 400, and the answer neither quotes a secret nor names a server path the client did not send itself. */
function expectRefused(res: Response, label: string, forbidden: string[] = []): void {
  if (res.status !== 400) throw new Error(`${label}: expected 400, got ${res.status} ${res.text}`);
  for (const text of [SECRET_TEXT, 'root:', ...forbidden]) {
    if (res.text.includes(text)) throw new Error(`${label}: the answer leaks '${text}': ${res.text}`);
  }
}

for (const kind of BACKENDS) {
  describe(`storage confinement [${kind}]`, () => {
    let t: AuthTestApp;
    let lake: string;
    let unrelated: string;
    let a: TenantFixture;
    let b: TenantFixture;
    /** Tenant B's table shared.sales.items (default warehouse) and its files. */
    let bTable: Json;
    let watched: Record<string, Record<string, string>>;
    let counter = 0;
    const unique = (label: string) => `${label}_${++counter}`;

    const admin = (tenant: TenantFixture) => bearer(tenant.adminToken);
    const defaultRoot = () => path.join(t.dataDir, 'warehouse');
    const tenantDefault = (tenant: TenantFixture) => path.join(defaultRoot(), tenant.tenantId);
    const watchedDirs = () => ({
      dataDirFiles: t.dataDir,
      bDefault: tenantDefault(b),
      bLake: path.join(lake, 'tenant-b'),
      unrelated,
    });

    async function takeSnapshots(): Promise<Record<string, Record<string, string>>> {
      const out: Record<string, Record<string, string>> = {};
      for (const [label, dir] of Object.entries(watchedDirs())) {
        const files = await snapshot(dir);
        // Tenant A's own default-warehouse files change legitimately; only the rest of the data dir is watched.
        if (label === 'dataDirFiles') {
          for (const key of Object.keys(files)) {
            if (key.startsWith(`warehouse${path.sep}${a.tenantId}`) || key.startsWith(`warehouse${path.sep}legacy_`)) delete files[key];
          }
        }
        out[label] = files;
      }
      return out;
    }

    const createCatalog = (tenant: TenantFixture, body: Json) => t.http.post('/api/v1/catalogs').set(admin(tenant)).send(body);
    const createWarehouse = (tenant: TenantFixture, body: Json) => t.http.post('/api/v1/warehouses').set(admin(tenant)).send(body);
    const createNamespace = (tenant: TenantFixture, catalog: string, ns: string) =>
      t.http.post(`/v1/${catalog}/namespaces`).set(admin(tenant)).send({ namespace: [ns] }).expect(200);
    const createTable = (headers: Json, catalog: string, ns: string, body: Json) =>
      t.http.post(`/v1/${catalog}/namespaces/${ns}/tables`).set(headers).send({ schema: SCHEMA, ...body });
    const register = (headers: Json, catalog: string, ns: string, body: Json) =>
      t.http.post(`/v1/${catalog}/namespaces/${ns}/register`).set(headers).send(body);
    const setLocation = (headers: Json, catalog: string, ns: string, table: string, location: string) =>
      t.http
        .post(`/v1/${catalog}/namespaces/${ns}/tables/${table}`)
        .set(headers)
        .send({ requirements: [], updates: [{ action: 'set-location', location }] });

    /** A catalog of tenant A on the default warehouse with namespace `ns`. */
    async function catalogOfA(): Promise<string> {
      const catalog = unique('cat');
      await createCatalog(a, { name: catalog }).expect(201);
      await createNamespace(a, catalog, 'ns');
      return catalog;
    }

    beforeAll(async () => {
      lake = await mkdtemp(path.join(tmpdir(), 'pangolin-lake-'));
      unrelated = await mkdtemp(path.join(tmpdir(), 'pangolin-unrelated-'));
      await writeFile(path.join(unrelated, 'keep.txt'), SECRET_TEXT);
      t = await startAuthApp(kind, { PANGOLIN_ALLOWED_STORAGE_ROOTS: lake });
      // The data directory holds the SQLite file and auth-secrets.json in a default deployment: stand-ins
      // (the test database lives elsewhere, and the secrets come from the environment here).
      await writeFile(path.join(t.dataDir, 'auth-secrets.json'), JSON.stringify({ jwtSecret: SECRET_TEXT }));
      await writeFile(path.join(t.dataDir, 'pangolin.db'), `SQLite format 3 ${SECRET_TEXT}`);
      const root = await rootLogin(t.http);
      a = await createTenantWithAdmin(t.http, root, 'alpha');
      b = await createTenantWithAdmin(t.http, root, 'beta');

      await createCatalog(b, { name: 'shared' }).expect(201);
      await createNamespace(b, 'shared', 'sales');
      bTable = (await createTable(admin(b), 'shared', 'sales', { name: 'items' }).expect(200)).body;
      await createWarehouse(b, { name: 'wh-b', storage_config: { type: 'file', root: path.join(lake, 'tenant-b') } }).expect(201);
      await createWarehouse(b, { name: 's3-b', storage_config: { type: 's3', 's3.bucket': 'shared-bucket', 's3.prefix': 'tenant-b' } }).expect(201);
      await createWarehouse(b, { name: 'mem-b', storage_config: { type: 'memory', root: 'mem://store/tenant-b' } }).expect(201);
      await createCatalog(b, { name: 'on-wh', warehouse_name: 'wh-b' }).expect(201);
      await createNamespace(b, 'on-wh', 'ns');
      await createTable(admin(b), 'on-wh', 'ns', { name: 'lake_table' }).expect(200);
    });
    beforeEach(async () => {
      watched = await takeSnapshots();
    });
    afterEach(async () => {
      expect(await takeSnapshots()).toEqual(watched);
    });
    afterAll(async () => {
      await t?.close();
      await rm(lake, { recursive: true, force: true });
      await rm(unrelated, { recursive: true, force: true });
    });

    it('refuses file warehouse roots outside the allowed roots, the allowed root itself and overlaps with another tenant', async () => {
      const refused = [
        '/etc',
        '/root',
        '/proc/self',
        'file:///etc',
        t.dataDir,
        defaultRoot(),
        tenantDefault(b),
        path.join(tenantDefault(b), 'mine'),
        unrelated,
        lake,
        `file://${lake}`,
        path.join(lake, 'tenant-b'),
        path.join(lake, 'tenant-b', 'inside'),
      ];
      for (const root of refused) {
        const name = unique('wh');
        expectRefused(await createWarehouse(a, { name, storage_config: { type: 'file', root } }), `create root ${root}`, [t.dataDir].filter((p) => !root.includes(p)));
        await t.http.get(`/api/v1/warehouses/${name}`).set(admin(a)).expect(404);
      }
      // B's root lies inside this one: also an overlap.
      const parentOfB = await mkdtemp(path.join(lake, 'parent-'));
      await createWarehouse(b, { name: unique('whb'), storage_config: { type: 'file', root: path.join(parentOfB, 'b') } }).expect(201);
      expectRefused(await createWarehouse(a, { name: unique('wh'), storage_config: { type: 'file', root: parentOfB } }), 'parent of B');

      // Strictly below an allowed root, disjoint from everyone else: accepted, and the directory is created.
      const mine = path.join(lake, 'tenant-a', 'first');
      const created = unique('wh');
      await createWarehouse(a, { name: created, storage_config: { type: 'file', root: mine } }).expect(201);
      expect((await lstat(mine)).isDirectory()).toBe(true);
      // The same checks on update.
      for (const root of ['/etc', path.join(lake, 'tenant-b'), t.dataDir]) {
        expectRefused(
          await t.http.put(`/api/v1/warehouses/${created}`).set(admin(a)).send({ storage_config: { root } }),
          `update root ${root}`,
        );
      }
      const stored = await t.http.get(`/api/v1/warehouses/${created}`).set(admin(a)).expect(200);
      expect(stored.body.storage_config.root).toBe(mine);
      await t.http.put(`/api/v1/warehouses/${created}`).set(admin(a)).send({ storage_config: { root: path.join(lake, 'tenant-a', 'moved') } }).expect(200);
    });

    it('refuses S3 and memory warehouses overlapping another tenant', async () => {
      const s3 = (config: Json) => createWarehouse(a, { name: unique('s3'), storage_config: { type: 's3', ...config } });
      expectRefused(await s3({ 's3.bucket': 'shared-bucket' }), 'same bucket, no prefix');
      expectRefused(await s3({ 's3.bucket': 'shared-bucket', 's3.prefix': 'tenant-b' }), 'same prefix');
      expectRefused(await s3({ bucket: 'shared-bucket', prefix: 'tenant-b/x' }), 'prefix inside');
      await s3({ 's3.bucket': 'shared-bucket', 's3.prefix': 'tenant-a' }).expect(201);
      await s3({ 's3.bucket': 'bucket-of-a' }).expect(201);
      const mem = (root: string) => createWarehouse(a, { name: unique('mem'), storage_config: { type: 'memory', root } });
      expectRefused(await mem('mem://store/tenant-b'), 'same memory root');
      expectRefused(await mem('mem://store'), 'memory root containing B');
      await mem('mem://store/tenant-a').expect(201);
    });

    it('confines catalog storage_location to its warehouse, or to the tenant default root', async () => {
      const refused = [
        'file:///',
        'file:///etc',
        `file://${t.dataDir}`,
        `file://${defaultRoot()}`,
        `file://${tenantDefault(b)}/x`,
        `file://${unrelated}/x`,
        's3://some-bucket/x',
        `file://${tenantDefault(a)}`,
      ];
      for (const storage_location of refused) {
        const name = unique('cat');
        expectRefused(await createCatalog(a, { name, storage_location }), `catalog at ${storage_location}`, [t.dataDir].filter((p) => !storage_location.includes(p)));
        await t.http.get(`/api/v1/catalogs/${name}`).set(admin(a)).expect(404);
      }
      await createCatalog(a, { name: unique('cat'), storage_location: `file://${tenantDefault(a)}/custom` }).expect(201);

      const warehouse = unique('wh');
      await createWarehouse(a, { name: warehouse, storage_config: { type: 'file', root: path.join(lake, 'tenant-a', warehouse) } }).expect(201);
      expectRefused(
        await createCatalog(a, { name: unique('cat'), warehouse_name: warehouse, storage_location: `file://${lake}/tenant-b/x` }),
        'outside the warehouse',
      );
      const good = unique('cat');
      await createCatalog(a, { name: good, warehouse_name: warehouse, storage_location: `file://${lake}/tenant-a/${warehouse}/c` }).expect(201);
      for (const storage_location of ['file:///', `file://${tenantDefault(b)}/x`, `file://${lake}/tenant-b`]) {
        expectRefused(await t.http.put(`/api/v1/catalogs/${good}`).set(admin(a)).send({ storage_location }), `update to ${storage_location}`);
      }
    });

    it('refuses to register files outside the catalog storage before reading them, without quoting them', async () => {
      const catalog = await catalogOfA();
      const messages: string[] = [];
      for (const location of [
        'file:///etc/shadow',
        'file:///etc/passwd',
        'file:///proc/self/environ',
        '/etc/hostname',
        `file://${t.dataDir}/auth-secrets.json`,
        `file://${t.dataDir}/pangolin.db`,
        `file://${unrelated}/keep.txt`,
        `file://${unrelated}/missing.json`,
        bTable['metadata-location'],
      ]) {
        const res = await register(admin(a), catalog, 'ns', { name: unique('reg'), 'metadata-location': location });
        expectRefused(res, `register ${location}`, [
          process.env.PATH ?? '/usr/bin',
          'does not exist',
          'SQLite',
          ...(location.includes(t.dataDir) ? [] : [t.dataDir]),
        ]);
        if (location.startsWith('file://')) messages.push(errorMessage(res).split(location).join('<location>'));
      }
      // Existing and missing files outside the storage get the same answer: no file-existence oracle.
      expect(new Set(messages).size).toBe(1);
    });

    it('never quotes the bytes of a registered file that is not metadata', async () => {
      const catalog = await catalogOfA();
      const dir = path.join(tenantDefault(a), catalog, 'ns');
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, 'junk.metadata.json');
      await writeFile(file, `${SECRET_TEXT} is not JSON`);
      expectRefused(await register(admin(a), catalog, 'ns', { name: unique('reg'), 'metadata-location': `file://${file}` }), 'junk');
      await writeFile(file, JSON.stringify({ 'format-version': SECRET_TEXT }));
      expectRefused(await register(admin(a), catalog, 'ns', { name: unique('reg'), 'metadata-location': `file://${file}` }), 'not metadata');
      // Missing inside the tenant's own storage: may say so.
      const missing = await register(admin(a), catalog, 'ns', { name: unique('reg'), 'metadata-location': `file://${dir}/nope.metadata.json` });
      expect(missing.status).toBe(400);
      expect(errorMessage(missing)).toContain('does not exist');
    });

    it("gives every tenant its own default directory: the same names never share files", async () => {
      await createCatalog(a, { name: 'shared' }).expect(201);
      await createNamespace(a, 'shared', 'sales');
      const aTable = (await createTable(admin(a), 'shared', 'sales', { name: 'items' }).expect(200)).body;
      expect(aTable.metadata.location).toBe(`file://${tenantDefault(a)}/shared/sales/items`);
      expect(bTable.metadata.location).toBe(`file://${tenantDefault(b)}/shared/sales/items`);
      expectRefused(
        await register(admin(a), 'shared', 'sales', { name: 'stolen', 'metadata-location': bTable['metadata-location'] }),
        "register B's file",
      );
      expectRefused(await createTable(admin(a), 'shared', 'sales', { name: 'over', location: bTable.metadata.location }), "B's location");
      // Tables on a tenant warehouse carry the tenant too.
      const warehouse = unique('wh');
      const root = path.join(lake, 'tenant-a', warehouse);
      await createWarehouse(a, { name: warehouse, storage_config: { type: 'file', root } }).expect(201);
      const catalog = unique('cat');
      await createCatalog(a, { name: catalog, warehouse_name: warehouse }).expect(201);
      await createNamespace(a, catalog, 'ns');
      const onWarehouse = (await createTable(admin(a), catalog, 'ns', { name: 't' }).expect(200)).body;
      expect(onWarehouse.metadata.location).toBe(`file://${root}/${a.tenantId}/${catalog}/ns/t`);
    });

    it('refuses table locations equal to, above or below another table of the tenant', async () => {
      const catalog = await catalogOfA();
      const other = await catalogOfA();
      const first = (await createTable(admin(a), catalog, 'ns', { name: 'first' }).expect(200)).body;
      const catalogDir = `file://${tenantDefault(a)}/${catalog}`;
      for (const location of [first.metadata.location, `${first.metadata.location}/sub`, `${catalogDir}/ns`]) {
        expectRefused(await createTable(admin(a), catalog, 'ns', { name: unique('t'), location }), `create at ${location}`);
      }
      // Across catalogs of the tenant as well (a catalog storage_location inside another catalog's tree).
      expectRefused(
        await createTable(admin(a), other, 'ns', { name: unique('t'), location: `${first.metadata.location}/x` }),
        'other catalog',
      );
      expectRefused(
        await createTable(admin(a), catalog, 'ns', { name: unique('t'), location: `file://${unrelated}/t` }),
        'outside the catalog',
      );
      await createTable(admin(a), catalog, 'ns', { name: unique('t'), location: `${catalogDir}/ns/explicit` }).expect(200);
    });

    it('refuses set-location to a parent directory, another table or outside, for a user with write on one table', async () => {
      const catalog = await catalogOfA();
      const mine = (await createTable(admin(a), catalog, 'ns', { name: 'mine' }).expect(200)).body;
      const neighbour = (await createTable(admin(a), catalog, 'ns', { name: 'neighbour' }).expect(200)).body;
      const catalogId = (await t.http.get(`/api/v1/catalogs/${catalog}`).set(admin(a)).expect(200)).body.id;
      const user = await createTenantUser(t.http, a, unique('writer'));
      await t.http
        .post('/api/v1/permissions')
        .set(admin(a))
        .send({ 'user-id': user.id, scope: { type: 'asset', catalog_id: catalogId, namespace: 'ns', asset_id: mine.id }, actions: ['write'] })
        .expect(201);
      const writer = bearer(user.token);
      const catalogDir = `file://${tenantDefault(a)}/${catalog}`;
      for (const location of [
        catalogDir,
        `${catalogDir}/ns`,
        `file://${tenantDefault(a)}`,
        `file://${defaultRoot()}`,
        neighbour.metadata.location,
        `${neighbour.metadata.location}/inside`,
        bTable.metadata.location,
        `file://${unrelated}`,
        'file:///etc',
      ]) {
        expectRefused(await setLocation(writer, catalog, 'ns', 'mine', location), `set-location ${location}`);
        expectRefused(await setLocation(admin(a), catalog, 'ns', 'mine', location), `admin set-location ${location}`);
      }
      // A fresh directory of its own is fine; so is a location below the same table's rows on other branches.
      await setLocation(writer, catalog, 'ns', 'mine', `${catalogDir}/ns/mine_v2`).expect(200);
      await t.http.post('/api/v1/branches').set(admin(a)).send({ catalog, name: 'dev', from_branch: 'main' }).expect(201);
      await setLocation(admin(a), catalog, 'ns', 'mine@dev', `${catalogDir}/ns/mine_v2/dev`).expect(200);
      const loaded = await t.http.get(`/v1/${catalog}/namespaces/ns/tables/neighbour`).set(admin(a)).expect(200);
      expect(loaded.body.metadata.location).toBe(neighbour.metadata.location);
    });

    it('keeps tables created in the pre-tenant layout usable, without accepting that layout for new locations', async () => {
      const catalog = unique('legacy');
      await createCatalog(a, { name: catalog }).expect(201);
      await createNamespace(a, catalog, 'ns');
      // A table as an earlier version placed it: <data dir>/warehouse/<catalog>/<namespace>/<table>.
      const model = (await createTable(admin(a), catalog, 'ns', { name: 'model' }).expect(200)).body;
      const legacyLocation = `file://${defaultRoot()}/${catalog}/ns/old`;
      const metadataLocation = `${legacyLocation}/metadata/00000-legacy.metadata.json`;
      await mkdir(path.join(defaultRoot(), catalog, 'ns', 'old', 'metadata'), { recursive: true });
      await writeFile(new URL(metadataLocation), JSON.stringify({ ...model.metadata, 'table-uuid': crypto.randomUUID(), location: legacyLocation }));
      await t.ports.unitOfWork.commitChanges(
        a.tenantId,
        catalog,
        'main',
        {
          puts: [{ namespace: ['ns'], name: 'old', kind: 'ICEBERG_TABLE', location: legacyLocation, properties: { [METADATA_LOCATION_PROPERTY]: metadataLocation } }],
          deletes: [],
          expectations: [],
        },
        { author: 'migration', message: 'legacy table' },
      );
      await t.http.get(`/v1/${catalog}/namespaces/ns/tables/old`).set(admin(a)).expect(200);
      await t.http
        .post(`/v1/${catalog}/namespaces/ns/tables/old`)
        .set(admin(a))
        .send({ requirements: [], updates: [{ action: 'set-properties', updates: { still: 'works' } }] })
        .expect(200);
      expectRefused(await setLocation(admin(a), catalog, 'ns', 'old', `${legacyLocation}_moved`), 'set-location in the old layout');
      expectRefused(await createTable(admin(a), catalog, 'ns', { name: unique('t'), location: `file://${defaultRoot()}/${catalog}/ns/new` }), 'old layout');
    });

    it('does not follow symlinks out of the storage root', async () => {
      const catalog = await catalogOfA();
      const nsDir = path.join(tenantDefault(a), catalog, 'ns');
      await mkdir(nsDir, { recursive: true });
      await symlink(unrelated, path.join(nsDir, 'escape'));
      await symlink(path.join(unrelated, 'keep.txt'), path.join(nsDir, 'linked.metadata.json'));
      expectRefused(
        await createTable(admin(a), catalog, 'ns', { name: unique('t'), location: `file://${nsDir}/escape/t` }),
        'create through a symlink',
      );
      expectRefused(
        await register(admin(a), catalog, 'ns', { name: unique('reg'), 'metadata-location': `file://${nsDir}/escape/keep.txt` }),
        'register through a directory symlink',
      );
      expectRefused(
        await register(admin(a), catalog, 'ns', { name: unique('reg'), 'metadata-location': `file://${nsDir}/linked.metadata.json` }),
        'register a symlinked file',
      );
      const mine = (await createTable(admin(a), catalog, 'ns', { name: 'real' }).expect(200)).body;
      expectRefused(await setLocation(admin(a), catalog, 'ns', 'real', `file://${nsDir}/escape/moved`), 'set-location through a symlink');
      expect(mine.metadata.location).toBe(`file://${nsDir}/real`);

      const linkedRoot = path.join(lake, 'tenant-a-link');
      await symlink(unrelated, linkedRoot);
      expectRefused(
        await createWarehouse(a, { name: unique('wh'), storage_config: { type: 'file', root: path.join(linkedRoot, 'wh') } }),
        'warehouse root through a symlink',
      );
      await rm(linkedRoot);

      // Another tenant's warehouse reached through a link inside the allowed root is still that warehouse.
      const alias = path.join(lake, 'alias-of-b');
      await symlink(path.join(lake, 'tenant-b'), alias);
      try {
        expectRefused(
          await createWarehouse(a, { name: unique('wh'), storage_config: { type: 'file', root: path.join(alias, 'x') } }),
          "B's warehouse through a symlink",
        );
      } finally {
        await rm(alias);
      }
    });
  });
}
