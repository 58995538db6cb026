import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../../src/common/errors';
import {
  InvalidLocationError,
  ObjectAlreadyExistsError,
  ObjectNotFoundError,
} from '../../src/storage/errors';
import type { FileIO } from '../../src/storage/file-io';

export interface FileIoUnderTest {
  io: FileIO;
  /** A fresh, empty location (no trailing slash) the test may fill. */
  root: string;
  cleanup?(): Promise<void>;
}

export interface FileIoCapabilities {
  /**
   * true when a write to an existing location is refused; otherwise the reason it is not (the test is then
   * reported as skipped under that reason).
   */
  refusesOverwrite: true | string;
}

/** The behaviour every FileIO implementation owes its callers; bound to each store in a few lines. */
export function describeFileIoContract(
  name: string,
  open: () => Promise<FileIoUnderTest>,
  capabilities: FileIoCapabilities,
): void {
  describe(`FileIO contract: ${name}`, () => {
    let io: FileIO;
    let root: string;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ io, root, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup?.();
    });

    const bytesOf = (text: string) => Buffer.from(text, 'utf8');

    it('reads back exactly what was written, at a nested location', async () => {
      const location = `${root}/cat/ns/table/metadata/00000-${randomBytes(4).toString('hex')}.metadata.json`;
      const document = bytesOf('{"format-version":2,"last-sequence-number":7446468398231234001}');
      await io.write(location, document);
      const read = await io.read(location);
      expect(Buffer.isBuffer(read)).toBe(true);
      expect(read.equals(document)).toBe(true);
      expect(await io.exists(location)).toBe(true);
    });

    it('round-trips a multi-megabyte binary object byte for byte', async () => {
      const location = `${root}/big.bin`;
      const payload = randomBytes(3 * 1024 * 1024 + 17);
      await io.write(location, payload);
      expect((await io.read(location)).equals(payload)).toBe(true);
    });

    it('stores an empty object', async () => {
      await io.write(`${root}/empty.json`, new Uint8Array(0));
      expect((await io.read(`${root}/empty.json`)).length).toBe(0);
      expect(await io.exists(`${root}/empty.json`)).toBe(true);
    });

    it('reports a missing object as ObjectNotFoundError (a NotFoundError)', async () => {
      const location = `${root}/missing.metadata.json`;
      const error = await io.read(location).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectNotFoundError);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as ObjectNotFoundError).location).toBe(location);
      expect(await io.exists(location)).toBe(false);
    });

    it('does not treat a directory-like prefix as an object', async () => {
      await io.write(`${root}/dir/file.json`, bytesOf('x'));
      expect(await io.exists(`${root}/dir`)).toBe(false);
      await expect(io.read(`${root}/dir`)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    (capabilities.refusesOverwrite === true ? it : it.skip)(
      capabilities.refusesOverwrite === true
        ? 'refuses to overwrite an existing object and keeps the original bytes'
        : `refuses to overwrite an existing object (skipped: ${capabilities.refusesOverwrite})`,
      async () => {
        const location = `${root}/metadata/00001-a.metadata.json`;
        await io.write(location, bytesOf('original'));
        const error = await io.write(location, bytesOf('replacement')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ObjectAlreadyExistsError);
        expect(error).toBeInstanceOf(ConflictError);
        expect((await io.read(location)).toString()).toBe('original');
      },
    );

    (capabilities.refusesOverwrite === true ? it : it.skip)(
      capabilities.refusesOverwrite === true
        ? 'lets exactly one of several concurrent writers of the same new location win'
        : `lets exactly one concurrent writer win (skipped: ${capabilities.refusesOverwrite})`,
      async () => {
        const location = `${root}/metadata/00002-race.metadata.json`;
        const writers = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5'];
        const outcomes = await Promise.allSettled(writers.map((w) => io.write(location, bytesOf(w))));
        const winners = writers.filter((_, i) => outcomes[i].status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ObjectAlreadyExistsError);
        }
        expect((await io.read(location)).toString()).toBe(winners[0]);
      },
    );

    it('deletes an object, and deleting an absent one is not an error', async () => {
      const location = `${root}/to-delete.json`;
      await io.write(location, bytesOf('bye'));
      await io.delete(location);
      expect(await io.exists(location)).toBe(false);
      await expect(io.read(location)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(io.delete(location)).resolves.toBeUndefined();
      await expect(io.delete(`${root}/never-existed.json`)).resolves.toBeUndefined();
    });

    it('deletes only the object at the location, never what lies below it as in a directory', async () => {
      const below = [`${root}/t/metadata/00000-a.metadata.json`, `${root}/t/data/x.parquet`];
      for (const location of below) await io.write(location, bytesOf(location));
      await io.delete(`${root}/t`);
      for (const location of below) expect((await io.read(location)).toString()).toBe(location);
    });

    it('refuses . and .. segments everywhere instead of resolving them', async () => {
      await io.write(`${root}/safe/a.json`, bytesOf('a'));
      const traversal = [`${root}/safe/../safe/a.json`, `${root}/./safe/a.json`, `${root}/x/../../escape.json`];
      for (const location of traversal) {
        await expect(io.read(location)).rejects.toBeInstanceOf(InvalidLocationError);
        await expect(io.write(location, bytesOf('evil'))).rejects.toBeInstanceOf(ValidationError);
        await expect(io.exists(location)).rejects.toBeInstanceOf(InvalidLocationError);
        await expect(io.delete(location)).rejects.toBeInstanceOf(InvalidLocationError);
      }
      expect((await io.read(`${root}/safe/a.json`)).toString()).toBe('a');
    });

    it('refuses locations of another scheme and relative paths', async () => {
      const foreign = root.startsWith('s3://') ? 'mem://store/x.json' : 's3://bucket/x.json';
      for (const location of [foreign, 'gs://bucket/x.json', 'relative/x.json', '']) {
        await expect(io.read(location)).rejects.toBeInstanceOf(InvalidLocationError);
        await expect(io.write(location, bytesOf('x'))).rejects.toBeInstanceOf(InvalidLocationError);
      }
    });
  });
}
