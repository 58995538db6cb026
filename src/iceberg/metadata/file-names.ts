/**
 * Metadata file names. Iceberg's convention (and this catalog's, contract §7.1) is
 * `<table location>/metadata/<NNNNN>-<uuid>.metadata.json`, the version counting up from 00000 with every
 * commit. Pangolin v0.4.0 wrote `00000-<uuid>` every time, which parses as version 0; Hadoop-style tables
 * use `v<N>.metadata.json`; compressed files add `.gz` before `.metadata.json` (or after it).
 */

const VERSIONED = /^(\d+)-[^/]+?(?:\.gz)?\.metadata\.json(?:\.gz)?$/i;
const HADOOP = /^v(\d+)(?:\.gz)?\.metadata\.json(?:\.gz)?$/i;

/** The version encoded in a metadata file's name, or null when the name follows no known convention. */
export function metadataFileVersion(location: string): number | null {
  const name = location.slice(location.lastIndexOf('/') + 1);
  const match = VERSIONED.exec(name) ?? HADOOP.exec(name);
  if (!match) return null;
  const version = Number(match[1]);
  return Number.isSafeInteger(version) ? version : null;
}

/**
 * `<tableLocation>/metadata/<NNNNN>-<uuid>.metadata.json` with NNNNN = previous version + 1 (00000 for a new
 * table, and 1 when the previous name carries no version). Files are immutable and the uuid makes every
 * name unique, so a concurrent writer can never overwrite another's file.
 */
export function nextMetadataFileName(previousLocation: string | null, tableLocation: string, uuid: string): string {
  const version = previousLocation === null ? 0 : (metadataFileVersion(previousLocation) ?? 0) + 1;
  return `${tableLocation.replace(/\/+$/, '')}/metadata/${String(version).padStart(5, '0')}-${uuid}.metadata.json`;
}
