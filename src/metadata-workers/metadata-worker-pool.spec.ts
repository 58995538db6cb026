import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformSync } from '@swc/core';
import { Test } from '@nestjs/testing';
import type { Piscina } from 'piscina';
import { ConflictError, ValidationError } from '../common/errors';
import { parseJsonLossless } from '../common/lossless-json';
import { ConfigModule } from '../config/config.module';
import { loadConfig } from '../config/config';
import {
  InvalidTableUpdateError,
  RequirementFailedError,
  StoredMetadataUnreadableError,
  UnknownTableChangeError,
} from '../iceberg/metadata';
import {
  fixtureBytes,
  generateTableMetadataText,
  generatedSnapshotId,
} from '../../test/fixtures/iceberg-table-metadata/fixtures';
import { loadTableResultBytes } from './load-table-result';
import { MetadataResult, MetadataWorkerPool } from './metadata-worker-pool';
import { MetadataWorkersModule } from './metadata-workers.module';

const createCtx = { location: 's3://warehouse/db/t', tableUuid: '5d4b2a3c-1e0f-4a9b-8c7d-6e5f4a3b2c1d', nowMs: 1700000000000 };
const LOCATION = 's3://bucket/test/location/metadata/00001-0b0e7d3a-5c1f-4f39-9d68-2f1b1c0e9a11.metadata.json';

const json = (value: string) => Buffer.from(value, 'utf8');

function appendBody(parent: bigint, id: bigint, sequenceNumber: number): Buffer {
  return json(
    `{"identifier":{"namespace":["db"],"name":"t"},` +
      `"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":${parent}}],` +
      `"updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":${id},"parent-snapshot-id":${parent},` +
      `"sequence-number":${sequenceNumber},"timestamp-ms":1800000000000,"manifest-list":"s3://m/snap-${id}.avro",` +
      `"summary":{"operation":"append"}}},{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":${id}}]}`,
  );
}

