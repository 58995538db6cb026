import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../../../src/app.factory';
import { BackendUnavailableError, CommitStateUnknownError, ExpectationFailedError } from '../../../src/common/errors';
import { loadConfig } from '../../../src/config/config';
import type { PersistencePorts } from '../../../src/persistence/persistence-ports';
import { UnitOfWorkPort } from '../../../src/persistence/ports';
import { openTestPersistence, TestPersistence } from '../../support/app-harness';
import { createTestCatalog, nsPath } from './support/iceberg-fixtures';
import { commitRaw, createTable, Json, loadTable, metadataFiles } from './support/iceberg-http';
import { expectIcebergError } from './support/iceberg-response-schemas';

/**
 * Faults of the pointer swap that a real backend cannot be made to produce on demand (a connection lost
 * while the transaction commits, a swap that keeps losing): the unit-of-work port alone is wrapped to
 * inject them; everything else is the real application on the memory backend.
 */
describe('Iceberg commit outcomes under pointer-swap faults', () => {
  let persistence: TestPersistence;
  let app: NestExpressApplication;
  let http: ReturnType<typeof request>;
  let dataDir: string;
  let injected: (() => Error) | null = null;
  let swapCalls = 0;

  const tables = `/v1/faults/namespaces/${nsPath('ns')}/tables`;
  const setProperty = (key: string) =>
    JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { [key]: 'v' } }] });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'pangolin-faults-'));
    persistence = await openTestPersistence('memory');
    const real = persistence.ports.unitOfWork;
    const faulty: UnitOfWorkPort = {
      commitChanges: async (...args: Parameters<UnitOfWorkPort['commitChanges']>) => {
        swapCalls++;
        const fault = injected;
        if (fault) throw fault();
        return real.commitChanges(...args);
      },
    };
    const ports: PersistencePorts = { ...persistence.ports, unitOfWork: faulty };
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      PANGOLIN_NO_AUTH: 'true',
      PANGOLIN_METADATA_WORKERS: '0',
      PANGOLIN_COMMIT_MAX_RETRIES: '3',
      DATABASE_URL: 'memory://',
      PANGOLIN_DATA_DIR: dataDir,
    });
    app = await createApp(config, { persistence: ports });
    await app.init();
    http = request(app.getHttpServer());
    await createTestCatalog(persistence.ports, 'faults');
    await http.post('/v1/faults/namespaces').send({ namespace: ['ns'] }).expect(200);
  });

  afterAll(async () => {
    await app?.close();
    await persistence?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  afterEach(() => {
    injected = null;
  });

  async function tableWithOneFile(name: string): Promise<Json> {
    return createTable(http, tables, name);
  }

  it('answers CommitStateUnknownException (5xx, never 409) when the swap outcome is unknown, and keeps the file', async () => {
    const created = await tableWithOneFile('unknown_outcome');
    for (const fault of [
      () => new CommitStateUnknownError('connection lost during COMMIT'),
      () => new Error('Connection terminated unexpectedly (driver detail 10.0.0.7:5432)'),
      () => new BackendUnavailableError('pool closed'),
    ]) {
      injected = fault;
      const res = await commitRaw(http, `${tables}/unknown_outcome`, setProperty('k'));
      expect(res.status).toBeGreaterThanOrEqual(500);
      expectIcebergError(res, res.status, 'CommitStateUnknownException');
      expect(res.text).not.toContain('10.0.0.7');
    }
    injected = null;
    // The written files stay: the swap may have happened, and deleting a referenced file would lose data.
    expect((await metadataFiles(created.metadata.location)).length).toBe(4);
    const loaded = await loadTable(http, `${tables}/unknown_outcome`);
    expect(loaded['metadata-location']).toBe(created['metadata-location']);
  });

  it('gives up with 409 CommitFailedException after the bounded retries, removing its files', async () => {
    const created = await tableWithOneFile('always_losing');
    injected = () => new ExpectationFailedError('ns.always_losing', 'location-mismatch');
    swapCalls = 0;
    const res = await commitRaw(http, `${tables}/always_losing`, setProperty('k'));
    expectIcebergError(res, 409, 'CommitFailedException');
    expect(swapCalls).toBe(4); // the first attempt plus PANGOLIN_COMMIT_MAX_RETRIES=3
    expect(await metadataFiles(created.metadata.location)).toHaveLength(1);
  });

  it('re-runs a commit whose swap lost once, and succeeds', async () => {
    const created = await tableWithOneFile('loses_once');
    let losses = 0;
    injected = () => {
      injected = null; // only the first swap loses; the re-run reaches the real port
      losses++;
      return new ExpectationFailedError('ns.loses_once', 'location-mismatch');
    };
    const res = await commitRaw(http, `${tables}/loses_once`, setProperty('k'));
    expect(res.status).toBe(200);
    expect(losses).toBe(1);
    const loaded = await loadTable(http, `${tables}/loses_once`);
    expect(loaded.metadata.properties.k).toBe('v');
    // The lost attempt's file was removed; the create and the re-run's file remain.
    expect(await metadataFiles(created.metadata.location)).toHaveLength(2);
  });
});
