import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** The S3-compatible server global-setup started (test/support/servers/s3-server.ts). */
export function s3TestEndpoint(): { endpoint: string; accessKey: string; secretKey: string } {
  const endpoint = process.env['PANGOLIN_TEST_S3_ENDPOINT'];
  if (!endpoint) throw new Error('PANGOLIN_TEST_S3_ENDPOINT is not set: run the tests through jest (global-setup starts s3rver)');
  return {
    endpoint,
    accessKey: process.env['PANGOLIN_TEST_S3_ACCESS_KEY'] ?? 'S3RVER',
    secretKey: process.env['PANGOLIN_TEST_S3_SECRET_KEY'] ?? 'S3RVER',
  };
}

/** Creates a bucket with a random name (concurrent test runs share one server) and returns its name. */
export async function createTestBucket(prefix = 'test'): Promise<string> {
  const { endpoint, accessKey, secretKey } = s3TestEndpoint();
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
  });
  const bucket = `${prefix}-${randomBytes(6).toString('hex')}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return bucket;
}
