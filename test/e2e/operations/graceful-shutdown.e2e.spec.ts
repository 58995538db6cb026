import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestPostgresDatabase, TestPostgresDatabase } from '../../support/postgres-database';
import { describeExit, ProcessExit, ServiceProcess, startServiceProcess } from '../../support/service-process';
import {
  branchHistory,
  commitBody,
  createFileCatalog,
  createNamespace,
  createTable,
  expectCall,
  Json,
  loadTable,
  tablePath,
} from './support/catalog-client';

/**
 * SIGTERM on a service process with a table commit in flight (DESIGN "graceful shutdown"; issue: readiness
 * off first, new requests refused, in-flight commits finish, then the worker pool and the database close).
 *
 * The commit is made "in flight" by an event, not by a sleep: it is sent with `Expect: 100-continue`, so the
 * server acknowledges that it has accepted the request (100 Continue) before the client sends the body. The
 * signal goes out right after that acknowledgement, and the body only once readiness has turned off, so the
 * whole commit, which rewrites a metadata document of tens of MB (parsed and serialized in the worker pool),
 * runs while the service drains. It must answer 200, the process must exit 0, and a new process on the same
 * database must see the committed change.
 */

const CATALOG = 'drain';
const NAMESPACE = 'ns';
const TABLE = 'big';
/** 40 properties of 512 KiB: a 20 MiB metadata document, far above the inline threshold. */
const BIG_PROPERTY_COUNT = 40;
const BIG_PROPERTY_BYTES = 512 * 1024;

describe('graceful shutdown of a service process [postgres]', () => {
  let database: TestPostgresDatabase;
  /** The allowed storage root of the service (PANGOLIN_ALLOWED_STORAGE_ROOTS); the warehouse lies below it. */
  let storageRoot: string;
  let warehouseRoot: string;
  let service: ServiceProcess | undefined;
  let restarted: ServiceProcess | undefined;

  beforeAll(async () => {
    database = await createTestPostgresDatabase('pangolin_shutdown');
    storageRoot = await mkdtemp(path.join(tmpdir(), 'pangolin-shutdown-wh-'));
    warehouseRoot = path.join(storageRoot, 'warehouse');
  });

  afterAll(async () => {
    await service?.dispose();
    await restarted?.dispose();
    await database?.drop();
    if (storageRoot) await rm(storageRoot, { recursive: true, force: true });
  });

  it('finishes an in-flight commit of a large table after SIGTERM, refuses new work, exits 0, and the change survives', async () => {
    service = await startServiceProcess({
      name: 'draining',
      databaseUrl: database.url,
      logLevel: 'info',
      env: { PANGOLIN_SHUTDOWN_DRAIN_MS: '500', PANGOLIN_METADATA_WORKERS: '1', PANGOLIN_ALLOWED_STORAGE_ROOTS: storageRoot },
    });
    const base = service.baseUrl;
    await createFileCatalog(base, CATALOG, warehouseRoot);
    await createNamespace(base, CATALOG, NAMESPACE);
    await createTable(base, CATALOG, NAMESPACE, TABLE);
    const big: Record<string, string> = {};
    for (let i = 0; i < BIG_PROPERTY_COUNT; i++) big[`big-${i}`] = String(i % 10).repeat(BIG_PROPERTY_BYTES);
    const grown = await expectCall(base, 'POST', tablePath(CATALOG, NAMESPACE, TABLE), commitBody([], [{ action: 'set-properties', updates: big }]), [200]);
    const before = grown['metadata-location'] as string;
    const uuid = grown.metadata['table-uuid'] as string;

    const commit = new HeldRequest(base, 'POST', tablePath(CATALOG, NAMESPACE, TABLE));
    await commit.accepted;
    const exit = service.exited.then((e) => ({ ...e, commitAnsweredFirst: commit.answered }));
    service.signal('SIGTERM');

    // Readiness turns off (503 while draining, or the listener is already closed) ...
    const readiness = await firstNonReady(service.baseUrl);
    expect(['503 draining', 'refused']).toContain(readiness);
    // ... and new requests are refused, on a new connection.
    const fresh = await freshRequest(service.baseUrl, '/v1/config');
    expect(['503', 'refused']).toContain(fresh);

    // Only now does the in-flight commit send its body: the whole commit runs during the shutdown.
    commit.sendBody(JSON.stringify(commitBody([{ type: 'assert-table-uuid', uuid }], [{ action: 'set-properties', updates: { 'in-flight': 'committed' } }])));
    const answer = await commit.response;
    expect({ status: answer.status, text: answer.status === 200 ? '' : answer.text }).toEqual({ status: 200, text: '' });
    const committed = JSON.parse(answer.text) as Json;
    expect(committed.metadata.properties['in-flight']).toBe('committed');
    expect(committed['metadata-location']).not.toBe(before);

    const exited: ProcessExit & { commitAnsweredFirst: boolean } = await exit;
    expect({ exit: describeExit(exited), commitAnsweredFirst: exited.commitAnsweredFirst }).toEqual({ exit: 'exit code 0', commitAnsweredFirst: true });
    expect(service.output()).toMatch(/shutting down: readiness off, draining/);
    // Nothing went wrong: the refusals and the draining readiness answers are expected and logged at info.
    const errors = service.output().split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
    expect(errors).toEqual([]);

    // A new process on the same database sees the change, pointed at by the table and recorded in the history.
    restarted = await startServiceProcess({ name: 'restarted', databaseUrl: database.url });
    const loaded = await loadTable(restarted.baseUrl, CATALOG, NAMESPACE, TABLE);
    expect(loaded['metadata-location']).toBe(committed['metadata-location']);
    expect(loaded.metadata.properties['in-flight']).toBe('committed');
    expect(loaded.metadata.properties['big-7']).toHaveLength(BIG_PROPERTY_BYTES);
    const [head] = await branchHistory(restarted.baseUrl, CATALOG);
    const put = head.operations.find((op) => 'Put' in op) as { Put: { asset: { name: string; properties: Record<string, string> } } };
    expect(put.Put.asset.properties.metadata_location).toBe(committed['metadata-location']);
  }, 180_000);
});

