import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { ValidationError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { ConfigModule } from '../../src/config/config.module';
import type { Warehouse } from '../../src/persistence/models';
import { InvalidLocationError, StorageUnavailableError } from '../../src/storage/errors';
import { LocalFileIO } from '../../src/storage/local-file-io';
import { MemoryFileIO } from '../../src/storage/memory-file-io';
import { MetadataBytesCache } from '../../src/storage/metadata-bytes-cache';
import { ObjectStorage } from '../../src/storage/object-storage.service';
import { S3FileIO } from '../../src/storage/s3-file-io';
import { StorageModule } from '../../src/storage/storage.module';
import { createTestBucket, s3TestEndpoint } from './s3-test-env';

const TENANT = '00000000-0000-0000-0000-000000000000';
const OTHER_TENANT = '11111111-1111-1111-1111-111111111111';

function warehouse(name: string, storageConfig: Record<string, string>, tenantId = TENANT): Warehouse {
  return { id: randomUUID(), tenantId, name, useSts: false, storageConfig, vendingStrategy: null };
}

describe('ObjectStorage', () => {
  let dataDir: string;
  let moduleRef: TestingModule;
  let storage: ObjectStorage;
  let bucket: string;

  beforeAll(async () => {
    bucket = await createTestBucket('objstore');
  });

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pangolin-storage-'));
    const config = loadConfig({ PANGOLIN_DATA_DIR: dataDir, PANGOLIN_METADATA_CACHE_BYTES: '4096' });
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), StorageModule] }).compile();
    storage = moduleRef.get(ObjectStorage);
  });

  afterEach(async () => {
    await moduleRef.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** An S3 warehouse on the test server, in either key spelling. */
  function s3Warehouse(name: string, spelling: 's3.*' | 'plain', extra: Record<string, string> = {}, tenantId = TENANT): Warehouse {
    const { endpoint, accessKey, secretKey } = s3TestEndpoint();
    const config: Record<string, string> =
      spelling === 's3.*'
        ? { type: 's3', 's3.bucket': bucket, 's3.endpoint': endpoint, 's3.region': 'us-east-1', 's3.access-key-id': accessKey, 's3.secret-access-key': secretKey, 's3.path-style-access': 'true' }
        : { type: 's3', bucket, endpoint, region: 'us-east-1', access_key_id: accessKey, secret_access_key: secretKey };
    return warehouse(name, { ...config, ...extra }, tenantId);
  }

  describe('module wiring', () => {
    it('provides ObjectStorage and a MetadataBytesCache bounded by the configuration', () => {
      expect(storage.defaultWarehouseLocation).toBe(`file://${dataDir}/warehouse`);
      const cache = moduleRef.get(MetadataBytesCache);
      expect(cache.maxBytes).toBe(4096);
      cache.set('file:///x', Buffer.alloc(5000));
      expect(cache.stats().entries).toBe(0);
    });
  });

  describe('choosing a FileIO', () => {
    it('serves file:// locations from the local filesystem (the default warehouse)', async () => {
      const location = `${storage.warehouseRootLocation(null)}/cat/ns/t/metadata/00000-a.metadata.json`;
      const io = storage.fileIoFor(location, null);
      expect(io).toBeInstanceOf(LocalFileIO);
      await io.write(location, Buffer.from('{"a":1}'));
      expect(await fs.readFile(path.join(dataDir, 'warehouse/cat/ns/t/metadata/00000-a.metadata.json'), 'utf8')).toBe('{"a":1}');
    });

    it('serves mem:// locations from one process-memory store', async () => {
      const memoryWarehouse = warehouse('mem-wh', { type: 'memory' });
      const root = storage.warehouseRootLocation(memoryWarehouse);
      const io = storage.fileIoFor(`${root}/t/a.json`, memoryWarehouse);
      expect(io).toBeInstanceOf(MemoryFileIO);
      await io.write(`${root}/t/a.json`, Buffer.from('m'));
      expect((await storage.fileIoFor(`${root}/t/a.json`, null).read(`${root}/t/a.json`)).toString()).toBe('m');
    });

    it.each(['s3.*', 'plain'] as const)('serves an S3 warehouse configured with the %s key spelling', async (spelling) => {
      const wh = s3Warehouse(`wh-${spelling}`, spelling);
      const root = `s3://${bucket}/${spelling === 'plain' ? 'plain' : 'dotted'}-${randomBytes(4).toString('hex')}`;
      const io = storage.fileIoFor(`${root}/t/metadata/00000-a.metadata.json`, wh);
      expect(io).toBeInstanceOf(S3FileIO);
      await io.write(`${root}/t/metadata/00000-a.metadata.json`, Buffer.from('{"v":1}'));
      await io.write(`${root}/t/metadata/00001-b.metadata.json`, Buffer.from('{"v":2}'));
      expect((await io.read(`${root}/t/metadata/00000-a.metadata.json`)).toString()).toBe('{"v":1}');
      expect(await io.exists(`${root}/t/metadata/00001-b.metadata.json`)).toBe(true);
      await io.delete(`${root}/t/metadata/00001-b.metadata.json`);
      expect(await io.exists(`${root}/t/metadata/00001-b.metadata.json`)).toBe(false);
    });

    it("uses the warehouse's credentials (an unknown key id in the config is refused by the store)", async () => {
      const wh = s3Warehouse('wh-bad-key', 's3.*', { 's3.access-key-id': 'UNKNOWNKEY' });
      const location = `s3://${bucket}/bad-key/a.json`;
      await expect(storage.fileIoFor(location, wh).write(location, Buffer.from('x'))).rejects.toBeInstanceOf(StorageUnavailableError);
    });

    it('refuses an S3 warehouse config that cannot work', () => {
      const wh = warehouse('half-creds', { type: 's3', bucket, 's3.access-key-id': 'AKIA' });
      expect(() => storage.fileIoFor(`s3://${bucket}/x.json`, wh)).toThrow(ValidationError);
    });

    it.each(['gs://bucket/t/a.json', 'abfss://c@acct.dfs.core.windows.net/a.json', 'http://host/a.json', 'relative/a.json', 's3://b/../a.json'])(
      'refuses %s with a ValidationError',
      (location) => {
        expect(() => storage.fileIoFor(location, null)).toThrow(ValidationError);
      },
    );
  });

  describe('client cache', () => {
    it('builds one client per warehouse configuration and reuses it', () => {
      const wh = s3Warehouse('cached', 's3.*');
      const first = storage.fileIoFor(`s3://${bucket}/a.json`, wh) as S3FileIO;
      const second = storage.fileIoFor(`s3://${bucket}/other/b.json`, wh) as S3FileIO;
      expect(second).toBe(first);
      expect(second.client).toBe(first.client);

      // The same configuration read again from the database (new objects, other key order) is the same client.
      const reloaded: Warehouse = { ...wh, storageConfig: Object.fromEntries(Object.entries(wh.storageConfig).reverse()) };
      expect(storage.fileIoFor(`s3://${bucket}/c.json`, reloaded)).toBe(first);
    });

    it('builds a new client after the configuration changes, and the new one works', async () => {
      const wh = s3Warehouse('changing', 'plain');
      const before = storage.fileIoFor(`s3://${bucket}/a.json`, wh) as S3FileIO;
      const updated: Warehouse = { ...wh, storageConfig: { ...wh.storageConfig, region: 'eu-west-1' } };
      const after = storage.fileIoFor(`s3://${bucket}/a.json`, updated) as S3FileIO;
      expect(after).not.toBe(before);
      expect(after.client).not.toBe(before.client);
      expect(await after.client.config.region()).toBe('eu-west-1');
      expect(storage.fileIoFor(`s3://${bucket}/a.json`, updated)).toBe(after);

      const location = `s3://${bucket}/changed-${randomBytes(4).toString('hex')}/a.json`;
      await after.write(location, Buffer.from('after'));
      expect((await after.read(location)).toString()).toBe('after');
    });

    it('keeps warehouses of different tenants apart even when names and configs match', () => {
      const mine = s3Warehouse('shared-name', 's3.*');
      const theirs = { ...s3Warehouse('shared-name', 's3.*', {}, OTHER_TENANT), storageConfig: mine.storageConfig };
      expect(storage.fileIoFor(`s3://${bucket}/a.json`, mine)).not.toBe(storage.fileIoFor(`s3://${bucket}/a.json`, theirs));
    });

    it('serves s3:// locations outside any S3 warehouse with one environment-configured client', () => {
      const a = storage.fileIoFor(`s3://${bucket}/a.json`, null);
      expect(a).toBeInstanceOf(S3FileIO);
      expect(storage.fileIoFor(`s3://${bucket}/b.json`, warehouse('files', { type: 'file', root: dataDir }))).toBe(a);
    });
  });

  describe('environment fallback', () => {
    it('takes the endpoint and credentials a warehouse leaves out from the environment', async () => {
      const { endpoint, accessKey, secretKey } = s3TestEndpoint();
      const env = { S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey };
      const fromEnv = new ObjectStorage({ dataDir }, env);
      try {
        const location = `s3://${bucket}/env-${randomBytes(4).toString('hex')}/a.json`;
        const bare = warehouse('bucket-only', { 's3.bucket': bucket });
        await fromEnv.fileIoFor(location, bare).write(location, Buffer.from('env'));
        expect((await fromEnv.fileIoFor(location, null).read(location)).toString()).toBe('env');
      } finally {
        await fromEnv.onModuleDestroy();
      }
    });
  });

  describe('warehouse roots and location containment', () => {
    it('the default warehouse: file://<data dir>/warehouse', () => {
      const root = storage.defaultWarehouseLocation;
      expect(storage.warehouseRootLocation(null)).toBe(root);
      expect(storage.isLocationInsideWarehouse(`${root}/cat/ns/t`, null)).toBe(true);
      expect(storage.isLocationInsideWarehouse(root, null)).toBe(false);
      expect(storage.isLocationInsideWarehouse(`${root}/../secrets`, null)).toBe(false);
      expect(storage.isLocationInsideWarehouse(`${root}/cat/../../etc`, null)).toBe(false);
      expect(storage.isLocationInsideWarehouse(`${root}-other/cat/t`, null)).toBe(false);
      expect(storage.isLocationInsideWarehouse('s3://warehouse/cat/t', null)).toBe(false);
      expect(storage.isLocationInsideWarehouse('file:///etc/passwd', null)).toBe(false);
      // An explicit default root overrides the server's own.
      expect(storage.isLocationInsideWarehouse('file:///srv/other/cat/t', null, 'file:///srv/other')).toBe(true);
    });

    it('an S3 warehouse: its bucket, in either spelling, s3a/s3n included', () => {
      const dotted = warehouse('s3-dotted', { 's3.bucket': 'lake' });
      const plain = warehouse('s3-plain', { type: 'S3', bucket: 'lake' });
      for (const wh of [dotted, plain]) {
        expect(storage.warehouseRootLocation(wh)).toBe('s3://lake');
        expect(storage.isLocationInsideWarehouse('s3://lake/cat/ns/t', wh)).toBe(true);
        expect(storage.isLocationInsideWarehouse('s3a://lake/cat/ns/t', wh)).toBe(true);
        expect(storage.isLocationInsideWarehouse('s3://lake', wh)).toBe(false);
        expect(storage.isLocationInsideWarehouse('s3://lake2/cat/t', wh)).toBe(false);
        expect(storage.isLocationInsideWarehouse('s3://lake/cat/../../x', wh)).toBe(false);
        expect(storage.isLocationInsideWarehouse('mem://lake/cat/t', wh)).toBe(false);
        expect(storage.isLocationInsideWarehouse('file:///lake/cat/t', wh)).toBe(false);
      }
      expect(storage.warehouseRootLocation(warehouse('no-bucket', {}))).toBe('s3://warehouse');
    });

    it('an S3 warehouse with a prefix: below bucket/prefix only', () => {
      const configs: Record<string, string>[] = [{ 's3.bucket': 'lake', 's3.prefix': 'team/a' }, { bucket: 'lake', prefix: '/team/a/' }];
      for (const config of configs) {
        const wh = warehouse('s3-prefixed', config);
        expect(storage.warehouseRootLocation(wh)).toBe('s3://lake/team/a');
        expect(storage.isLocationInsideWarehouse('s3://lake/team/a/cat/t', wh)).toBe(true);
        expect(storage.isLocationInsideWarehouse('s3://lake/team/b/cat/t', wh)).toBe(false);
        expect(storage.isLocationInsideWarehouse('s3://lake/team/a', wh)).toBe(false);
      }
      expect(() => storage.warehouseRootLocation(warehouse('s3-dots', { bucket: 'lake', prefix: 'a/../b' }))).toThrow(ValidationError);
    });

    it('a file warehouse: below its root only', () => {
      const wh = warehouse('files', { type: 'file', root: `${dataDir}/wh/` });
      expect(storage.warehouseRootLocation(wh)).toBe(`file://${dataDir}/wh`);
      expect(storage.warehouseRootLocation(warehouse('files2', { type: 'file', root: `file://${dataDir}/wh` }))).toBe(`file://${dataDir}/wh`);
      expect(storage.isLocationInsideWarehouse(`file://${dataDir}/wh/cat/t`, wh)).toBe(true);
      expect(storage.isLocationInsideWarehouse(`file:${dataDir}/wh/cat/t`, wh)).toBe(true);
      expect(storage.isLocationInsideWarehouse(`file://${dataDir}/wh/../warehouse/t`, wh)).toBe(false);
      expect(storage.isLocationInsideWarehouse(`file://${dataDir}/wh2/t`, wh)).toBe(false);
      expect(storage.isLocationInsideWarehouse(`file://${dataDir}/warehouse/cat/t`, wh)).toBe(false);
      expect(storage.isLocationInsideWarehouse(`s3://wh/cat/t`, wh)).toBe(false);
    });

    it('a memory warehouse: mem://<root or warehouse id>', () => {
      const wh = warehouse('mem', { type: 'memory' });
      expect(storage.warehouseRootLocation(wh)).toBe(`mem://${wh.id}`);
      expect(storage.isLocationInsideWarehouse(`mem://${wh.id}/cat/t`, wh)).toBe(true);
      const rooted = warehouse('mem2', { type: 'memory', root: 'mem://tests/run-1/' });
      expect(storage.warehouseRootLocation(rooted)).toBe('mem://tests/run-1');
      expect(storage.isLocationInsideWarehouse('mem://tests/run-1/cat/t', rooted)).toBe(true);
      expect(storage.isLocationInsideWarehouse('mem://tests/run-2/cat/t', rooted)).toBe(false);
    });

    it.each([
      [{ type: 'file' }, 'needs storage_config.root'],
      [{ type: 'file', root: 'relative/dir' }, 'must be an absolute directory'],
      [{ type: 'file', root: '/' }, 'cannot be the filesystem root'],
      [{ type: 'memory', root: 's3://x' }, 'must be a mem:// location'],
      [{ type: 'azure', 'azure.container': 'c' }, "storage type 'azure'"],
      [{ type: 'gcs', 'gcp.bucket': 'g' }, "storage type 'gcs'"],
    ])('a warehouse that cannot be served (%j) has no root and contains nothing', (config, message) => {
      const wh = warehouse('unserved', config as Record<string, string>);
      expect(() => storage.warehouseRootLocation(wh)).toThrow(ValidationError);
      expect(() => storage.warehouseRootLocation(wh)).toThrow(message);
      expect(storage.isLocationInsideWarehouse('s3://x/t', wh)).toBe(false);
    });

    it('assertLocationInsideWarehouse says why a location is refused', () => {
      const wh = warehouse('lake-wh', { 's3.bucket': 'lake' });
      expect(() => storage.assertLocationInsideWarehouse('s3://lake/cat/t', wh)).not.toThrow();
      expect(() => storage.assertLocationInsideWarehouse('s3://other/cat/t', wh)).toThrow(
        "Invalid location 's3://other/cat/t': it is not inside warehouse 'lake-wh' (s3://lake)",
      );
      expect(() => storage.assertLocationInsideWarehouse('s3://lake/a/../../b', wh)).toThrow("'.' and '..' path segments are not allowed");
      expect(() => storage.assertLocationInsideWarehouse('file:///etc/t', null)).toThrow(InvalidLocationError);
      expect(() => storage.assertLocationInsideWarehouse('file:///etc/t', null)).toThrow('the default warehouse');
    });
  });
});
