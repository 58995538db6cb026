import { isSecretKey, maskStorageConfig, MASKED_SECRET } from './storage-config';

describe('isSecretKey', () => {
  it.each([
    's3.secret-access-key', 'secret_access_key', 's3.session-token', 'adls.account-key', 'gcs.private-key', 'password',
    's3.sse.key', 'sse-key', 's3.sse.customer-key', 'customer-key', 'encryption-key', 's3.sse.c-key', 'sas',
    'adls.sas', 'adls.sas-token.myaccount', 'credential',
  ])('%s holds a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['type', 's3.bucket', 's3.endpoint', 's3.region', 's3.access-key-id', 's3.sse.type', 's3.sse.kms-key-id', 'root', 'sassy', 'oasis'])(
    '%s is not a secret',
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );

  it('maskStorageConfig keeps the shape and hides every secret value', () => {
    expect(maskStorageConfig({ type: 's3', 's3.sse.key': 'k', 's3.sse.type': 'sse-c' })).toEqual({
      type: 's3',
      's3.sse.key': MASKED_SECRET,
      's3.sse.type': 'sse-c',
    });
  });
});