/** Runs `fn` and counts the setImmediate turns the event loop completes until it settles. */
async function countEventLoopTurns<T>(fn: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const turn = () => {
    if (!running) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  try {
    const result = await fn();
    return { result, turns };
  } finally {
    running = false;
  }
}

describe('MetadataWorkerPool', () => {
  let workers: MetadataWorkerPool;
  let inline: MetadataWorkerPool;

  beforeAll(() => {
    workers = MetadataWorkerPool.create({ workerThreads: 2, inlineMaxBytes: 0 });
    inline = MetadataWorkerPool.create({ workerThreads: 0, inlineMaxBytes: 0 });
  });
  afterAll(async () => {
    await workers.destroy();
    await inline.destroy();
  });

  async function both(run: (pool: MetadataWorkerPool) => Promise<MetadataResult>): Promise<MetadataResult> {
    const completed = workers.stats().completed;
    const fromWorker = await run(workers);
    const fromInline = await run(inline);
    expect(workers.stats().completed).toBe(completed + 1); // it really ran in a worker thread
    expect(fromWorker.summary).toEqual(fromInline.summary);
    expect(Buffer.compare(fromWorker.metadataBytes, fromInline.metadataBytes)).toBe(0);
    return fromWorker;
  }

  it('creates table metadata identically in a worker and inline', async () => {
    const request = json(
      '{"name":"t","schema":{"type":"struct","fields":[{"id":1,"name":"id","required":true,"type":"long"}]},"properties":{"a":"b"}}',
    );
    const result = await both((pool) => pool.createTable(request, createCtx));
    expect(result.summary).toEqual({
      formatVersion: 2,
      tableUuid: createCtx.tableUuid,
      location: 's3://warehouse/db/t',
      currentSnapshotId: null,
      lastSequenceNumber: '0',
      changed: true,
    });
    expect(parseJsonLossless(result.metadataBytes)).toMatchObject({ properties: { a: 'b' }, 'last-column-id': 1 });
  });

  it('commits identically in a worker and inline, with 64-bit ids kept exact', async () => {
    const current = { bytes: fixtureBytes('TableMetadataV2Valid.json'), location: LOCATION };
    const result = await both((pool) =>
      pool.commitTable(current, appendBody(3055729675574597004n, 9223372036854775807n, 35), { nowMs: 1800000000001 }),
    );
    expect(result.summary).toMatchObject({ currentSnapshotId: '9223372036854775807', lastSequenceNumber: '35', changed: true });
    const text = result.metadataBytes.toString('utf8');
    expect(text).toContain('"current-snapshot-id":9223372036854775807');
    expect(text).toContain(`"metadata-log":[{"timestamp-ms":1602638573590,"metadata-file":"${LOCATION}"}]`);
  });

  it('returns the current bytes untouched for a no-op commit', async () => {
    const bytes = fixtureBytes('TableMetadataV2Valid.json');
    const body = json('{"requirements":[{"type":"assert-current-schema-id","current-schema-id":1}],"updates":[{"action":"set-properties","updates":{}}]}');
    const result = await both((pool) => pool.commitTable({ bytes, location: LOCATION }, body, { nowMs: 1 }));
    expect(result.summary.changed).toBe(false);
    expect(result.metadataBytes.equals(bytes)).toBe(true);
  });

  it('runs a create transaction (no current metadata) identically given the same table uuid', async () => {
    const body = json(
      '{"requirements":[{"type":"assert-create"}],"updates":[{"action":"add-schema","schema":{"type":"struct","fields":[{"id":1,"name":"a","required":false,"type":"string"}]}},' +
        '{"action":"set-current-schema","schema-id":-1},{"action":"set-location","location":"s3://w/db/t"}]}',
    );
    const result = await both((pool) => pool.commitTable(null, body, { nowMs: 5, tableUuid: createCtx.tableUuid }));
    expect(result.summary).toMatchObject({ tableUuid: createCtx.tableUuid, location: 's3://w/db/t', changed: true });
    const generated = await workers.commitTable(null, body, { nowMs: 5 });
    expect(generated.summary.tableUuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('validates and repairs legacy files identically, and passes valid files through unchanged', async () => {
    const legacy = await both((pool) => pool.validateMetadataFile(fixtureBytes('TableMetadataV2MissingLastPartitionId.json')));
    expect(legacy.summary.changed).toBe(true);
    expect(parseJsonLossless(legacy.metadataBytes)).toMatchObject({ 'last-partition-id': 1000 });
    const valid = fixtureBytes('TableMetadataV3ValidMinimal.json');
    const same = await both((pool) => pool.validateMetadataFile(valid));
    expect(same.summary).toMatchObject({ formatVersion: 3, changed: false });
    expect(same.metadataBytes.equals(valid)).toBe(true);
  });

  it('never detaches or changes the caller\'s buffers (they may live in a cache)', async () => {
    const bytes = fixtureBytes('TableMetadataV2Valid.json');
    const copy = Buffer.from(bytes);
    const body = appendBody(3055729675574597004n, 77n, 35);
    await workers.commitTable({ bytes, location: LOCATION }, body, { nowMs: 1 });
    expect(bytes.byteLength).toBe(copy.byteLength);
    expect(bytes.equals(copy)).toBe(true);
    expect(body.byteLength).toBeGreaterThan(0);
  });

  it('returns worker results in shared memory and takes them back as they are on the next commit', async () => {
    const first = await workers.commitTable(
      { bytes: fixtureBytes('TableMetadataV2Valid.json'), location: LOCATION },
      appendBody(3055729675574597004n, 77n, 35),
      { nowMs: 1 },
    );
    expect(Object.prototype.toString.call(first.metadataBytes.buffer)).toBe('[object SharedArrayBuffer]');
    const before = Buffer.from(first.metadataBytes);
    const shared = workers.stats().sharedInputs;
    const second = await workers.commitTable({ bytes: first.metadataBytes, location: LOCATION }, appendBody(77n, 78n, 36), {
      nowMs: 2,
    });
    expect(workers.stats().sharedInputs).toBe(shared + 1);
    // The shared input is neither detached nor changed (it may be the cached copy served to readers).
    expect(first.metadataBytes.equals(before)).toBe(true);
    expect(second.summary).toMatchObject({ currentSnapshotId: '78', lastSequenceNumber: '36' });
    const fromCopy = await inline.commitTable({ bytes: before, location: LOCATION }, appendBody(77n, 78n, 36), { nowMs: 2 });
    expect(Buffer.compare(second.metadataBytes, fromCopy.metadataBytes)).toBe(0);
  });

  describe('errors keep their class across the thread boundary', () => {
    const current = () => ({ bytes: fixtureBytes('TableMetadataV2Valid.json'), location: LOCATION });

    it.each<[string, () => Parameters<MetadataWorkerPool['commitTable']>, new (...args: never[]) => Error, string]>([
      ['a failed requirement (409)', () => [current(), appendBody(1n, 2n, 35), { nowMs: 1 }], RequirementFailedError, 'Requirement failed: assert-ref-snapshot-id'],
      ['an unknown update (400)', () => [current(), json('{"requirements":[],"updates":[{"action":"explode"}]}'), { nowMs: 1 }], UnknownTableChangeError, "Unknown table update action 'explode'"],
      ['an invalid update (400)', () => [current(), json('{"requirements":[],"updates":[{"action":"set-current-schema","schema-id":42}]}'), { nowMs: 1 }], InvalidTableUpdateError, 'schema 42 does not exist'],
      ['malformed JSON (400)', () => [current(), json('{"requirements":['), { nowMs: 1 }], ValidationError, 'Malformed JSON'],
      ['a body without updates (400)', () => [current(), json('{"requirements":[]}'), { nowMs: 1 }], ValidationError, 'no "updates" array'],
      ['an unreadable stored file (500)', () => [{ bytes: json('{"format-version":2}'), location: LOCATION }, json('{"requirements":[],"updates":[]}'), { nowMs: 1 }], StoredMetadataUnreadableError, LOCATION],
    ])('%s', async (_label, args, errorClass, message) => {
      for (const pool of [workers, inline]) {
        const error = await pool.commitTable(...args()).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(errorClass);
        expect((error as Error).message).toContain(message);
      }
    });

    it('keeps the fields of the error', async () => {
      const error = (await workers.commitTable(current(), appendBody(1n, 2n, 35), { nowMs: 1 }).catch((e: unknown) => e)) as RequirementFailedError;
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.kind).toBe('conflict');
      expect(error.requirement).toBe('assert-ref-snapshot-id');
      expect(error.name).toBe('RequirementFailedError');
    });
  });

  it('keeps the event loop turning while a 20 MB document is committed in a worker', async () => {
    const snapshots = 24000;
    const text = generateTableMetadataText({ snapshots, summaryProperties: 28 });
    const bytes = json(text);
    expect(bytes.byteLength).toBeGreaterThan(20 * 1024 * 1024);
    const parent = generatedSnapshotId(snapshots - 1);
    const body = appendBody(parent, 9223372036854775806n, snapshots + 1);

    const viaWorker = await countEventLoopTurns(() => workers.commitTable({ bytes, location: LOCATION }, body, { nowMs: 1800000000002 }));
    expect(viaWorker.turns).toBeGreaterThan(10);

    // Inline, the same kind of work holds the event loop for its whole duration (this is what the pool
    // avoids); a smaller document shows it just as well.
    const small = json(generateTableMetadataText({ snapshots: 2000 }));
    const smallBody = appendBody(generatedSnapshotId(1999), 9223372036854775806n, 2001);
    const viaInline = await countEventLoopTurns(() => inline.commitTable({ bytes: small, location: LOCATION }, smallBody, { nowMs: 1 }));
    expect(viaInline.turns).toBeLessThanOrEqual(1);

    const out = viaWorker.result.metadataBytes.toString('utf8');
    expect(out.startsWith(text.slice(0, text.indexOf('"last-sequence-number"')))).toBe(true);
    const oldSnapshots = text.slice(text.indexOf('"snapshots":['), text.indexOf('],"statistics"'));
    expect(out).toContain(oldSnapshots + ',{"snapshot-id":9223372036854775806,');
    expect(viaWorker.result.summary).toMatchObject({ currentSnapshotId: '9223372036854775806', lastSequenceNumber: String(snapshots + 1) });
  });

  it('runs small inputs inline when they fit under inlineMaxBytes', async () => {
    const pool = MetadataWorkerPool.create({ workerThreads: 1, inlineMaxBytes: 64 * 1024 });
    try {
      await pool.validateMetadataFile(fixtureBytes('TableMetadataV2Valid.json'));
      expect(pool.stats()).toMatchObject({ completed: 0, completedInline: 1, queueSize: 0 });
      await pool.validateMetadataFile(json(generateTableMetadataText({ snapshots: 400 })));
      expect(pool.stats()).toMatchObject({ completed: 1, completedInline: 1 });
    } finally {
      await pool.destroy();
    }
  });
});

  // Linux keeps a nice value per thread; /proc/self/task/<tid>/stat field 19 is that thread's nice value.
  (process.platform === 'linux' ? it : it.skip)('runs its worker threads at the configured lower priority (Linux)', async () => {
    const niceOfThreads = () =>
      fs.readdirSync('/proc/self/task').map((tid) => {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    const pool = MetadataWorkerPool.create({ workerThreads: 2, inlineMaxBytes: 0, workerNice: 7 });
    try {
      expect(niceOfThreads().filter((nice) => nice === 7)).toHaveLength(0);
      await Promise.all([
        pool.validateMetadataFile(fixtureBytes('TableMetadataV2Valid.json')),
        pool.validateMetadataFile(fixtureBytes('TableMetadataV2Valid.json')),
      ]);
      expect(niceOfThreads().filter((nice) => nice === 7)).toHaveLength(2);
      // The event loop's own thread keeps its priority.
      const main = fs.readFileSync('/proc/thread-self/stat', 'utf8');
      expect(Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[16])).toBe(os.getPriority());
    } finally {
      await pool.destroy();
    }
  });

describe('MetadataWorkersModule', () => {
  it('provides the pool from AppConfig.metadata and destroys its threads on application shutdown', async () => {
    const config = loadConfig({ PANGOLIN_METADATA_WORKERS: '1', PANGOLIN_METADATA_INLINE_MAX_BYTES: '0' });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), MetadataWorkersModule],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    const pool = app.get(MetadataWorkerPool);
    const result = await pool.validateMetadataFile(fixtureBytes('TableMetadataV1Valid.json'));
    expect(result.summary.formatVersion).toBe(1);
    expect(pool.stats()).toMatchObject({ threads: 1, completed: 1 });
    const piscina = (pool as unknown as { pool: Piscina }).pool;
    expect(piscina.threads.length).toBe(1);

    await app.close();
    expect(piscina.threads.length).toBe(0);
    expect(pool.stats().completed).toBe(0); // the pool is gone
  });
});

describe('the worker entry in compiled JavaScript (as in dist/)', () => {
  it('loads metadata.worker.js without any TypeScript hook', () => {
    // Compile the pool and everything it imports to plain CommonJS, laid out as dist/ is.
    const root = path.resolve(__dirname, '../..');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'metadata-workers-'));
    try {
      const dirs = ['src/common', 'src/config', 'src/iceberg/metadata', 'src/metadata-workers'];
      for (const dir of dirs) {
        fs.mkdirSync(path.join(out, dir), { recursive: true });
        for (const file of fs.readdirSync(path.join(root, dir))) {
          if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
          const source = fs.readFileSync(path.join(root, dir, file), 'utf8');
          const { code } = transformSync(source, {
            filename: file,
            jsc: {
              parser: { syntax: 'typescript', decorators: true },
              transform: { legacyDecorator: true, decoratorMetadata: true },
              target: 'es2022',
            },
            module: { type: 'commonjs' },
          });
          fs.writeFileSync(path.join(out, dir, file.replace(/\.ts$/, '.js')), code);
        }
      }
      const script = `
        const { MetadataWorkerPool, workerEntryFile } = require(${JSON.stringify(path.join(out, 'src/metadata-workers/metadata-worker-pool.js'))});
        (async () => {
          const pool = MetadataWorkerPool.create({ workerThreads: 1, inlineMaxBytes: 0 });
          const created = await pool.createTable(Buffer.from('{"name":"t"}'), ${JSON.stringify(createCtx)});
          let error;
          await pool.commitTable({ bytes: created.metadataBytes, location: 's3://x/metadata/00000-a.metadata.json' },
            Buffer.from('{"requirements":[{"type":"assert-create"}],"updates":[]}'), { nowMs: 1 }).catch((e) => { error = e; });
          console.log(JSON.stringify({ entry: workerEntryFile(), completed: pool.stats().completed,
            uuid: created.summary.tableUuid, error: error && error.constructor.name }));
          await pool.destroy();
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const run = spawnSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
        timeout: 60_000,
      });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({
        entry: path.join(out, 'src/metadata-workers/metadata.worker.js'),
        completed: 2,
        uuid: createCtx.tableUuid,
        error: 'RequirementFailedError',
      });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('loadTableResultBytes', () => {
  it('splices the metadata bytes verbatim between the location and the config', () => {
    const metadata = fixtureBytes('TableMetadataV2Valid.json');
    const body = loadTableResultBytes(LOCATION, metadata, { 's3.region': 'us-east-1' }, { id: 'asset-1' });
    const text = body.toString('utf8');
    expect(text.startsWith(`{"id":"asset-1","metadata-location":"${LOCATION}","metadata":{`)).toBe(true);
    expect(text.endsWith('},"config":{"s3.region":"us-east-1"}}')).toBe(true);
    expect(text).toContain(metadata.toString('utf8'));
    const parsed = parseJsonLossless(body) as Record<string, Record<string, unknown>>;
    expect(parsed.metadata['current-snapshot-id']).toBe(3055729675574597004n);
  });

  it('writes a null location (staged create) and drops a byte order mark', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json('{"a":1}')]);
    expect(loadTableResultBytes(null, withBom, {}).toString('utf8')).toBe('{"metadata-location":null,"metadata":{"a":1},"config":{}}');
  });
});
