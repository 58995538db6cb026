import { lstat, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { InvalidLocationError, ObjectNameRejectedError } from './errors';
import { canonicalLocation, isLocationUnder, parseLocation } from './location';

/**
 * THE containment check of storage locations: `location` must lie strictly below `root` — lexically (same
 * store, no `.`/`..` segments, see isLocationUnder) and, for `file://` locations, also after resolving
 * symbolic links: the real path of the longest existing ancestor of `location` must still lie below the
 * real path of `root`. A dangling symbolic link on the way is refused (writing through it would create its
 * target, wherever that is).
 *
 * Used for warehouse roots (below an allowed storage root), catalog storage locations (below the warehouse
 * root or the tenant's default root), table locations and registered metadata files (below the catalog's
 * storage root), and before each file deletion of a purge. Throws InvalidLocationError (400) whose message
 * names the rule through `rootDescription`, never a resolved server path.
 */
export async function assertRealPathInside(location: string, root: string, rootDescription: string): Promise<void> {
  const inner = parseLocation(location);
  const outer = parseLocation(root);
  if (!isLocationUnder(location, outer)) throw new InvalidLocationError(location, `it is not inside ${rootDescription}`);
  if (inner.scheme !== 'file') return;
  const realRoot = await realPathOf(location, '/' + outer.segments.join('/'));
  const realInner = await realPathOf(location, '/' + inner.segments.join('/'));
  if (!isPathBelow(realInner, realRoot)) {
    throw new InvalidLocationError(location, `it leaves ${rootDescription} through a symbolic link`);
  }
}

/**
 * Where a location really is: for `file://`, the real path of its longest existing ancestor plus the rest
 * (so two spellings through symbolic links compare equal); other schemes as they are (canonical form).
 */
export async function realLocation(location: string): Promise<string> {
  const parsed = parseLocation(location);
  if (parsed.scheme !== 'file') return canonicalLocation(parsed);
  return `file://${await realPathOf(location, '/' + parsed.segments.join('/'))}`;
}

/** The real path of the longest existing ancestor of `dir`, joined with the segments that do not exist yet. */
async function realPathOf(location: string, dir: string): Promise<string> {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    try {
      return path.join(await realpath(current), ...missing);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A name the filesystem cannot hold is the client's (a table or namespace name too long), and the
      // location may be one the server derived: answered without it.
      if (code === 'ENAMETOOLONG') throw new ObjectNameRejectedError(code, location);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new InvalidLocationError(location, 'its directory cannot be checked on this server');
      }
    }
    if (await exists(current)) {
      // The entry is there but cannot be resolved: a dangling symbolic link.
      throw new InvalidLocationError(location, 'it passes through a dangling symbolic link');
    }
    if (current === '/') return path.join('/', ...missing);
    missing.unshift(path.basename(current));
    current = path.dirname(current);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

function isPathBelow(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
