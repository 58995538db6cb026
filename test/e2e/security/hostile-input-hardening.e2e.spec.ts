import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { AUTH_BACKENDS, AUTH_ENV, bearer, createTenantUser, createTenantWithAdmin, rootLogin, type TenantFixture } from '../auth/auth-support';
import { startTestApp, type TestApp } from '../../support/app-harness';
import { createTestBucket, s3TestEndpoint } from '../../storage/s3-test-env';
import { RawHttpClient, type RawResponse } from '../operations/support/raw-http';

/**
 * Client input and storage faults that used to end in a 5xx, a reset connection or a leak, in auth mode on
 * every SQL/memory backend. Where a route is also served by the lean path (loadTable, commit) the request goes
 * to two instances sharing one store: `lean` (default) and `framework` (every request through Nest).
 */

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] };
/** The same keys as JSON text: an object literal would give `__proto__` its special meaning. */
const PROTOTYPE_KEYS_JSON = '{"constructor":"y","__proto__":"p","toString":"t","hasOwnProperty":"h","valueOf":"v"}';

/** A schema whose one field is a list of lists of ... `depth` levels deep. */
function deeplyNestedSchema(depth: number): string {
  let type = '"long"';
  for (let level = 0; level < depth; level++) {
    type = `{"type":"list","element-id":${level + 2},"element-required":false,"element":${type}}`;
  }
  return `{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"deep","required":false,"type":${type}}]}`;
}

interface Answer {
  status: number;
  body: any;
  text: string;
}

