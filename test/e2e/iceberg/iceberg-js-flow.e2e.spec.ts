import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { parseJsonLossless } from '../../../src/common/lossless-json';
import { describeEachBackend } from '../../support/app-harness';
import { createTestCatalog } from './support/iceberg-fixtures';
import { expectIcebergResponse } from './support/iceberg-response-schemas';
import { bigIntMarker, createLosslessFetch, LosslessFetch } from './support/lossless-fetch';

/** A snapshot id above 2^53: JSON.parse would turn it into 7446468398231234000. */
const BIG_SNAPSHOT_ID = 7446468398231234001n;

type Json = Record<string, any>;

/**
 * The whole table life cycle driven by a real Iceberg REST client (iceberg-js), in both URL styles, on every
 * backend: config, namespace, create, load, schema change, add-snapshot with a 64-bit id, load, rename,
 * drop. Every response the client received is checked against the Iceberg response schemas.
 */
describeEachBackend('Iceberg REST through iceberg-js', (ctx) => {
  const catalogName = 'warehouse_js';

  beforeAll(async () => {
    await createTestCatalog(ctx.ports, catalogName);
  });

  const styles: { style: string; client: (recorder: LosslessFetch) => Promise<IcebergRestCatalog> }[] = [
    {
      // uri = http://host, prefix = catalog: `/v1/config?warehouse=…`, then `/v1/<catalog>/…`.
      style: 'prefix',
      client: async (recorder) =>
        new IcebergRestCatalog({ baseUrl: ctx.baseUrl, catalogName, fetch: recorder.fetch }),
    },
    {
      // uri = http://host/v1/<catalog>: every call doubled, `/v1/<catalog>/v1/…`.
      style: 'doubled',
      client: async (recorder) => {
        const catalog = new IcebergRestCatalog({ baseUrl: `${ctx.baseUrl}/v1/${catalogName}/`, fetch: recorder.fetch });
        const config = (await catalog.loadConfig()) as Json;
        expect(config.overrides?.prefix).toBeUndefined();
        return catalog;
      },
    },
  ];

  for (const { style, client } of styles) {
    it(`runs the table life cycle (${style} URL style)`, async () => {
      const recorder = createLosslessFetch();
      const catalog = await client(recorder);
      const namespace = [`flow_${style}`];
      const id = { namespace, name: 'events' };

      await catalog.createNamespace({ namespace }, { properties: { owner: 'flow' } });
      expect(await catalog.namespaceExists({ namespace })).toBe(true);
      expect((await catalog.loadNamespaceMetadata({ namespace })).properties).toEqual({ owner: 'flow' });

      const created = (await catalog.createTable(
        { namespace },
        {
          name: 'events',
          schema: {
            type: 'struct',
            'schema-id': 0,
            fields: [
              { id: 1, name: 'id', type: 'long', required: true },
              { id: 2, name: 'ts', type: 'timestamptz', required: false },
              {
                id: 3,
                name: 'tags',
                type: { type: 'list', 'element-id': 4, element: 'string', 'element-required': false },
                required: false,
              },
            ],
            'identifier-field-ids': [1],
          },
          'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }] },
          'write-order': { 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
          properties: { 'write.format.default': 'parquet' },
        } as any,
      )) as Json;
      // Kept exactly as sent: nested types, required flags, partition field ids, the sort order.
      expect(created['format-version']).toBe(2);
      expect(created.schemas[0].fields[2].type).toEqual({ type: 'list', 'element-id': 4, element: 'string', 'element-required': false });
      expect(created.schemas[0].fields[0].required).toBe(true);
      expect(created['last-column-id']).toBe(4);
      expect(created['partition-specs'][0].fields).toEqual([{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }]);
      expect(created['last-partition-id']).toBe(1000);
      expect(created['default-sort-order-id']).toBe(1);
      expect(created.properties).toEqual({ 'write.format.default': 'parquet' });
      const createResult = JSON.parse(recorder.last('POST', `/namespaces/${namespace[0]}/tables`).responseText);
      expectIcebergResponse('LoadTableResult', createResult);
      expect(createResult['metadata-location']).toMatch(/\/events\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/);
      expect(createResult.id).toBe(created['table-uuid']);

      expect(await catalog.tableExists(id)).toBe(true);
      expect((await catalog.listTables({ namespace })).identifiers).toEqual([{ namespace, name: 'events' }]);
      const loaded = (await catalog.loadTable(id)) as Json;
      expect(loaded['table-uuid']).toBe(created['table-uuid']);

      // Schema change: add a column, make it current.
      const evolved = await catalog.updateTable(id, {
        requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }],
        updates: [
          {
            action: 'add-schema',
            schema: {
              type: 'struct',
              'schema-id': 1,
              fields: [...created.schemas[0].fields, { id: 5, name: 'payload', type: 'string', required: false }],
              'identifier-field-ids': [1],
            },
          },
          { action: 'set-current-schema', 'schema-id': -1 },
        ],
      } as any);
      expect(evolved.metadata['current-schema-id']).toBe(1);
      expect(evolved.metadata['last-column-id']).toBe(5);
      expect(evolved['metadata-location']).toMatch(/\/metadata\/00001-[0-9a-f-]{36}\.metadata\.json$/);
      expectIcebergResponse('CommitTableResponse', JSON.parse(recorder.last('POST', '/tables/events').responseText));

      // A snapshot whose id does not fit in a double, committed the way PyIceberg and Java do it.
      const snapshotTimestamp = Date.now();
      await catalog.updateTable(id, {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
        updates: [
          {
            action: 'add-snapshot',
            snapshot: {
              'snapshot-id': bigIntMarker(BIG_SNAPSHOT_ID),
              'sequence-number': 1,
              'timestamp-ms': snapshotTimestamp,
              'manifest-list': `${createResult.metadata.location}/metadata/snap-1.avro`,
              summary: { operation: 'append', 'added-records': '10' },
              'schema-id': 1,
            },
          },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': bigIntMarker(BIG_SNAPSHOT_ID) },
        ],
      } as any);
      const commitText = recorder.last('POST', '/tables/events').responseText;
      expect(commitText).toContain(`"current-snapshot-id":${BIG_SNAPSHOT_ID}`);

      await catalog.loadTable(id);
      const loadText = recorder.last('GET', '/tables/events').responseText;
      const exact = parseJsonLossless(loadText) as Json;
      expect(exact.metadata['current-snapshot-id']).toBe(BIG_SNAPSHOT_ID);
      expect(exact.metadata.snapshots[0]['snapshot-id']).toBe(BIG_SNAPSHOT_ID);
      expect(exact.metadata.refs.main).toEqual({ 'snapshot-id': BIG_SNAPSHOT_ID, type: 'branch' });
      expect(exact.metadata['snapshot-log'].map((e: Json) => e['snapshot-id'])).toEqual([BIG_SNAPSHOT_ID]);
      expect(exact.metadata['metadata-log']).toHaveLength(2);
      expectIcebergResponse('LoadTableResult', JSON.parse(loadText));

      // A stale writer (still expecting no snapshot on main) is refused, and iceberg-js sees a conflict.
      const stale = await catalog
        .updateTable(id, {
          requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
          updates: [{ action: 'set-properties', updates: { stale: 'true' } }],
        } as any)
        .catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(IcebergError);
      expect((stale as IcebergError).status).toBe(409);
      expect((stale as IcebergError).icebergType).toBe('CommitFailedException');

      // Rename, then drop.
      const renamed = { namespace, name: 'events_v2' };
      await catalog.renameTable({ source: id, destination: renamed });
      expect(await catalog.tableExists(id)).toBe(false);
      const afterRename = (await catalog.loadTable(renamed)) as Json;
      expect(afterRename['table-uuid']).toBe(created['table-uuid']);
      await catalog.dropTable(renamed);
      expect(await catalog.tableExists(renamed)).toBe(false);
      const missing = await catalog.loadTable(renamed).catch((e: unknown) => e);
      expect((missing as IcebergError).status).toBe(404);
      expect((missing as IcebergError).icebergType).toBe('NoSuchTableException');
      expect((await catalog.listTables({ namespace })).identifiers).toEqual([]);
      await catalog.dropNamespace({ namespace });
      expect(await catalog.namespaceExists({ namespace })).toBe(false);

      for (const exchange of recorder.exchanges) {
        expect(exchange.status).toBeLessThan(500);
      }
    });
  }
});
