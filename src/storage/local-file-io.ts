import { randomBytes } from 'node:crypto';
import * as fsCallbacks from 'node:fs';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import * as path from 'node:path';
import {
  InvalidLocationError,
  ObjectAlreadyExistsError,
  ObjectNameRejectedError,
  ObjectNotFoundError,
  StorageUnavailableError,
  type StorageFailure,
} from './errors';
import type { FileIO } from './file-io';
import { parseLocation } from './location';

/**
 * `file://` locations on the local filesystem.
 *
 * A write goes to a temporary file in the target directory and, once complete, is published with `link()`:
 * atomic (readers see the whole file or nothing) and refusing an existing target (EEXIST), which `rename()`
 * would silently replace. The file and its directory are then flushed to disk, together, before the write
 * returns: the caller moves a table pointer to the file only after that, so a crash in between leaves at
 * most an unreferenced file. Filesystems without hard links fall back to an exclusive-create check
 * followed by `rename()`, which is atomic but can lose a race between two writers of the same name (names
 * carry a random UUID, so that needs a bug elsewhere).
 */
export class LocalFileIO implements FileIO {
  async read(location: string): Promise<Buffer> {
    const file = this.pathOf(location);
    try {
      return await fs.readFile(file);
    } catch (e) {
      if (isMissing(e) || errnoOf(e) === 'EISDIR') throw new ObjectNotFoundError(location);
      throw unavailable('read', location, e);
    }
  }

  async write(location: string, bytes: Uint8Array): Promise<void> {
    const file = this.pathOf(location);
    if (file.endsWith('/')) throw new InvalidLocationError(location, 'a file location cannot end with /');
    const dir = path.dirname(file);
    const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    let fd: number | undefined;
    let tempExists = false;
    try {
      fd = await openNewFile(temp, dir);
      tempExists = true;
      await writeAll(fd, bytes);
      // Visible under its name only once complete; durable (content and name) before write() returns.
      await publish(temp, file, location);
      tempExists = false;
      const published = fd;
      fd = undefined;
      // What remains is independent, so it runs together: dropping the temporary name, flushing the file
      // (then closing it) and flushing the directory. A journaling filesystem folds the two flushes into one
      // journal commit, and each step is a round trip through libuv's thread pool, which on a busy machine
      // costs more than the step itself: the chain is three steps shorter than one after the other.
      await Promise.all([
        unlinkFile(temp).catch(() => undefined),
        fsyncFile(published).finally(() => closeFile(published).catch(() => undefined)),
        syncDirectory(dir),
      ]);
    } catch (e) {
      if (e instanceof ObjectAlreadyExistsError || e instanceof InvalidLocationError) throw e;
      // A path component that is a file (mkdir EEXIST / ENOTDIR) is a fault of the store's contents, like a
      // read-only or full disk: unavailable, with its code.
      throw unavailable('write', location, e);
    } finally {
      if (fd !== undefined) await closeFile(fd).catch(() => undefined);
      if (tempExists) await unlinkFile(temp).catch(() => undefined);
    }
  }

  async exists(location: string): Promise<boolean> {
    const file = this.pathOf(location);
    try {
      return (await fs.stat(file)).isFile();
    } catch (e) {
      if (isMissing(e)) return false;
      throw unavailable('check', location, e);
    }
  }

  async delete(location: string): Promise<void> {
    const file = this.pathOf(location);
    try {
      await fs.unlink(file);
    } catch (e) {
      if (isMissing(e)) return;
      if (errnoOf(e) === 'EISDIR' || errnoOf(e) === 'EPERM') {
        // unlink() on a directory: not an object, so there is nothing to delete at this exact location.
        const stat = await fs.stat(file).catch(() => undefined);
        if (stat?.isDirectory()) return;
      }
      throw unavailable('delete', location, e);
    }
  }

  private pathOf(location: string): string {
    const parsed = parseLocation(location);
    if (parsed.scheme !== 'file') throw wrongScheme(location);
    if (parsed.segments.length === 0) throw new InvalidLocationError(location, 'the filesystem root is not a file');
    return parsed.path;
  }
}

// The write path uses the callback API: on a busy machine each file operation of fs/promises costs noticeably
// more CPU on the event loop (measured: ~20% per metadata file written), and a commit makes several.
const openFd = promisify(fsCallbacks.open);
const writeFd = promisify(fsCallbacks.write);
const fsyncFile = promisify(fsCallbacks.fsync);
const closeFile = promisify(fsCallbacks.close);
const unlinkFile = promisify(fsCallbacks.unlink);
const linkFile = promisify(fsCallbacks.link);

/**
 * Creates the file exclusively. The directory usually exists (every commit of a table writes into the same
 * one), so it is created only when the open says it is missing: one file operation fewer per write.
 */
async function openNewFile(file: string, dir: string): Promise<number> {
  try {
    return await openFd(file, 'wx', 0o644);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw e;
    await fs.mkdir(dir, { recursive: true });
    return openFd(file, 'wx', 0o644);
  }
}

/** write() may write less than asked (large buffers): continue until every byte is written. */
async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await writeFd(fd, bytes, offset, bytes.byteLength - offset, offset);
    if (bytesWritten <= 0) throw new Error('write() made no progress');
    offset += bytesWritten;
  }
}

async function publish(temp: string, file: string, location: string): Promise<void> {
  try {
    await linkFile(temp, file);
    return;
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') {
      const stat = await fs.lstat(file).catch(() => undefined);
      if (stat?.isDirectory()) throw new InvalidLocationError(location, 'a directory exists at this location');
      throw new ObjectAlreadyExistsError(location);
    }
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK'].includes(errnoOf(e) ?? '')) throw e;
  }
  // No hard links on this filesystem: check, then rename (atomic, but the check-and-publish is not).
  if (await fs.lstat(file).then(
    () => true,
    (e: unknown) => {
      if (isMissing(e)) return false;
      throw e;
    },
  )) {
    throw new ObjectAlreadyExistsError(location);
  }
  await fs.rename(temp, file);
}

/** Makes the new directory entry durable; best effort (not every filesystem lets a directory be opened and synced). */
async function syncDirectory(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await openFd(dir, 'r');
    await fsyncFile(fd);
  } catch {
    // ignored: not every filesystem lets a directory be opened and synced; the file itself is synced
  } finally {
    if (fd !== undefined) await closeFile(fd).catch(() => undefined);
  }
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

function isMissing(e: unknown): boolean {
  const code = errnoOf(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function wrongScheme(location: string): InvalidLocationError {
  return new InvalidLocationError(location, 'not a file:// location');
}

/** errno codes caused by the name a client chose (a table or namespace name too long for the filesystem). */
const NAME_ERRNO_CODES = new Set(['ENAMETOOLONG']);

/**
 * The error for a failed filesystem call: a name the filesystem refuses is the client's (400); anything
 * else (EACCES, ENOSPC, EROFS, EIO, ENOTDIR, ...) is the store's (503). The logged message names the path;
 * what the client is told never does (see StorageUnavailableError).
 */
function unavailable(action: StorageFailure['action'], location: string, e: unknown): StorageUnavailableError | ObjectNameRejectedError {
  const code = errnoOf(e) ?? (e instanceof Error ? e.name : 'unknown error');
  if (NAME_ERRNO_CODES.has(code)) return new ObjectNameRejectedError(code, location);
  return new StorageUnavailableError(`Could not ${action} '${location}' on the local filesystem (${code})`, { action, code }, location);
}
