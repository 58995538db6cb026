import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObjectStorageUnavailableError } from '../../src/common/errors';
import { ObjectAlreadyExistsError, ObjectNotFoundError, StorageUnavailableError } from '../../src/storage/errors';
import { createS3Client, S3FileIO } from '../../src/storage/s3-file-io';
import { createTestBucket, s3TestEndpoint } from './s3-test-env';

/**
 * Store answers s3rver cannot produce (it ignores If-None-Match), served by a minimal HTTP endpoint that
 * records each request and answers with a scripted S3 error document.
 */
describe('S3 FileIO conditional writes (scripted store answers)', () => {
  interface Recorded {
    method: string;
    url: string;
    ifNoneMatch: string | undefined;
  }
  let server: http.Server;
  let endpoint: string;
  let recorded: Recorded[];
  let answer: (req: http.IncomingMessage) => { status: number; code?: string };
  const ios: S3FileIO[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        recorded.push({ method: req.method ?? '', url: (req.url ?? '').split('?')[0], ifNoneMatch: req.headers['if-none-match'] as string | undefined });
        const { status, code } = answer(req);
        if (!code) {
          res.writeHead(status, { etag: '"abc"' }).end();
          return;
        }
        res
          .writeHead(status, { 'content-type': 'application/xml' })
          .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>scripted</Message><RequestId>1</RequestId></Error>`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    ios.forEach((io) => io.client.destroy());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    recorded = [];
  });

  const open = () => {
    const io = new S3FileIO(
      createS3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      }),
      endpoint,
    );
    ios.push(io);
    return io;
  };

  it('sends If-None-Match: * and maps 412 PreconditionFailed to ObjectAlreadyExistsError', async () => {
    answer = (req) => (req.headers['if-none-match'] === '*' ? { status: 412, code: 'PreconditionFailed' } : { status: 200 });
    const error = await open()
      .write('s3://bucket/t/metadata/00001-x.metadata.json', Buffer.from('{}'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectAlreadyExistsError);
    expect(recorded).toEqual([{ method: 'PUT', url: '/bucket/t/metadata/00001-x.metadata.json', ifNoneMatch: '*' }]);
  });

  it('maps 409 ConditionalRequestConflict (a concurrent conditional write won) to ObjectAlreadyExistsError', async () => {
    answer = () => ({ status: 409, code: 'ConditionalRequestConflict' });
    await expect(open().write('s3://bucket/a.json', Buffer.from('{}'))).rejects.toBeInstanceOf(ObjectAlreadyExistsError);
  });

  it('falls back to unconditional writes on a store that answers 501 NotImplemented, and remembers it', async () => {
    answer = (req) => (req.headers['if-none-match'] ? { status: 501, code: 'NotImplemented' } : { status: 200 });
    const io = open();
    await io.write('s3://bucket/a.json', Buffer.from('{}'));
    await io.write('s3://bucket/b.json', Buffer.from('{}'));
    expect(recorded.map((r) => [r.url, r.ifNoneMatch])).toEqual([
      ['/bucket/a.json', '*'],
      ['/bucket/a.json', undefined],
      ['/bucket/b.json', undefined],
    ]);
  });

  it('reports a store error as StorageUnavailableError naming the code, without credentials', async () => {
    answer = () => ({ status: 403, code: 'AccessDenied' });
    const error = (await open()
      .read('s3://bucket/a.json')
      .catch((e: unknown) => e)) as StorageUnavailableError;
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error).toBeInstanceOf(ObjectStorageUnavailableError);
    expect(error.message).toContain('access denied (AccessDenied, HTTP 403)');
    // What the client is told: the operation and the code, not the location or the store's endpoint.
    expect(error.publicReason).toBe('could not read a file (AccessDenied, HTTP 403)');
    expect(error.message).not.toContain('secret');
  });
});

describe('S3 FileIO failures against s3rver and an unreachable endpoint', () => {
  const ios: S3FileIO[] = [];
  afterAll(() => ios.forEach((io) => io.client.destroy()));

  const open = (endpoint: string, accessKeyId?: string) => {
    const test = s3TestEndpoint();
    const io = new S3FileIO(
      createS3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: accessKeyId ?? test.accessKey, secretAccessKey: test.secretKey },
      }),
      endpoint,
    );
    ios.push(io);
    return io;
  };

  it('names a missing bucket instead of calling the object missing', async () => {
    const io = open(s3TestEndpoint().endpoint);
    const missingBucket = `absent-${randomBytes(6).toString('hex')}`;
    const error = (await io.read(`s3://${missingBucket}/a.json`).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error).not.toBeInstanceOf(ObjectNotFoundError);
    expect(error.message).toContain(`Bucket '${missingBucket}' does not exist`);
    await expect(io.write(`s3://${missingBucket}/a.json`, Buffer.from('x'))).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  // s3rver checks the access key id but does not verify SigV4 signatures, so an unknown key id is the
  // refusal it can produce.
  it('reports refused credentials as StorageUnavailableError (access denied)', async () => {
    const bucket = await createTestBucket('creds');
    const io = open(s3TestEndpoint().endpoint, 'UNKNOWNKEY');
    const error = (await io.write(`s3://${bucket}/a.json`, Buffer.from('x')).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error.message).toContain('access denied (InvalidAccessKeyId, HTTP 403)');
    expect(error.message).not.toContain(s3TestEndpoint().secretKey);
  });

  it('reports an unreachable store as StorageUnavailableError naming the endpoint', async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const endpoint = `http://127.0.0.1:${port}`;

    const error = (await open(endpoint).read('s3://bucket/a.json').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error.message).toContain(`object storage at ${endpoint} is unreachable`);
    expect(error.message).toContain('ECONNREFUSED');
  });
});
