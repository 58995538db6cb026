import { InvalidLocationError } from './errors';

/**
 * Storage locations: `s3://bucket/key` (also `s3a://`, `s3n://`, the spellings Hadoop-based engines write),
 * `file:///absolute/path` (also Hadoop's `file:/absolute/path`), and `mem://store/key` (process memory,
 * tests only).
 *
 * Parsing is deliberately strict about the things that could make one location address another one's
 * data: a `.` or `..` segment is refused (never resolved), as is a NUL character. It is deliberately lenient
 * about the rest: percent signs are literal characters (an Iceberg location is not a URL and is never
 * decoded), and a U+001F inside a segment is allowed because Pangolin v0.4.0 wrote nested namespaces that
 * way and its files must stay readable.
 */

export type LocationScheme = 's3' | 'file' | 'mem';

export interface ParsedLocation {
  /** Canonical scheme: `s3a`/`s3n` become `s3`. */
  scheme: LocationScheme;
  /** Bucket (s3), store name (mem); empty for file. */
  authority: string;
  /**
   * The part after the authority, exactly as written (s3/mem: the object key without a leading `/`;
   * file: the absolute path, starting with `/`). Object I/O uses this verbatim, so a key with `//` in it
   * is still addressable.
   */
  path: string;
  /** Non-empty path segments: what containment compares (`a//b/` and `a/b` are the same place). */
  segments: string[];
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;
/** Bucket / store names: the S3 character set, plus upper case and `_` for S3-compatible stores. */
const AUTHORITY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parses and validates a location; throws InvalidLocationError naming what is wrong with it. */
export function parseLocation(location: string): ParsedLocation {
  if (typeof location !== 'string' || location === '') {
    throw new InvalidLocationError(String(location), 'a location is required');
  }
  if (location.includes('\0')) throw new InvalidLocationError(location, 'NUL characters are not allowed');
  const match = SCHEME.exec(location);
  if (!match) {
    throw new InvalidLocationError(location, 'expected an absolute location such as s3://bucket/path or file:///path');
  }
  const scheme = match[1].toLowerCase();
  const rest = match[2];
  switch (scheme) {
    case 's3':
    case 's3a':
    case 's3n':
      return parseBucketLocation(location, 's3', rest);
    case 'mem':
      return parseBucketLocation(location, 'mem', rest);
    case 'file':
      return parseFileLocation(location, rest);
    default:
      throw new InvalidLocationError(
        location,
        `the '${scheme}' scheme is not supported by this server (supported: s3://, file://, mem://)`,
      );
  }
}

function parseBucketLocation(location: string, scheme: 's3' | 'mem', rest: string): ParsedLocation {
  if (!rest.startsWith('//')) throw new InvalidLocationError(location, `expected ${scheme}://<bucket>/<key>`);
  const afterSlashes = rest.slice(2);
  const slash = afterSlashes.indexOf('/');
  const authority = slash === -1 ? afterSlashes : afterSlashes.slice(0, slash);
  const path = slash === -1 ? '' : afterSlashes.slice(slash + 1);
  if (!AUTHORITY.test(authority)) {
    throw new InvalidLocationError(location, `'${authority}' is not a valid bucket name`);
  }
  return { scheme, authority, path, segments: segmentsOf(location, path) };
}

function parseFileLocation(location: string, rest: string): ParsedLocation {
  let path: string;
  if (rest.startsWith('//')) {
    // file://<host>/<path>: only the local host (empty or "localhost") can be served.
    const afterSlashes = rest.slice(2);
    const slash = afterSlashes.indexOf('/');
    const host = slash === -1 ? afterSlashes : afterSlashes.slice(0, slash);
    if (host !== '' && host.toLowerCase() !== 'localhost') {
      throw new InvalidLocationError(location, 'file locations must be absolute paths on this host: file:///path');
    }
    path = slash === -1 ? '/' : afterSlashes.slice(slash);
  } else if (rest.startsWith('/')) {
    path = rest; // Hadoop style file:/path
  } else {
    throw new InvalidLocationError(location, 'file locations must be absolute paths: file:///path');
  }
  return { scheme: 'file', authority: '', path, segments: segmentsOf(location, path) };
}

function segmentsOf(location: string, path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  for (const segment of segments) {
    if (segment === '.' || segment === '..') {
      throw new InvalidLocationError(location, "'.' and '..' path segments are not allowed");
    }
  }
  return segments;
}

/** The canonical spelling of a location: `s3://bucket/a/b`, `file:///a/b`, no empty segments, no trailing `/`. */
export function canonicalLocation(parsed: ParsedLocation): string {
  const tail = parsed.segments.join('/');
  return parsed.scheme === 'file' ? `file:///${tail}` : `${parsed.scheme}://${parsed.authority}${tail ? `/${tail}` : ''}`;
}

/** Parses and returns the canonical spelling; throws InvalidLocationError when the location is not acceptable. */
export function normalizeLocation(location: string): string {
  return canonicalLocation(parseLocation(location));
}

/**
 * True when `location` lies strictly below `root`: same store (scheme and bucket), and root's segments are
 * a proper prefix of the location's, compared segment by segment (so `s3://b/wh-other` is not inside
 * `s3://b/wh`). A location equal to the root is NOT inside it: a table placed at a warehouse's root would
 * make purging that table purge the warehouse. A malformed location is never inside anything.
 */
export function isLocationUnder(location: string, root: string | ParsedLocation): boolean {
  let inner: ParsedLocation;
  try {
    inner = parseLocation(location);
  } catch (e) {
    if (e instanceof InvalidLocationError) return false;
    throw e;
  }
  const outer = typeof root === 'string' ? parseLocation(root) : root;
  if (inner.scheme !== outer.scheme || inner.authority !== outer.authority) return false;
  if (inner.segments.length <= outer.segments.length) return false;
  return outer.segments.every((segment, i) => inner.segments[i] === segment);
}

/** Joins a location and relative path segments with single slashes (`s3://b/t/` + `metadata` -> `s3://b/t/metadata`). */
export function joinLocation(base: string, ...parts: string[]): string {
  const trimmed = base.replace(/\/+$/, '');
  const tail = parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s !== '')
    .join('/');
  return tail ? `${trimmed}/${tail}` : trimmed;
}

/**
 * True when purging one location could touch the other: same store, and one's segments are a prefix of
 * the other's (equal included). Malformed locations overlap nothing.
 */
export function locationsOverlap(a: string, b: string): boolean {
  let x: ParsedLocation;
  let y: ParsedLocation;
  try {
    x = parseLocation(a);
    y = parseLocation(b);
  } catch (e) {
    if (e instanceof InvalidLocationError) return false;
    throw e;
  }
  if (x.scheme !== y.scheme || x.authority !== y.authority) return false;
  const [shorter, longer] = x.segments.length <= y.segments.length ? [x, y] : [y, x];
  return shorter.segments.every((segment, i) => longer.segments[i] === segment);
}
