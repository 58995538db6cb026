import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseLocation } from '../../storage/location';

/**
 * Checks on the local filesystem (file:// tables) that location strings alone cannot make: symbolic links
 * and the server's own files.
 *
 *   - A file is deleted only when the real path of its directory lies inside the real path of the table's
 *     location: a symlinked directory inside the table cannot lead a purge elsewhere.
 *   - The server's own files are never deleted: whatever is in the data directory outside its default
 *     warehouse (the SQLite file and its journal, auth-secrets.json, an operator's files), and the SQLite
 *     file wherever DATABASE_URL puts it.
 *   - A table whose location overlaps that area (the data directory itself, a parent of it, or a directory
 *     inside it but outside the default warehouse) is not purged at all: it would contain every table of
 *     the default warehouse, of every tenant.
 */

export interface ServerFiles {
  /** The data directory (PANGOLIN_DATA_DIR), absolute. */
  dataDir: string;
  /** The default warehouse directory inside it, absolute. */
  defaultWarehouseDir: string;
  /** The SQLite database file, when the backend is SQLite. */
  sqliteFile?: string;
}

export type LocalFileVerdict = 'allowed' | 'outside' | 'server-file' | 'missing';

/** Companions SQLite keeps next to its database file. */
const SQLITE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

export class LocalFileGuard {
  private constructor(
    /** Real path of the table's directory; undefined when it does not exist (then nothing is there to delete). */
    private readonly realTableDir: string | undefined,
    /** The real path, or for a directory that does not exist (yet) the path as written. */
    private readonly tableDir: string,
    private readonly realServer: { dataDir: string; warehouseDir: string; sqliteFiles: Set<string> },
  ) {}

  static async create(tableLocation: string, server: ServerFiles): Promise<LocalFileGuard> {
    const dataDir = await realPathOrResolved(server.dataDir);
    const sqliteFiles = new Set<string>();
    if (server.sqliteFile && server.sqliteFile !== ':memory:') {
      const realDir = await realPathOrResolved(path.dirname(server.sqliteFile));
      for (const suffix of SQLITE_SUFFIXES) sqliteFiles.add(path.join(realDir, path.basename(server.sqliteFile) + suffix));
    }
    const tablePath = localPathOf(tableLocation);
    const realTableDir = await realPathOrUndefined(tablePath);
    return new LocalFileGuard(realTableDir, realTableDir ?? tablePath, {
      dataDir,
      warehouseDir: await realPathOrResolved(server.defaultWarehouseDir),
      sqliteFiles,
    });
  }

  /**
   * Why the table's location must not be purged at all, or undefined. Compared as real paths, so a table
   * directory that is a symlink to the data directory is caught as well.
   */
  tableLocationConflict(): string | undefined {
    const table = this.tableDir;
    const { dataDir, warehouseDir, sqliteFiles } = this.realServer;
    if (isSameOrInside(dataDir, table)) return "the table's location contains the server's data directory";
    if (isSameOrInside(table, dataDir) && !isStrictlyInside(table, warehouseDir)) {
      return "the table's location is in the server's data directory, outside its warehouse";
    }
    for (const file of sqliteFiles) if (isStrictlyInside(file, table)) return "the table's location contains the server's database";
    return undefined;
  }

  /** Whether the file at `location` (already known to lie inside the table's location by name) may be deleted. */
  async verdict(location: string): Promise<LocalFileVerdict> {
    if (this.realTableDir === undefined) return 'missing';
    const file = localPathOf(location);
    const realParent = await realPathOrUndefined(path.dirname(file));
    if (realParent === undefined) return 'missing';
    if (!isSameOrInside(realParent, this.realTableDir)) return 'outside';
    const realFile = path.join(realParent, path.basename(file));
    const { dataDir, warehouseDir, sqliteFiles } = this.realServer;
    if (sqliteFiles.has(realFile)) return 'server-file';
    if (isStrictlyInside(realFile, dataDir) && !isStrictlyInside(realFile, warehouseDir)) return 'server-file';
    return 'allowed';
  }
}

/** The absolute path of a file:// location, with `//` runs collapsed. */
function localPathOf(location: string): string {
  return '/' + parseLocation(location).segments.join('/');
}

function isStrictlyInside(inner: string, outer: string): boolean {
  return inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
}

function isSameOrInside(inner: string, outer: string): boolean {
  return inner === outer || isStrictlyInside(inner, outer);
}

async function realPathOrUndefined(target: string): Promise<string | undefined> {
  try {
    return await fs.realpath(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** The real path, or the resolved path when it does not exist (yet). */
async function realPathOrResolved(target: string): Promise<string> {
  return (await realPathOrUndefined(target)) ?? path.resolve(target);
}
