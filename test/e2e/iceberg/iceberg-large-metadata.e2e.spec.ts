import { parseJsonLossless } from '../../../src/common/lossless-json';
import { BackendTestContext, describeEachBackend } from '../../support/app-harness';
import { createTestCatalog, nsPath } from './support/iceberg-fixtures';
import { commitRaw, createTable, Json } from './support/iceberg-http';
import { expectIcebergResponse } from './support/iceberg-response-schemas';

const TARGET_BYTES = 20 * 1024 * 1024;

/** A commit body adding `count` chained snapshots (ids above 2^53) with padded summaries. */
function manySnapshotsCommit(location: string, count: number): { body: string; lastId: string } {
  const padding = 'x'.repeat(900);
  const firstId = 5_000_000_000_000_000_000n;
  const now = Date.now();
  const updates: string[] = [];
  let parent: string | null = null;
  let id = '';
  for (let i = 0; i < count; i++) {
    id = (firstId + BigInt(i)).toString();
    updates.push(
      `{"action":"add-snapshot","snapshot":{"snapshot-id":${id}${parent ? `,"parent-snapshot-id":${parent}` : ''},` +
        `"sequence-number":${i + 1},"timestamp-ms":${now + i},"manifest-list":"${location}/metadata/snap-${id}.avro",` +
        `"summary":{"operation":"append","padding":"${padding}"},"schema-id":0}}`,
    );
    parent = id;
  }
  updates.push(`{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":${id}}`);
  return { body: `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}],"updates":[${updates.join(',')}]}`, lastId: id };
}

/** A metadata document above 20 MB is committed, loaded (exactly) and committed on again. */
function largeDocumentRoundTrip(ctx: BackendTestContext): void {
  const catalog = 'big';
  const tables = `/v1/${catalog}/namespaces/${nsPath('ns')}/tables`;

  beforeAll(async () => {
    await createTestCatalog(ctx.ports, catalog);
    await ctx.http.post(`/v1/${catalog}/namespaces`).send({ namespace: ['ns'] }).expect(200);
  });

  it('commits and loads it byte-exact', async () => {
    const created = await createTable(ctx.http, tables, 'wide');
    const count = Math.ceil(TARGET_BYTES / 1100);
    const { body, lastId } = manySnapshotsCommit(created.metadata.location, count);
    const committed = await commitRaw(ctx.http, `${tables}/wide`, body);
    expect(committed.status).toBe(200);

    const loaded = await ctx.http.get(`${tables}/wide`).buffer(true).expect(200);
    expect(loaded.text.length).toBeGreaterThan(TARGET_BYTES);
    expectIcebergResponse('LoadTableResult', JSON.parse(loaded.text));
    const exact = parseJsonLossless(loaded.text) as Json;
    expect(exact.metadata.snapshots).toHaveLength(count);
    expect(exact.metadata['current-snapshot-id']).toBe(BigInt(lastId));
    expect(exact.metadata['last-sequence-number']).toBe(count);
    // The response carries exactly the document the commit answered with.
    const committedDocument = (parseJsonLossless(committed.text) as Json).metadata;
    expect(exact.metadata).toEqual(committedDocument);

    const next = await commitRaw(
      ctx.http,
      `${tables}/wide`,
      `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":${lastId}}],"updates":[{"action":"set-properties","updates":{"after":"big"}}]}`,
    );
    expect(next.status).toBe(200);
    expect(next.text).toContain(`"current-snapshot-id":${lastId}`);
    const reloaded = await ctx.http.get(`${tables}/wide`).buffer(true).expect(200);
    const after = parseJsonLossless(reloaded.text) as Json;
    expect(after.metadata.properties.after).toBe('big');
    expect(after.metadata.snapshots).toHaveLength(count);
    expect(after.metadata['metadata-log']).toHaveLength(2);
  });
}

// Parsed on the main thread (the harness default: no worker threads), on every backend.
describeEachBackend('Iceberg REST with a 20 MB metadata document', largeDocumentRoundTrip);

// The same through the worker pool: results come back in shared memory, are cached, served from there and
// handed to the worker again by the next commit.
describeEachBackend('Iceberg REST with a 20 MB metadata document through the worker pool', largeDocumentRoundTrip, {
  backends: ['memory', 'postgres'],
  env: { PANGOLIN_METADATA_WORKERS: '2' },
});

/** Bodies above the configured limit are refused with 413 in the Iceberg envelope. */
describeEachBackend(
  'Iceberg REST request body limit',
  (ctx) => {
    it('answers 413 above PANGOLIN_MAX_BODY_BYTES', async () => {
      await createTestCatalog(ctx.ports, 'limited');
      const res = await ctx.http
        .post('/v1/limited/namespaces')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ namespace: ['a'], properties: { big: 'x'.repeat(8192) } }));
      expect(res.status).toBe(413);
      expectIcebergResponse('IcebergErrorResponse', res.body);
      expect(res.body.error.code).toBe(413);
      await ctx.http.post('/v1/limited/namespaces').send({ namespace: ['a'] }).expect(200);
    });
  },
  { backends: ['memory'], env: { PANGOLIN_MAX_BODY_BYTES: '4096' } },
);
