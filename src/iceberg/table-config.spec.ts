import type { Warehouse } from '../persistence/models';
import { configDependsOnWriteAccess, tableConfig } from './table-config';

function s3Warehouse(storage: Record<string, string>, vendingStrategy: unknown = null): Warehouse {
  return {
    storageConfig: { type: 's3', 's3.bucket': 'b', 's3.endpoint': 'http://s3.local', 's3.region': 'eu-west-1', ...storage },
    vendingStrategy,
  } as unknown as Warehouse;
}

const STATIC_KEYS = { 's3.access-key-id': 'WRITER', 's3.secret-access-key': 'writer-secret' };
const AWS_STATIC = { AwsStatic: { access_key_id: 'READER', secret_access_key: 'reader-secret' } };

describe('tableConfig credentials', () => {
  it('hands the storage_config keys to a caller who may write, never to a reader', () => {
    const warehouse = s3Warehouse(STATIC_KEYS);
    expect(tableConfig(warehouse, { mayWrite: true })).toMatchObject({ 's3.access-key-id': 'WRITER', 's3.secret-access-key': 'writer-secret' });
    const read = tableConfig(warehouse, { mayWrite: false });
    expect(read).toEqual({ 's3.endpoint': 'http://s3.local', 's3.region': 'eu-west-1', 's3.path-style-access': expect.any(String) });
    expect(tableConfig(s3Warehouse(STATIC_KEYS, 'None'), { mayWrite: false })['s3.secret-access-key']).toBeUndefined();
  });

  it('hands readers the AwsStatic strategy keys; writers keep the storage_config keys', () => {
    const warehouse = s3Warehouse(STATIC_KEYS, AWS_STATIC);
    expect(tableConfig(warehouse, { mayWrite: false })).toMatchObject({ 's3.access-key-id': 'READER', 's3.secret-access-key': 'reader-secret' });
    expect(tableConfig(warehouse, { mayWrite: true })).toMatchObject({ 's3.access-key-id': 'WRITER' });
    // Without storage_config keys a writer gets what the strategy vends.
    expect(tableConfig(s3Warehouse({}, AWS_STATIC), { mayWrite: true })).toMatchObject({ 's3.access-key-id': 'READER' });
  });

  it('vends nothing for the strategies not implemented here', () => {
    for (const strategy of [{ AwsSts: { role_arn: 'arn', external_id: null } }, { AzureSas: { account_name: 'a', account_key: 'k' } }]) {
      expect(tableConfig(s3Warehouse(STATIC_KEYS, strategy), { mayWrite: false })['s3.access-key-id']).toBeUndefined();
    }
  });

  it('only an S3 warehouse with storage_config keys depends on the write check', () => {
    expect(configDependsOnWriteAccess(s3Warehouse(STATIC_KEYS))).toBe(true);
    expect(configDependsOnWriteAccess(s3Warehouse({}, AWS_STATIC))).toBe(false);
    expect(configDependsOnWriteAccess({ storageConfig: { type: 'file', root: '/w' }, vendingStrategy: null } as unknown as Warehouse)).toBe(false);
    expect(configDependsOnWriteAccess(null)).toBe(false);
  });
});
