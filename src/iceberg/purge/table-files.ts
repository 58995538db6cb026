import { isLocationUnder, normalizeLocation } from '../../storage/location';
import { readManifestEntryFiles, readManifestListPaths } from './manifest-files';
import { metadataReferences } from './referenced-files';

/**
 * Every file a table's metadata references, directly or through its manifest lists and manifests, that
 * lies strictly inside the table's own location. Anything referenced outside it (a crafted metadata file
 * can name `/etc/passwd`, the server's data directory or another table's files) is neither read nor
 * returned for deletion: it is listed in `outside`.
 */

export interface TableFilesInput {
  /** The table's location, as the catalog validated and stored it. */
  tableLocation: string;
  /** The current metadata file (the table pointer). */
  metadataLocation: string;
  /** The parsed current metadata document; undefined when it could not be read. */
  metadata: unknown;
  /** Reads a file; undefined when nothing is stored there. Rejects on any other failure. */
  read(location: string): Promise<Buffer | undefined>;
  /** How many Avro files are read at the same time (default 8). */
  concurrency?: number;
}

export interface TableFiles {
  /**
   * Files to delete, each once, in the order Iceberg deletes them: data and delete files, manifests,
   * manifest lists, statistics, earlier metadata files, the current metadata file last.
   */
  files: string[];
  /** Referenced locations outside the table location (or malformed): never read, never deleted. */
  outside: string[];
  /** Manifest lists and manifests that could not be read completely; what was read before the fault counts. */
  unreadable: { location: string; reason: string }[];
}

export async function collectTableFiles(input: TableFilesInput): Promise<TableFiles> {
  const references = metadataReferences(input.metadata, input.metadataLocation);
  const concurrency = input.concurrency ?? 8;
  const inside = new InsideFilter(input.tableLocation);
  const unreadable: TableFiles['unreadable'] = [];

  const readAvro = async <T>(location: string, decode: (bytes: Buffer) => { records: T[]; error?: string }): Promise<T[]> => {
    let bytes: Buffer | undefined;
    try {
      bytes = await input.read(location);
    } catch (err) {
      unreadable.push({ location, reason: err instanceof Error ? err.message : String(err) });
      return [];
    }
    if (bytes === undefined) {
      unreadable.push({ location, reason: 'missing' });
      return [];
    }
    const decoded = decode(bytes);
    if (decoded.error) unreadable.push({ location, reason: decoded.error });
    return decoded.records;
  };

  // A manifest is usually listed by many snapshots' manifest lists: each file is read once.
  const manifestLists = uniqueLocations(inside.keep(references.manifestLists));
  const listed = await mapConcurrently(manifestLists, concurrency, (list) => readAvro(list, readManifestListPaths));
  const manifests = uniqueLocations(inside.keep([...references.inlineManifests, ...listed.flat()]));
  let dataFiles: string[] = [];
  if (references.deleteDataFiles) {
    const entries = await mapConcurrently(manifests, concurrency, (manifest) => readAvro(manifest, readManifestEntryFiles));
    // Every status counts, DELETED (2) too: such an entry names a file of this table that no snapshot
    // expiry has removed yet, and Iceberg's dropTableData deletes it as well.
    dataFiles = inside.keep(entries.flat().map((entry) => entry.filePath));
  }

  const ordered = [
    ...dataFiles,
    ...manifests,
    ...manifestLists,
    ...inside.keep(references.statisticsFiles),
    ...inside.keep(references.partitionStatisticsFiles),
    ...inside.keep([...references.metadataFiles].reverse()),
  ];
  return { files: uniqueLocations(ordered), outside: inside.rejected(), unreadable };
}

/** Splits locations into those strictly below the table location and the rest (remembered, once each). */
class InsideFilter {
  private readonly outside = new Set<string>();

  constructor(private readonly tableLocation: string) {}

  keep(locations: string[]): string[] {
    const kept: string[] = [];
    for (const location of locations) {
      if (isLocationUnder(location, this.tableLocation)) kept.push(location);
      else this.outside.add(location);
    }
    return kept;
  }

  rejected(): string[] {
    return [...this.outside];
  }
}

/** The first spelling of each location, compared canonically (`s3a://b/k` and `s3://b//k` are one file). */
function uniqueLocations(locations: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const location of locations) {
    const key = normalizeLocation(location);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(location);
  }
  return out;
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
