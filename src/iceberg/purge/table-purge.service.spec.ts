import type { Logger } from 'pino';
import { manifestBytes, manifestListBytes } from '../../../test/support/iceberg-manifests';
import type { AppConfig } from '../../config/config';
import { Asset, METADATA_LOCATION_PROPERTY } from '../../persistence/models';
import type { AssetsPort } from '../../persistence/ports';
import { locationsOverlap, ObjectStorage } from '../../storage';
import { DroppedTable, TablePurgeService } from './table-purge.service';

const T = 'mem://store/wh/lake/db/t';
const TENANT = 'tenant-1';

/** Log lines the service wrote, as [level, fields, message]. */
function recordingLogger() {
  const lines: [string, Record<string, unknown>, string][] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push([level, fields, message]);
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger };
}

function asset(overrides: Partial<Asset> = {}): Asset {
  return {
    id: 'table-id',
    tenantId: TENANT,
    catalogName: 'lake',
    branch: 'main',
    namespace: ['db'],
    name: 't',
    kind: 'ICEBERG_TABLE',
    location: T,
    properties: { [METADATA_LOCATION_PROPERTY]: `${T}/metadata/00001-b.metadata.json` },
    ...overrides,
  };
}

/** An assets port over a fixed set of rows still on the branches after the drop. */
function ports(rows: Asset[], failListing = false) {
  const assets = {
    findAssetsOverlappingLocation: async (_t: string, location: string) => {
      if (failListing) throw new Error('connection lost');
      return rows.filter((r) => locationsOverlap(r.location, location));
    },
  };
  return { assets: assets as unknown as AssetsPort };
}

describe('TablePurgeService', () => {
  let storage: ObjectStorage;
  const config = { dataDir: '/nonexistent-data-dir', database: { kind: 'memory' } } as unknown as AppConfig;

  beforeEach(() => {
    storage = new ObjectStorage(config, {});
  });

  const io = () => storage.fileIoFor(`${T}/x`, null);
  const put = (location: string, bytes: Buffer | string) => io().write(location, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  const exists = (location: string) => io().exists(location);

  function service(rows: Asset[] = [], failListing = false) {
    const log = recordingLogger();
    const p = ports(rows, failListing);
    return { log, purger: new TablePurgeService(p.assets, storage, config, log.logger) };
  }

  const dropped = (a: Asset = asset()): DroppedTable => ({
    tenantId: TENANT,
    catalogName: 'lake',
    branch: 'main',
    namespace: ['db'],
    name: 't',
    warehouse: null,
    asset: a,
  });

  /** A table with one good manifest, one corrupt manifest and one missing data file. */
  async function writeTable(): Promise<{ referenced: string[]; kept: string[] }> {
    const good = await manifestBytes([{ path: `${T}/data/a.parquet` }, { path: `${T}/data/gone.parquet` }], { version: 2 });
    await put(`${T}/metadata/m-good.avro`, good);
    await put(`${T}/metadata/m-corrupt.avro`, 'this is not avro');
    await put(`${T}/metadata/snap-1.avro`, await manifestListBytes([{ path: `${T}/metadata/m-good.avro` }, { path: `${T}/metadata/m-corrupt.avro` }], { version: 2 }));
    await put(`${T}/data/a.parquet`, 'a');
    await put(`${T}/data/listed-only-by-corrupt.parquet`, 'orphaned by the corrupt manifest');
    await put(`${T}/metadata/00000-a.metadata.json`, '{}');
    await put(
      `${T}/metadata/00001-b.metadata.json`,
      JSON.stringify({
        location: T,
        snapshots: [{ 'snapshot-id': 1, 'manifest-list': `${T}/metadata/snap-1.avro` }],
        'metadata-log': [{ 'metadata-file': `${T}/metadata/00000-a.metadata.json`, 'timestamp-ms': 1 }],
        statistics: [{ 'snapshot-id': 1, 'statistics-path': 'mem://store/wh/lake/db/other/stats.puffin' }],
      }),
    );
    await put('mem://store/wh/lake/db/other/stats.puffin', 'another table');
    return {
      referenced: [
        `${T}/data/a.parquet`,
        `${T}/metadata/m-good.avro`,
        `${T}/metadata/m-corrupt.avro`,
        `${T}/metadata/snap-1.avro`,
        `${T}/metadata/00000-a.metadata.json`,
        `${T}/metadata/00001-b.metadata.json`,
      ],
      kept: [`${T}/data/listed-only-by-corrupt.parquet`, 'mem://store/wh/lake/db/other/stats.puffin'],
    };
  }

  it('deletes what it could collect past a corrupt manifest, counting missing and outside files', async () => {
    const table = await writeTable();
    const { purger, log } = service();

    const counts = await purger.purgeDroppedTable(dropped());

    expect(counts).toEqual({ deleted: 6, missing: 1, skippedOutside: 1, skippedServerFiles: 0, failed: 0, unreadable: 1 });
    for (const location of table.referenced) expect({ location, exists: await exists(location) }).toEqual({ location, exists: false });
    for (const location of table.kept) expect({ location, exists: await exists(location) }).toEqual({ location, exists: true });
    expect(log.lines.find(([, , message]) => message === 'table purged')?.[1]).toMatchObject({
      event: 'table-purge',
      table: 'db.t',
      deleted: 6,
      missing: 1,
      skippedOutside: 1,
    });
    expect(log.lines.some(([level, fields]) => level === 'warn' && fields.file === `${T}/metadata/m-corrupt.avro`)).toBe(true);
  });

  it.each([
    ['the same asset id on another branch', asset({ branch: 'dev' })],
    ['a location inside the table in another catalog', asset({ id: 'other', catalogName: 'mirror', name: 'x', location: `${T}/nested`, properties: {} })],
    ['a location around the table', asset({ id: 'other', name: 'x', location: 'mem://store/wh/lake', properties: {} })],
  ])('keeps every file while another row references the table: %s', async (_label, other) => {
    const table = await writeTable();
    const { purger, log } = service([other]);

    const counts = await purger.purgeDroppedTable(dropped());

    expect(counts.deleted).toBe(0);
    for (const location of table.referenced) expect(await exists(location)).toBe(true);
    expect(log.lines.find(([, , message]) => message === 'table purge kept the files')?.[1].kept).toMatch(/still referenced by/);
  });

  it('deletes when the other rows are unrelated (a sibling table beside it)', async () => {
    await writeTable();
    const sibling = asset({ id: 'sibling', name: 't2', location: 'mem://store/wh/lake/db/t2', properties: {} });
    const { purger } = service([sibling]);
    expect((await purger.purgeDroppedTable(dropped())).deleted).toBe(6);
  });

  it('never throws after the drop: a failing store query keeps the files and is logged', async () => {
    const table = await writeTable();
    const { purger, log } = service([], true);

    await expect(purger.purgeDroppedTable(dropped())).resolves.toMatchObject({ deleted: 0 });

    for (const location of table.referenced) expect(await exists(location)).toBe(true);
    expect(log.lines.find(([level]) => level === 'warn')?.[1]).toMatchObject({ error: 'Error: connection lost' });
  });

  it('deletes only the current metadata file when the document is not JSON', async () => {
    await put(`${T}/metadata/00001-b.metadata.json`, 'not json');
    await put(`${T}/data/a.parquet`, 'a');
    const { purger } = service();
    expect(await purger.purgeDroppedTable(dropped())).toMatchObject({ deleted: 1, missing: 0 });
    expect(await exists(`${T}/data/a.parquet`)).toBe(true);
  });
});
