/**
 * Which files a table's metadata document names, as Iceberg's `CatalogUtil.dropTableData` deletes them:
 * the current metadata file and every earlier one in `metadata-log`, each snapshot's manifest list (or, in
 * v1 tables written without one, its inline `manifests`), statistics and partition-statistics files. The
 * manifests of a manifest list and the data files of a manifest are read from those Avro files
 * (manifest-files.ts). The document is read defensively: it comes from storage a client can write to, so a
 * field of the wrong shape is skipped rather than trusted.
 */

export interface MetadataReferences {
  /** The current metadata file and the earlier ones of `metadata-log`. */
  metadataFiles: string[];
  manifestLists: string[];
  /** v1 snapshots without a manifest list name their manifests inline. */
  inlineManifests: string[];
  statisticsFiles: string[];
  partitionStatisticsFiles: string[];
  /**
   * False when the table property `gc.enabled` is `false`: Iceberg then keeps data and delete files on a
   * purge, because another table may reference them (e.g. after a snapshot was imported).
   */
  deleteDataFiles: boolean;
}

export const GC_ENABLED_PROPERTY = 'gc.enabled';

export function metadataReferences(metadata: unknown, currentMetadataLocation: string): MetadataReferences {
  const doc = isRecord(metadata) ? metadata : {};
  const references: MetadataReferences = {
    metadataFiles: [currentMetadataLocation, ...stringsAt(doc['metadata-log'], 'metadata-file')],
    manifestLists: [],
    inlineManifests: [],
    statisticsFiles: stringsAt(doc['statistics'], 'statistics-path'),
    partitionStatisticsFiles: stringsAt(doc['partition-statistics'], 'statistics-path'),
    deleteDataFiles: !isGcDisabled(doc['properties']),
  };
  for (const snapshot of recordsOf(doc['snapshots'])) {
    const manifestList = snapshot['manifest-list'];
    if (typeof manifestList === 'string' && manifestList !== '') references.manifestLists.push(manifestList);
    const inline = snapshot['manifests'];
    if (Array.isArray(inline)) {
      for (const manifest of inline) if (typeof manifest === 'string' && manifest !== '') references.inlineManifests.push(manifest);
    }
  }
  return references;
}

function isGcDisabled(properties: unknown): boolean {
  if (!isRecord(properties)) return false;
  const value = properties[GC_ENABLED_PROPERTY];
  return typeof value === 'string' && value.trim().toLowerCase() === 'false';
}

function stringsAt(list: unknown, key: string): string[] {
  const out: string[] = [];
  for (const entry of recordsOf(list)) {
    const value = entry[key];
    if (typeof value === 'string' && value !== '') out.push(value);
  }
  return out;
}

function recordsOf(list: unknown): Record<string, unknown>[] {
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