/**
 * A request sent with `Expect: 100-continue`: `accepted` resolves when the server has acknowledged it (it is
 * then in progress on the server), and the body is sent only when `sendBody` is called.
 */
class HeldRequest {
  readonly accepted: Promise<void>;
  readonly response: Promise<{ status: number; text: string }>;
  answered = false;
  private readonly request: http.ClientRequest;

  constructor(baseUrl: string, method: string, requestPath: string) {
    const url = new URL(baseUrl);
    let onAccepted!: () => void;
    this.accepted = new Promise((resolve) => (onAccepted = resolve));
    this.request = http.request({
      host: url.hostname,
      port: url.port,
      method,
      path: requestPath,
      agent: false,
      headers: { 'content-type': 'application/json', expect: '100-continue', 'transfer-encoding': 'chunked' },
    });
    this.request.once('continue', onAccepted);
    this.response = new Promise((resolve, reject) => {
      this.request.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.answered = true;
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      this.request.once('error', reject);
    });
    // Sends the headers now; the body waits for sendBody.
    this.request.flushHeaders();
  }

  sendBody(body: string): void {
    this.request.end(body);
  }
}

/** Polls /health/ready on new connections until it no longer answers 200. */
async function firstNonReady(baseUrl: string): Promise<string> {
  for (;;) {
    const outcome = await freshRequest(baseUrl, '/health/ready');
    if (outcome !== '200') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One GET on a new connection: the status as text, or `refused` when nobody listens any more. */
function freshRequest(baseUrl: string, requestPath: string): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: requestPath, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      // A draining readiness probe says so in its body.
      res.on('end', () => resolve(res.statusCode === 503 && /draining/.test(text) ? '503 draining' : String(res.statusCode)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') resolve('refused');
      else reject(error);
    });
    req.end();
  });
}
