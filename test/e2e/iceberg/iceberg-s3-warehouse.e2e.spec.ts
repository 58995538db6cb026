import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import { MetadataBytesCache } from '../../../src/storage';
import { describeEachBackend } from '../../support/app-harness';
import { createTestBucket, s3TestEndpoint } from '../../storage/s3-test-env';
import { createTestCatalog, createTestWarehouse, nsPath } from './support/iceberg-fixtures';
import { commitRaw, createTable, createTableBody, loadTable } from './support/iceberg-http';
import { expectIcebergError } from './support/iceberg-response-schemas';

/**
 * A catalog whose warehouse is an S3 bucket on the S3-compatible test server: metadata files are written
 * to and read from the bucket, the table config tells the client how to reach it, purge empties the
 * table's prefix. The storage path does not depend on the metadata backend, so two backends suffice.
 */
describeEachBackend(
  'Iceberg REST on an S3 warehouse',
  (ctx) => {
    const catalog = 's3cat';
    const tables = `/v1/${catalog}/namespaces/${nsPath('raw')}/tables`;
    let bucket: string;
    let s3: S3Client;

    beforeAll(async () => {
      const { endpoint, accessKey, secretKey } = s3TestEndpoint();
      bucket = await createTestBucket('iceberg');
      s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } });
      await createTestWarehouse(ctx.ports, 's3wh', {
        type: 's3',
        's3.bucket': bucket,
        's3.endpoint': endpoint,
        's3.region': 'us-east-1',
        's3.access-key-id': accessKey,
        's3.secret-access-key': secretKey,
        's3.path-style-access': 'true',
      });
      await createTestCatalog(ctx.ports, catalog, { warehouseName: 's3wh' });
      await ctx.http.post(`/v1/${catalog}/namespaces`).send({ namespace: ['raw'] }).expect(200);
    });
    afterAll(() => s3?.destroy());

    async function objectText(location: string): Promise<string> {
      const key = location.replace(`s3://${bucket}/`, '');
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body!.transformToString();
    }

    async function keysUnder(prefix: string): Promise<string[]> {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    }

    it('writes, commits, loads and purges metadata files in the bucket', async () => {
      const created = await createTable(ctx.http, tables, 'clicks');
      // <warehouse root>/<tenant id>/<catalog>/<namespace>/<table>
      expect(created.metadata.location).toBe(`s3://${bucket}/${DEFAULT_TENANT_ID}/${catalog}/raw/clicks`);
      expect(JSON.parse(await objectText(created['metadata-location']))['table-uuid']).toBe(created.metadata['table-uuid']);
      const { endpoint, accessKey, secretKey } = s3TestEndpoint();
      expect(created.config).toEqual({
        's3.endpoint': endpoint,
        's3.region': 'us-east-1',
        's3.path-style-access': 'true',
        's3.access-key-id': accessKey,
        's3.secret-access-key': secretKey,
      });

      const committed = await commitRaw(
        ctx.http,
        `${tables}/clicks`,
        JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { engine: 's3' } }] }),
      ).expect(200);
      expect(JSON.parse(await objectText(committed.body['metadata-location'])).properties.engine).toBe('s3');

      // Served from the bucket when the bytes are not cached (another replica, a restart).
      ctx.app.get(MetadataBytesCache).clear();
      const loaded = await loadTable(ctx.http, `${tables}/clicks`);
      expect(loaded['metadata-location']).toBe(committed.body['metadata-location']);
      expect(loaded.metadata.properties.engine).toBe('s3');

      expect(await keysUnder(`${DEFAULT_TENANT_ID}/${catalog}/raw/clicks/`)).toHaveLength(2);
      await ctx.http.delete(`${tables}/clicks`).query({ purgeRequested: 'true' }).expect(204);
      expect(await keysUnder(`${DEFAULT_TENANT_ID}/${catalog}/raw/clicks/`)).toEqual([]);
    });

    it('refuses locations outside the warehouse bucket', async () => {
      for (const location of [`s3://other-${bucket}/t`, `s3://${bucket}`, `file:///tmp/t`]) {
        const res = await ctx.http.post(tables).send(createTableBody('outside', { location }));
        expectIcebergError(res, 400, 'BadRequestException');
      }
      const inside = await createTable(ctx.http, tables, 'inside', { location: `s3://${bucket}/custom/inside` });
      expect(inside['metadata-location'].startsWith(`s3://${bucket}/custom/inside/metadata/00000-`)).toBe(true);
    });
  },
  { backends: ['memory', 'postgres'] },
);
