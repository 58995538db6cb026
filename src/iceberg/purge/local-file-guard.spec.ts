import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LocalFileGuard } from './local-file-guard';

describe('LocalFileGuard', () => {
  let root: string;
  let dataDir: string;
  let warehouse: string;
  let table: string;
  let elsewhere: string;
  const server = () => ({ dataDir, defaultWarehouseDir: warehouse, sqliteFile: path.join(dataDir, 'pangolin.db') });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pangolin-guard-'));
    dataDir = path.join(root, 'data');
    warehouse = path.join(dataDir, 'warehouse');
    table = path.join(warehouse, 'cat', 'db', 't');
    elsewhere = path.join(root, 'elsewhere');
    for (const dir of [path.join(table, 'data'), path.join(table, 'metadata'), elsewhere]) await mkdir(dir, { recursive: true });
    await writeFile(path.join(table, 'data', 'a.parquet'), 'a');
    await writeFile(path.join(elsewhere, 'secret'), 's');
    await writeFile(path.join(dataDir, 'pangolin.db'), 'db');
    await symlink(elsewhere, path.join(table, 'data', 'escape'));
    await symlink(dataDir, path.join(table, 'to-data'));
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('allows files whose real directory is inside the table, and refuses those reached through a symlink', async () => {
    const guard = await LocalFileGuard.create(`file://${table}`, server());
    expect(guard.tableLocationConflict()).toBeUndefined();
    expect(await guard.verdict(`file://${table}/data/a.parquet`)).toBe('allowed');
    expect(await guard.verdict(`file://${table}//data/not-there.parquet`)).toBe('allowed');
    expect(await guard.verdict(`file://${table}/data/escape/secret`)).toBe('outside');
    expect(await guard.verdict(`file://${table}/to-data/pangolin.db`)).toBe('outside');
    expect(await guard.verdict(`file://${table}/no-such-dir/x.parquet`)).toBe('missing');
  });

  it("refuses tables at, around or beside the data directory, and never allows the server's files", async () => {
    for (const location of [dataDir, root, path.join(dataDir, 'metadata')]) {
      const guard = await LocalFileGuard.create(`file://${location}`, server());
      expect({ location, conflict: guard.tableLocationConflict() }).toEqual({ location, conflict: expect.any(String) });
    }
    // A symlink that makes a table directory the data directory is caught by its real path.
    const linked = path.join(warehouse, 'cat', 'db', 'linked');
    await symlink(dataDir, linked);
    expect((await LocalFileGuard.create(`file://${linked}`, server())).tableLocationConflict()).toEqual(expect.any(String));

    const wide = await LocalFileGuard.create(`file://${root}`, server());
    expect(await wide.verdict(`file://${dataDir}/pangolin.db`)).toBe('server-file');
    expect(await wide.verdict(`file://${dataDir}/auth-secrets.json`)).toBe('server-file');
    expect(await wide.verdict(`file://${table}/data/a.parquet`)).toBe('allowed');

    // A SQLite file outside the data directory is protected too, with its journal files.
    const external = await LocalFileGuard.create(`file://${elsewhere}`, { ...server(), sqliteFile: path.join(elsewhere, 'x.db') });
    expect(external.tableLocationConflict()).toEqual(expect.any(String));
    expect(await external.verdict(`file://${elsewhere}/x.db-wal`)).toBe('server-file');
    expect(await external.verdict(`file://${elsewhere}/secret`)).toBe('allowed');
  });

  it('finds nothing to delete when the table directory does not exist', async () => {
    const guard = await LocalFileGuard.create(`file://${warehouse}/cat/db/gone`, server());
    expect(guard.tableLocationConflict()).toBeUndefined();
    expect(await guard.verdict(`file://${warehouse}/cat/db/gone/data/a.parquet`)).toBe('missing');
  });
});
