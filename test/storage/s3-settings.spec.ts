import { ValidationError } from '../../src/common/errors';
import { configuredBucket, resolveS3Settings } from '../../src/storage/s3-settings';

describe('resolveS3Settings', () => {
  const noEnv = {};

  it('reads the s3.* spelling (pypangolin)', () => {
    expect(
      resolveS3Settings(
        {
          's3.endpoint': 'http://minio:9000',
          's3.region': 'eu-west-3',
          's3.access-key-id': 'AKIA1',
          's3.secret-access-key': 'secret1',
          's3.session-token': 'token1',
          's3.path-style-access': 'true',
        },
        noEnv,
      ),
    ).toEqual({
      endpoint: 'http://minio:9000',
      region: 'eu-west-3',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'secret1', sessionToken: 'token1' },
    });
  });

  it('reads the plain spelling (the UI)', () => {
    expect(
      resolveS3Settings(
        { endpoint: 'https://s3.example.com', region: 'ap-south-1', access_key_id: 'AKIA2', secret_access_key: 'secret2' },
        noEnv,
      ),
    ).toEqual({
      endpoint: 'https://s3.example.com',
      region: 'ap-south-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA2', secretAccessKey: 'secret2' },
    });
  });

  it('prefers the s3.* spelling when both are present, and treats empty values as absent', () => {
    const settings = resolveS3Settings(
      { 's3.region': 'eu-north-1', region: 'us-west-2', 's3.endpoint': '', endpoint: 'http://plain:9000', 's3.access-key-id': ' ', access_key_id: 'AKIA3', secret_access_key: 's3' },
      noEnv,
    );
    expect(settings.region).toBe('eu-north-1');
    expect(settings.endpoint).toBe('http://plain:9000');
    expect(settings.credentials).toEqual({ accessKeyId: 'AKIA3', secretAccessKey: 's3' });
  });

  it('defaults to us-east-1, AWS endpoints, virtual-hosted addressing and the SDK credential chain', () => {
    expect(resolveS3Settings({}, noEnv)).toEqual({ region: 'us-east-1', endpoint: undefined, forcePathStyle: false, credentials: undefined });
  });

  it('lets s3.path-style-access override the endpoint-based default, both ways', () => {
    expect(resolveS3Settings({ 's3.path-style-access': 'TRUE' }, noEnv).forcePathStyle).toBe(true);
    expect(resolveS3Settings({ endpoint: 'http://m:9000', 's3.path-style-access': 'false' }, noEnv).forcePathStyle).toBe(false);
  });

  it('falls back to the environment for whatever the config leaves out', () => {
    const env = {
      S3_ENDPOINT: 'http://env-endpoint:9000',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'ENVKEY',
      AWS_SECRET_ACCESS_KEY: 'envsecret',
      AWS_SESSION_TOKEN: 'envtoken',
    };
    expect(resolveS3Settings({ 's3.bucket': 'lake' }, env)).toEqual({
      endpoint: 'http://env-endpoint:9000',
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'ENVKEY', secretAccessKey: 'envsecret', sessionToken: 'envtoken' },
    });
    // Config wins over the environment, and static config credentials are not mixed with the env's token.
    expect(resolveS3Settings({ 's3.access-key-id': 'CFG', 's3.secret-access-key': 'cfgsecret', region: 'us-west-1' }, env)).toMatchObject({
      region: 'us-west-1',
      credentials: { accessKeyId: 'CFG', secretAccessKey: 'cfgsecret' },
    });
    expect(resolveS3Settings({}, { AWS_ENDPOINT_URL: 'http://generic:1', AWS_DEFAULT_REGION: 'sa-east-1' })).toMatchObject({
      endpoint: 'http://generic:1',
      region: 'sa-east-1',
    });
  });

  it.each([
    [{ endpoint: 'minio:9000' }, 'not an http:// or https:// URL'],
    [{ 's3.access-key-id': 'only-the-id' }, 'only half of a static S3 credential'],
    [{ secret_access_key: 'only-the-secret' }, 'only half of a static S3 credential'],
    [{ 's3.path-style-access': 'yes' }, 's3.path-style-access must be "true" or "false"'],
  ])('refuses %j', (config, message) => {
    expect(() => resolveS3Settings(config, noEnv)).toThrow(ValidationError);
    expect(() => resolveS3Settings(config, noEnv)).toThrow(message);
  });

  it('reads the bucket from s3.bucket, then bucket', () => {
    expect(configuredBucket({ 's3.bucket': 'a', bucket: 'b' })).toBe('a');
    expect(configuredBucket({ bucket: 'b' })).toBe('b');
    expect(configuredBucket({})).toBeUndefined();
  });
});
