import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalFileIO } from '../../src/storage/local-file-io';
import { MemoryFileIO } from '../../src/storage/memory-file-io';
import { createS3Client, S3FileIO } from '../../src/storage/s3-file-io';
import { ValidationError } from '../../src/common/errors';
import { InvalidLocationError, ObjectNameRejectedError, ObjectNotFoundError, StorageUnavailableError } from '../../src/storage/errors';
import { describeFileIoContract } from './file-io.contract';
import { createTestBucket, s3TestEndpoint } from './s3-test-env';

describeFileIoContract(
  'local filesystem (file://)',
  async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pangolin-fileio-'));
    return {
      io: new LocalFileIO(),
      root: `file://${dir}/warehouse`,
      cleanup: () => fs.rm(dir, { recursive: true, force: true }),
    };
  },
  { refusesOverwrite: true },
);

describeFileIoContract(
  'process memory (mem://)',
  async () => ({ io: new MemoryFileIO(), root: `mem://store-${randomBytes(3).toString('hex')}/warehouse` }),
  { refusesOverwrite: true },
);

describe('S3 FileIO against s3rver', () => {
  let bucket: string;
  const clients: S3FileIO[] = [];
  beforeAll(async () => {
    bucket = await createTestBucket('fileio');
  });
  afterAll(() => clients.forEach((c) => c.client.destroy()));

  const openS3 = () => {
    const { endpoint, accessKey, secretKey } = s3TestEndpoint();
    const io = new S3FileIO(
      createS3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
      }),
      endpoint,
    );
    clients.push(io);
    return io;
  };

  describeFileIoContract(
    's3:// (s3rver)',
    async () => ({ io: openS3(), root: `s3://${bucket}/run-${randomBytes(4).toString('hex')}` }),
    { refusesOverwrite: 's3rver ignores If-None-Match; see the conditional-write tests in s3-file-io.spec.ts' },
  );

  // Real S3 stores `a//b` as its own key and the FileIO addresses keys verbatim; s3rver's router answers
  // 404 to any path with an empty segment, so this cannot be shown against it.
  it.skip('addresses a key with a double slash verbatim (skipped: s3rver cannot route keys with empty segments)', async () => {
    const io = openS3();
    const location = `s3://${bucket}/verbatim-${randomBytes(4).toString('hex')}//metadata/a.json`;
    await io.write(location, Buffer.from('double'));
    expect((await io.read(location)).toString()).toBe('double');
    await expect(io.read(location.replace('//metadata', '/metadata'))).rejects.toBeInstanceOf(ObjectNotFoundError);
  });
});

describe('local filesystem FileIO specifics', () => {
  let dir: string;
  const io = new LocalFileIO();
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pangolin-localio-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('leaves only the published file behind: no temporary files after a write or a refused overwrite', async () => {
    const location = `file://${dir}/metadata/00000-a.metadata.json`;
    await io.write(location, Buffer.from('first'));
    await io.write(location, Buffer.from('second')).catch(() => undefined);
    expect(await fs.readdir(path.join(dir, 'metadata'))).toEqual(['00000-a.metadata.json']);
    expect(await fs.readFile(path.join(dir, 'metadata', '00000-a.metadata.json'), 'utf8')).toBe('first');
  });

  it('accepts the Hadoop spelling file:/path and file://localhost/path for the same file', async () => {
    await io.write(`file:${dir}/h.json`, Buffer.from('hadoop'));
    expect((await io.read(`file://${dir}/h.json`)).toString()).toBe('hadoop');
    expect((await io.read(`file://localhost${dir}/h.json`)).toString()).toBe('hadoop');
  });

  it('refuses a file location on another host', async () => {
    await expect(io.read(`file://otherhost${dir}/h.json`)).rejects.toBeInstanceOf(InvalidLocationError);
  });

  it('reports a path component that is a file as a storage fault naming its code, not the path, to the client', async () => {
    await io.write(`file://${dir}/plain`, Buffer.from('x'));
    const error = (await io.write(`file://${dir}/plain/child.json`, Buffer.from('y')).catch((e: unknown) => e)) as StorageUnavailableError;
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error.publicReason).toBe('could not write a file (ENOTDIR)');
    expect(error.forTable('ns.t').publicReason).toBe("could not write a file of table 'ns.t' (ENOTDIR)");
    // The logged message keeps the location for the operator.
    expect(error.message).toContain(dir);
  });

  it("reports a file name too long for the filesystem as the client's name error, without the path", async () => {
    const error = (await io.write(`file://${dir}/${'n'.repeat(1000)}/m.json`, Buffer.from('y')).catch((e: unknown) => e)) as ObjectNameRejectedError;
    expect(error).toBeInstanceOf(ObjectNameRejectedError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).not.toContain(dir);
    expect(error.forTable('ns.t').message).toContain("table 'ns.t' (ENAMETOOLONG)");
  });

  it('refuses to write where a directory exists', async () => {
    await fs.mkdir(path.join(dir, 'a-dir'));
    await expect(io.write(`file://${dir}/a-dir`, Buffer.from('y'))).rejects.toBeInstanceOf(InvalidLocationError);
  });

  it('treats percent signs as literal characters (no URL decoding)', async () => {
    await io.write(`file://${dir}/ns%2E%2E/t.json`, Buffer.from('literal'));
    expect(await fs.readFile(path.join(dir, 'ns%2E%2E', 't.json'), 'utf8')).toBe('literal');
  });
});

describe('memory FileIO specifics', () => {
  it('copies buffers in and out, so callers cannot change stored bytes', async () => {
    const io = new MemoryFileIO();
    const input = Buffer.from('abc');
    await io.write('mem://s/a.json', input);
    input[0] = 0x7a;
    const first = await io.read('mem://s/a.json');
    first[1] = 0x7a;
    expect((await io.read('mem://s/a.json')).toString()).toBe('abc');
  });

  it('treats mem://s/a//b and mem://s/a/b as one object', async () => {
    const io = new MemoryFileIO();
    await io.write('mem://s/a//b.json', Buffer.from('one'));
    expect((await io.read('mem://s/a/b.json')).toString()).toBe('one');
    expect(io.size).toBe(1);
  });
});