async function ask(app: TestApp, method: string, urlPath: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  const res = await fetch(`${app.baseUrl}${urlPath}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

describe.each(AUTH_BACKENDS)('hostile input hardening [%s]', (kind) => {
  let lean: TestApp;
  let framework: TestApp;
  let raw: RawHttpClient;
  let fixture: TenantFixture;
  let admin: Record<string, string>;
  let warehouseRoot: string;
  let storageRoot: string;
  const both = () => [['lean', lean], ['framework', framework]] as const;

  beforeAll(async () => {
    // One storage root both instances may write to (each has its own data directory).
    storageRoot = await mkdtemp(path.join(tmpdir(), 'pangolin-hardening-storage-'));
    const env = {
      ...AUTH_ENV,
      LOG_LEVEL: 'silent',
      PANGOLIN_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      PANGOLIN_ALLOWED_STORAGE_ROOTS: storageRoot,
    };
    const discard = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
    lean = await startTestApp(kind, env, { logDestination: discard() });
    framework = await startTestApp(kind, env, { wrapPorts: () => lean.ports, hotRoutes: false, logDestination: discard() });
    raw = new RawHttpClient(lean.baseUrl);
    fixture = await createTenantWithAdmin(lean.http, await rootLogin(lean.http), 'hardening');
    admin = { ...bearer(fixture.adminToken), 'content-type': 'application/json' };
    warehouseRoot = path.join(storageRoot, 'shared-warehouse');
    await lean.http.post('/api/v1/warehouses').set(admin).send({ name: 'local', storage_config: { type: 'file', root: warehouseRoot } }).expect(201);
    await lean.http.post('/api/v1/catalogs').set(admin).send({ name: 'sales', warehouse_name: 'local' }).expect(201);
    await lean.http.post('/v1/sales/namespaces').set(admin).send({ namespace: ['ns'] }).expect(200);
    await lean.http.post('/v1/sales/namespaces/ns/tables').set(admin).send({ name: 'orders', schema: SCHEMA }).expect(200);
  });

  afterAll(async () => {
    raw?.close();
    await framework?.close();
    await lean?.close();
    if (storageRoot) await rm(storageRoot, { recursive: true, force: true });
  });

  describe('deeply nested schemas', () => {
    it('create-table with 10,000 nested list types is 400 naming the nesting, not a stack overflow', async () => {
      const body = `{"name":"deep","schema":${deeplyNestedSchema(10_000)}}`;
      const res = await ask(lean, 'POST', '/v1/sales/namespaces/ns/tables', admin, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/nest/i);
    });

    it('a commit adding such a schema is 400 on both paths', async () => {
      const body = `{"requirements":[],"updates":[{"action":"add-schema","schema":${deeplyNestedSchema(10_000)}}]}`;
      for (const [label, app] of both()) {
        const res = await ask(app, 'POST', '/v1/sales/namespaces/ns/tables/orders', admin, body);
        expect({ label, status: res.status }).toEqual({ label, status: 400 });
        expect(res.body.error.message).toMatch(/nest/i);
      }
    });

    it('a deep body holding a 64-bit integer (the lossless parser path) is 400', async () => {
      const body = `{"requirements":[],"updates":[{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":9223372036854775807,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}]}`;
      for (const [label, app] of both()) {
        const res = await ask(app, 'POST', '/v1/sales/namespaces/ns/tables/orders', admin, body);
        expect({ label, status: res.status }).toEqual({ label, status: 400 });
      }
    });

    it('a schema nested a few levels deep is still accepted', async () => {
      const res = await ask(lean, 'POST', '/v1/sales/namespaces/ns/tables', admin, `{"name":"nested_ok","schema":${deeplyNestedSchema(20)}}`);
      expect(res.status).toBe(200);
    });
  });

  describe('prototype member names as map keys', () => {
    it('catalog properties named constructor, __proto__, toString, hasOwnProperty are stored as plain keys', async () => {
      const res = await ask(lean, 'POST', '/api/v1/catalogs', admin, `{"name":"proto","properties":${PROTOTYPE_KEYS_JSON}}`);
      expect(res.status).toBe(201);
      const got = await ask(lean, 'GET', '/api/v1/catalogs/proto', admin);
      expect(got.status).toBe(200);
      expect(Object.entries(got.body.properties)).toEqual(expect.arrayContaining(Object.entries(JSON.parse(PROTOTYPE_KEYS_JSON))));
      const updated = await ask(lean, 'PUT', '/api/v1/catalogs/proto', admin, `{"properties":${PROTOTYPE_KEYS_JSON}}`);
      expect(updated.status).toBeLessThan(300);
    });

    it('namespace properties with those keys are stored and updated as plain keys', async () => {
      const created = await ask(lean, 'POST', '/v1/sales/namespaces', admin, `{"namespace":["protons"],"properties":${PROTOTYPE_KEYS_JSON}}`);
      expect(created.status).toBe(200);
      const loaded = await ask(lean, 'GET', '/v1/sales/namespaces/protons', admin);
      expect(loaded.status).toBe(200);
      expect(loaded.body.properties).toMatchObject(JSON.parse(PROTOTYPE_KEYS_JSON));
      const updated = await ask(lean, 'POST', '/v1/sales/namespaces/protons/properties', admin, `{"removals":["toString"],"updates":{"constructor":"z","__proto__":"q"}}`);
      expect(updated.status).toBe(200);
      const reloaded = await ask(lean, 'GET', '/v1/sales/namespaces/protons', admin);
      expect(reloaded.body.properties.constructor).toBe('z');
      expect(Object.prototype.hasOwnProperty.call(reloaded.body.properties, 'toString')).toBe(false);
    });

    it('table properties with those keys are stored as plain keys, on create and on commit (both paths)', async () => {
      const created = await ask(lean, 'POST', '/v1/sales/namespaces/ns/tables', admin, `{"name":"proto_t","schema":${JSON.stringify(SCHEMA)},"properties":${PROTOTYPE_KEYS_JSON}}`);
      expect(created.status).toBe(200);
      expect(created.body.metadata.properties).toMatchObject(JSON.parse(PROTOTYPE_KEYS_JSON));
      for (const [label, app] of both()) {
        const committed = await ask(app, 'POST', '/v1/sales/namespaces/ns/tables/proto_t', admin,
          `{"requirements":[],"updates":[{"action":"set-properties","updates":{"constructor":"${label}","__proto__":"${label}"}},{"action":"remove-properties","removals":["hasOwnProperty"]}]}`);
        expect({ label, status: committed.status }).toEqual({ label, status: 200 });
        expect(committed.body.metadata.properties.constructor).toBe(label);
        expect(Object.prototype.hasOwnProperty.call(committed.body.metadata.properties, 'hasOwnProperty')).toBe(false);
        const loaded = await ask(app, 'GET', '/v1/sales/namespaces/ns/tables/proto_t', admin);
        expect(loaded.body.metadata.properties.__proto__).toBe(label);
      }
    });

    it('a warehouse storage_config and vending strategy with those keys is not a 5xx', async () => {
      const res = await ask(lean, 'POST', '/api/v1/warehouses', admin,
        `{"name":"protowh","storage_config":{"type":"file","root":"${warehouseRoot}/p","constructor":"y","__proto__":"x"},"vending_strategy":{"constructor":{}}}`);
      expect(res.status).toBeLessThan(500);
      const ok = await ask(lean, 'POST', '/api/v1/warehouses', admin, `{"name":"protowh2","storage_config":{"type":"file","root":"${warehouseRoot}/p","constructor":"y","__proto__":"x"}}`);
      expect(ok.status).toBe(201);
      expect(ok.body.storage_config.constructor).toBe('y');
    });
  });

  describe('OAuth token form bodies', () => {
    const tokenPaths = ['/v1/oauth/tokens', '/v1/sales/v1/oauth/tokens', '/api/v1/iceberg/sales/oauth/tokens'];

    it('a form body above the OAuth limit is a 413 JSON error, not a reset connection', async () => {
      for (const tokenPath of tokenPaths) {
        const res = await raw.request({
          method: 'POST',
          path: tokenPath,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=client_credentials&client_id=x&client_secret=${'a'.repeat(64 * 1024)}`,
        });
        expect({ tokenPath, status: res.status }).toEqual({ tokenPath, status: 413 });
        expect(JSON.parse(res.body)).toEqual(expect.objectContaining({ error: expect.anything() }));
      }
    });

    it('a gzip-compressed form body is a 4xx JSON error, not a reset connection', async () => {
      for (const tokenPath of tokenPaths) {
        const res = await raw.request({
          method: 'POST',
          path: tokenPath,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
          body: gzipSync('grant_type=client_credentials&client_id=x&client_secret=y'),
        });
        expect({ tokenPath, status: [400, 415].includes(res.status) }).toEqual({ tokenPath, status: true });
        expect(JSON.parse(res.body)).toEqual(expect.objectContaining({ error: expect.anything() }));
      }
    });
  });

  describe('NUL in namespace levels, "." and ".." as catalog names', () => {
    const rejects = (res: RawResponse | Answer, what: string) => expect({ what, status: res.status }).toEqual({ what, status: 400 });

    it('a namespace level holding NUL is refused on create and on every address', async () => {
      rejects(await ask(lean, 'POST', '/v1/sales/namespaces', admin, JSON.stringify({ namespace: ['a\u0000b'] })), 'create namespace');
      rejects(await ask(lean, 'POST', '/v1/sales/namespaces', admin, JSON.stringify({ namespace: ['ns', '\u0000'] })), 'create child namespace');
      for (const [label, app] of both()) {
        const client = new RawHttpClient(app.baseUrl);
        try {
          for (const [method, p, body] of [
            ['GET', '/v1/sales/namespaces/a%00b', undefined],
            ['GET', '/v1/sales/namespaces/ns%1Fa%00b/tables', undefined],
            ['GET', '/v1/sales/namespaces/a%00b/tables/orders', undefined],
            ['POST', '/v1/sales/namespaces/a%00b/tables/orders', '{"requirements":[],"updates":[]}'],
            ['POST', '/v1/sales/namespaces/a%00b/tables', JSON.stringify({ name: 'x', schema: SCHEMA })],
            ['GET', '/v1/sales/namespaces?parent=a%00b', undefined],
          ] as const) {
            rejects(await client.request({ method, path: p, headers: admin, body }), `${label} ${method} ${p}`);
          }
        } finally {
          client.close();
        }
      }
      rejects(await raw.request({ method: 'GET', path: '/api/v1/catalogs/sales/namespaces/a%00b/assets', headers: admin }), 'management assets');
    });

    it('catalog names "." and ".." are refused on create and on every address', async () => {
      for (const name of ['.', '..']) {
        rejects(await ask(lean, 'POST', '/api/v1/catalogs', admin, JSON.stringify({ name, warehouse_name: 'local' })), `create catalog ${name}`);
      }
      for (const [label, app] of both()) {
        const client = new RawHttpClient(app.baseUrl);
        try {
          for (const prefix of ['%2E', '%2E%2E']) {
            for (const [method, p, body] of [
              ['GET', `/v1/${prefix}/namespaces`, undefined],
              ['GET', `/v1/${prefix}/namespaces/ns/tables/orders`, undefined],
              ['POST', `/v1/${prefix}/namespaces/ns/tables/orders`, '{"requirements":[],"updates":[]}'],
              ['GET', `/api/v1/catalogs/${prefix}`, undefined],
              ['GET', `/api/v1/catalogs/${prefix}/namespaces/tree`, undefined],
            ] as const) {
              rejects(await client.request({ method, path: p, headers: admin, body }), `${label} ${method} ${p}`);
            }
          }
        } finally {
          client.close();
        }
      }
      // A catalog named in a management body (the admin skips the permission check: the service resolves it).
      rejects(await ask(lean, 'POST', '/api/v1/branches', admin, JSON.stringify({ name: 'b', catalog: '..', from_branch: 'main' })), 'branch in catalog ..');
      // A tenant user is authorized against the catalog first: the same 400, not a 404 from the lookup.
      const user = await createTenantUser(lean.http, fixture, `dots-${kind}`);
      for (const [label, app] of both()) {
        const client = new RawHttpClient(app.baseUrl);
        try {
          for (const p of ['/v1/%2E%2E/namespaces', '/v1/%2E/namespaces/ns/tables/orders', '/api/v1/catalogs/%2E%2E', '/api/v1/branches?catalog=..']) {
            rejects(await client.request({ method: 'GET', path: p, headers: bearer(user.token) }), `tenant user ${label} GET ${p}`);
          }
        } finally {
          client.close();
        }
      }
    });
  });

  describe('management JSON bodies', () => {
    it('invalid UTF-8 in a management JSON body is 400, as on Iceberg routes', async () => {
      const body = Buffer.concat([Buffer.from('{"name":"bad'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      const res = await ask(lean, 'POST', '/api/v1/catalogs', admin, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/UTF-8/);
      const iceberg = await ask(lean, 'POST', '/v1/sales/namespaces', admin, Buffer.concat([Buffer.from('{"namespace":["bad'), Buffer.from([0xff]), Buffer.from('"]}')]));
      expect(iceberg.status).toBe(400);
      expect((await ask(lean, 'GET', '/api/v1/catalogs', admin)).body.map((c: { name: string }) => c.name)).not.toContain('bad\ufffd(');
    });
  });

  describe('warehouse secret masking', () => {
    it('SSE keys, customer and encryption keys and SAS tokens are masked in responses', async () => {
      const secrets = {
        's3.sse.key': 'sse-secret-1',
        'sse-key': 'sse-secret-2',
        's3.sse.customer-key': 'sse-secret-3',
        'customer-key': 'sse-secret-4',
        'encryption-key': 'sse-secret-5',
        'adls.sas': 'sse-secret-6',
        'adls.sas-token.account': 'sse-secret-7',
        sas: 'sse-secret-8',
      };
      const res = await ask(lean, 'POST', '/api/v1/warehouses', admin, JSON.stringify({ name: 'sse', storage_config: { type: 's3', 's3.bucket': 'b', 's3.sse.type': 'sse-c', ...secrets } }));
      expect(res.status).toBe(201);
      const listed = await ask(lean, 'GET', '/api/v1/warehouses', admin);
      const got = await ask(lean, 'GET', '/api/v1/warehouses/sse', admin);
      for (const text of [res.text, listed.text, got.text]) expect(text).not.toMatch(/sse-secret/);
      expect(got.body.storage_config['s3.sse.type']).toBe('sse-c');
      expect(got.body.storage_config['s3.bucket']).toBe('b');
    });
  });

  describe('storage failures', () => {
    it('a table name too long for the filesystem is 400, without server paths', async () => {
      const res = await ask(lean, 'POST', '/v1/sales/namespaces/ns/tables', admin, JSON.stringify({ name: 'n'.repeat(10_000), schema: SCHEMA }));
      expect(res.status).toBe(400);
      expect(res.text).not.toContain(lean.dataDir);
      expect(res.text).not.toContain(warehouseRoot);
    });

    it('a table metadata directory that is a file is 503 naming object storage, without server paths (both paths)', async () => {
      await ask(lean, 'POST', '/v1/sales/namespaces/ns/tables', admin, JSON.stringify({ name: 'blocked', schema: SCHEMA })).then((r) => expect(r.status).toBe(200));
      // Both instances have the current metadata cached: only the write of the next file meets the fault.
      for (const [, app] of both()) expect((await ask(app, 'GET', '/v1/sales/namespaces/ns/tables/blocked', admin)).status).toBe(200);
      const metadataDir = path.join(warehouseRoot, fixture.tenantId, 'sales', 'ns', 'blocked', 'metadata');
      await rm(metadataDir, { recursive: true, force: true });
      await writeFile(metadataDir, 'not a directory');
      for (const [label, app] of both()) {
        const res = await ask(app, 'POST', '/v1/sales/namespaces/ns/tables/blocked', admin, JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { a: label } }] }));
        expect({ label, status: res.status }).toEqual({ label, status: 503 });
        expect(res.body.error.message).toMatch(/^Object storage is unavailable/);
        expect(res.body.error.message).toContain('ns.blocked');
        expect(res.text).not.toContain(warehouseRoot);
        expect(res.text).not.toMatch(/metadata backend/);
      }
      await rm(metadataDir, { force: true });
      await mkdir(metadataDir);
    });

    it('an S3 warehouse whose endpoint does not answer is 503 naming object storage', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      await lean.http.post('/api/v1/warehouses').set(admin).send({
        name: 'down',
        storage_config: { type: 's3', 's3.bucket': 'b', 's3.endpoint': `http://127.0.0.1:${port}`, 's3.region': 'us-east-1', 's3.access-key-id': 'k', 's3.secret-access-key': 's', 's3.path-style-access': 'true' },
      }).expect(201);
      await lean.http.post('/api/v1/catalogs').set(admin).send({ name: 'downcat', warehouse_name: 'down' }).expect(201);
      await lean.http.post('/v1/downcat/namespaces').set(admin).send({ namespace: ['ns'] }).expect(200);
      const res = await ask(lean, 'POST', '/v1/downcat/namespaces/ns/tables', admin, JSON.stringify({ name: 't', schema: SCHEMA }));
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/^Object storage is unavailable/);
    }, 60_000);
  });

  describe('credentials handed to readers', () => {
    let reader: { id: string; token: string };
    let s3: { endpoint: string; accessKey: string; secretKey: string };

    beforeAll(async () => {
      s3 = s3TestEndpoint();
      const bucket = await createTestBucket('vending');
      const storage = {
        type: 's3', 's3.bucket': bucket, 's3.endpoint': s3.endpoint, 's3.region': 'us-east-1',
        's3.access-key-id': s3.accessKey, 's3.secret-access-key': s3.secretKey, 's3.path-style-access': 'true',
      };
      await lean.http.post('/api/v1/warehouses').set(admin).send({ name: 's3none', storage_config: storage }).expect(201);
      await lean.http.post('/api/v1/warehouses').set(admin).send({
        name: 's3static', storage_config: storage, vending_strategy: { AwsStatic: { access_key_id: 'READER-KEY', secret_access_key: 'reader-secret' } },
      }).expect(201);
      reader = await createTenantUser(lean.http, fixture, `reader-${kind}`);
      for (const [catalog, warehouse] of [['vnone', 's3none'], ['vstatic', 's3static']]) {
        const created = await lean.http.post('/api/v1/catalogs').set(admin).send({ name: catalog, warehouse_name: warehouse }).expect(201);
        await lean.http.post(`/v1/${catalog}/namespaces`).set(admin).send({ namespace: ['ns'] }).expect(200);
        await lean.http.post(`/v1/${catalog}/namespaces/ns/tables`).set(admin).send({ name: 't', schema: SCHEMA }).expect(200);
        const asset = await lean.http.get(`/api/v1/catalogs/${catalog}/namespaces/ns/assets/t`).set(admin).expect(200);
        await lean.http.post('/api/v1/permissions').set(bearer(fixture.adminToken))
          .send({ 'user-id': reader.id, scope: { type: 'asset', catalog_id: created.body.id, namespace: 'ns', asset_id: asset.body.id }, actions: ['read'] })
          .expect(201);
      }
    });

    it('a reader gets no static storage keys when the warehouse vends nothing (both paths)', async () => {
      for (const [label, app] of both()) {
        const res = await ask(app, 'GET', '/v1/vnone/namespaces/ns/tables/t', bearer(reader.token));
        expect({ label, status: res.status }).toEqual({ label, status: 200 });
        expect(res.body.config['s3.endpoint']).toBe(s3.endpoint);
        expect(res.body.config['s3.secret-access-key']).toBeUndefined();
        expect(res.body.config['s3.access-key-id']).toBeUndefined();
      }
    });

    it('a caller who may write the table gets the warehouse keys (both paths)', async () => {
      for (const [label, app] of both()) {
        const res = await ask(app, 'GET', '/v1/vnone/namespaces/ns/tables/t', bearer(fixture.adminToken));
        expect({ label, status: res.status }).toEqual({ label, status: 200 });
        expect(res.body.config['s3.access-key-id']).toBe(s3.accessKey);
        expect(res.body.config['s3.secret-access-key']).toBe(s3.secretKey);
      }
    });

    it('with the AwsStatic strategy a reader gets the strategy keys, never the storage_config keys (both paths)', async () => {
      for (const [label, app] of both()) {
        const res = await ask(app, 'GET', '/v1/vstatic/namespaces/ns/tables/t', bearer(reader.token));
        expect({ label, status: res.status }).toEqual({ label, status: 200 });
        expect(res.body.config['s3.access-key-id']).toBe('READER-KEY');
        expect(res.body.config['s3.secret-access-key']).toBe('reader-secret');
      }
    });
  });
});

describe('idle keep-alive connections', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp('memory');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the listening server keeps idle connections longer than load balancers do (75 s, headers 76 s by default)', () => {
    const server = app.app.getHttpServer() as http.Server;
    expect(server.keepAliveTimeout).toBe(75_000);
    expect(server.headersTimeout).toBe(76_000);
  });

  it('a connection idle for 6 s is still open and serves the next request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(`${app.baseUrl}/health/live`, { agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
    try {
      expect(await get()).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await get()).toBe(200);
      // One socket served both requests: the server did not close it while idle.
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  }, 20_000);
});
