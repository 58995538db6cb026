import { randomUUID } from 'node:crypto';
import { parseJsonLossless } from '../../../src/common/lossless-json';
import { describeEachBackend } from '../../support/app-harness';
import { createTestCatalog, nsPath } from './support/iceberg-fixtures';
import { commitRaw, createTable, Json, loadTable, metadataFiles } from './support/iceberg-http';
import { expectIcebergError, expectIcebergResponse } from './support/iceberg-response-schemas';

const SNAPSHOT_ID = '7446468398231234001';
const OTHER_SNAPSHOT_ID = '7446468398231234002';

/** Commit semantics (contract iceberg-rest §8): requirements, bad requests, concurrency, per backend. */
describeEachBackend('Iceberg REST table commits', (ctx) => {
  const catalog = 'commits';
  const namespace = 'ns';
  const tables = `/v1/${catalog}/namespaces/${nsPath(namespace)}/tables`;
  let table: Json;
  const tablePath = `${tables}/matrix`;

  beforeAll(async () => {
    await createTestCatalog(ctx.ports, catalog);
    await ctx.http.post(`/v1/${catalog}/namespaces`).send({ namespace: [namespace] }).expect(200);
    table = await createTable(ctx.http, tables, 'matrix');
    // One snapshot on main, with an id above 2^53.
    const res = await commitRaw(
      ctx.http,
      tablePath,
      `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}],
        "updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":${SNAPSHOT_ID},"sequence-number":1,
          "timestamp-ms":${Date.now()},"manifest-list":"${table.metadata.location}/metadata/snap.avro",
          "summary":{"operation":"append"}}},
          {"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":${SNAPSHOT_ID}}]}`,
    );
    expect(res.status).toBe(200);
    table = await loadTable(ctx.http, tablePath);
  });

  const matrix: { requirement: () => Json; holds: boolean; title: string }[] = [
    { title: 'assert-table-uuid (case-insensitive)', holds: true, requirement: () => ({ type: 'assert-table-uuid', uuid: table.metadata['table-uuid'].toUpperCase() }) },
    { title: 'assert-table-uuid', holds: false, requirement: () => ({ type: 'assert-table-uuid', uuid: randomUUID() }) },
    { title: 'assert-ref-snapshot-id main', holds: true, requirement: () => ({ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': `@${SNAPSHOT_ID}` }) },
    { title: 'assert-ref-snapshot-id main (other id)', holds: false, requirement: () => ({ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': `@${OTHER_SNAPSHOT_ID}` }) },
    { title: 'assert-ref-snapshot-id main null', holds: false, requirement: () => ({ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }) },
    { title: 'assert-ref-snapshot-id absent ref null', holds: true, requirement: () => ({ type: 'assert-ref-snapshot-id', ref: 'audit', 'snapshot-id': null }) },
    { title: 'assert-ref-snapshot-id absent ref', holds: false, requirement: () => ({ type: 'assert-ref-snapshot-id', ref: 'audit', 'snapshot-id': `@${SNAPSHOT_ID}` }) },
    { title: 'assert-current-schema-id', holds: true, requirement: () => ({ type: 'assert-current-schema-id', 'current-schema-id': 0 }) },
    { title: 'assert-current-schema-id', holds: false, requirement: () => ({ type: 'assert-current-schema-id', 'current-schema-id': 7 }) },
    { title: 'assert-last-assigned-field-id', holds: true, requirement: () => ({ type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 2 }) },
    { title: 'assert-last-assigned-field-id', holds: false, requirement: () => ({ type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 3 }) },
    { title: 'assert-last-assigned-partition-id', holds: true, requirement: () => ({ type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1000 }) },
    { title: 'assert-last-assigned-partition-id', holds: false, requirement: () => ({ type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 999 }) },
    { title: 'assert-default-spec-id', holds: true, requirement: () => ({ type: 'assert-default-spec-id', 'default-spec-id': 0 }) },
    { title: 'assert-default-spec-id', holds: false, requirement: () => ({ type: 'assert-default-spec-id', 'default-spec-id': 3 }) },
    { title: 'assert-default-sort-order-id', holds: true, requirement: () => ({ type: 'assert-default-sort-order-id', 'default-sort-order-id': 1 }) },
    { title: 'assert-default-sort-order-id', holds: false, requirement: () => ({ type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 }) },
    { title: 'assert-create on an existing table', holds: false, requirement: () => ({ type: 'assert-create' }) },
  ];

  /** JSON text of a commit; string values `@<digits>` become bare 64-bit integers. */
  function commitText(requirements: Json[], updates: Json[]): string {
    return JSON.stringify({ requirements, updates }).replace(/"@(\d+)"/g, '$1');
  }

  for (const { title, holds, requirement } of matrix) {
    it(`${holds ? 'accepts' : 'refuses with 409'}: ${title}`, async () => {
      const before = await loadTable(ctx.http, tablePath);
      const filesBefore = await metadataFiles(before.metadata.location);
      const key = `k_${randomUUID().slice(0, 8)}`;
      const res = await commitRaw(
        ctx.http,
        tablePath,
        commitText([requirement()], [{ action: 'set-properties', updates: { [key]: 'v' } }]),
      );
      const after = await loadTable(ctx.http, tablePath);
      if (holds) {
        expect(res.status).toBe(200);
        expectIcebergResponse('CommitTableResponse', res.body);
        expect(after.metadata.properties[key]).toBe('v');
        expect(after['metadata-location']).not.toBe(before['metadata-location']);
      } else {
        expectIcebergError(res, 409, 'CommitFailedException');
        expect(res.body.error.message).toContain(requirement().type);
        expect(after['metadata-location']).toBe(before['metadata-location']);
        expect(await metadataFiles(before.metadata.location)).toEqual(filesBefore);
      }
    });
  }

  it('refuses unknown requirement types and update actions with 400 naming them, writing nothing', async () => {
    const before = await loadTable(ctx.http, tablePath);
    const filesBefore = await metadataFiles(before.metadata.location);
    const cases: [string, string][] = [
      [commitText([{ type: 'assert-something-new' }], [{ action: 'set-properties', updates: { a: 'b' } }]), 'assert-something-new'],
      [commitText([], [{ action: 'set-properties', updates: { a: 'b' } }, { action: 'rewrite-everything' }]), 'rewrite-everything'],
      // The unknown update is named even when a requirement fails as well.
      [commitText([{ type: 'assert-current-schema-id', 'current-schema-id': 99 }], [{ action: 'frobnicate' }]), 'frobnicate'],
    ];
    for (const [body, named] of cases) {
      const res = await commitRaw(ctx.http, tablePath, body);
      expectIcebergError(res, 400, 'BadRequestException');
      expect(res.body.error.message).toContain(named);
    }
    const after = await loadTable(ctx.http, tablePath);
    expect(after['metadata-location']).toBe(before['metadata-location']);
    expect(await metadataFiles(before.metadata.location)).toEqual(filesBefore);
  });

  it('answers malformed commit bodies with 400, never 5xx', async () => {
    const before = await loadTable(ctx.http, tablePath);
    const bodies = [
      '{"updates":[]}',
      '{"requirements":[]}',
      '{}',
      '[]',
      '{"requirements":{},"updates":[]}',
      '{"requirements":[],"updates":[{"action":"set-current-schema","schema-id":42}]}',
      '{"requirements":[],"updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":1}}]}',
      '{"requirements":[],"updates":[{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":5}]}',
      '{"requirements":[],"updates":[{"action":"set-properties"}]}',
      '{"requirements":[],"updates":[',
      'not json',
      '',
    ];
    for (const body of bodies) {
      const res = await commitRaw(ctx.http, tablePath, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expectIcebergError(res, 400, 'BadRequestException');
    }
    const after = await loadTable(ctx.http, tablePath);
    expect(after['metadata-location']).toBe(before['metadata-location']);
  });

  it('answers 404 NoSuchTableException for a commit to a missing table or catalog', async () => {
    const body = commitText([], [{ action: 'set-properties', updates: { a: 'b' } }]);
    expectIcebergError(await commitRaw(ctx.http, `${tables}/nope`, body), 404, 'NoSuchTableException');
    expectIcebergError(
      await commitRaw(ctx.http, `/v1/nocatalog/namespaces/${nsPath(namespace)}/tables/matrix`, body),
      404,
      'NoSuchTableException',
    );
  });

  // Exactly-one-winner needs an atomic compare-and-swap on the server: the in-process MongoDB test server
  // has no real transactions, so these races run on every backend that has them.
  ctx.itWith(['transactions'], 'lets exactly one of 20 commits from the same base win; the others get 409', async () => {
    await createTable(ctx.http, tables, 'race');
    const path = `${tables}/race`;
    const base = await loadTable(ctx.http, path);
    const ids = Array.from({ length: 20 }, (_, i) => (7000000000000000000n + BigInt(i)).toString());
    const responses = await Promise.all(
      ids.map((id) =>
        commitRaw(
          ctx.http,
          path,
          `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}],
            "updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":${id},"sequence-number":1,
              "timestamp-ms":${Date.now()},"manifest-list":"${base.metadata.location}/metadata/snap-${id}.avro",
              "summary":{"operation":"append"}}},
              {"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":${id}}]}`,
        ),
      ),
    );
    const winners = responses.filter((r) => r.status === 200);
    const losers = responses.filter((r) => r.status !== 200);
    expect(winners).toHaveLength(1);
    for (const loser of losers) expectIcebergError(loser, 409, 'CommitFailedException');

    const finalText = (await ctx.http.get(path).expect(200)).text;
    const final = parseJsonLossless(finalText) as Json;
    const winnerId = (parseJsonLossless(winners[0].text) as Json).metadata['current-snapshot-id'];
    expect(final.metadata['current-snapshot-id']).toBe(winnerId);
    expect(final.metadata.snapshots).toHaveLength(1);
    // Losers' metadata files were removed: only the create and the winner's file remain.
    expect(await metadataFiles(base.metadata.location)).toHaveLength(2);
  });

  // Commits to one table that arrive together are applied one after another, each on the previous one's
  // result: requirement-free commits never conflict with each other, so every one of them gets through.
  ctx.itWith(['transactions'], 'applies 50 concurrent requirement-free commits to one table, every one of them', async () => {
    await createTable(ctx.http, tables, 'busy');
    const path = `${tables}/busy`;
    const keys = Array.from({ length: 50 }, (_, i) => `key_${i}`);
    const responses = await Promise.all(
      keys.map((key) => commitRaw(ctx.http, path, commitText([], [{ action: 'set-properties', updates: { [key]: key } }]))),
    );
    expect(responses.map((res) => res.status)).toEqual(keys.map(() => 200));
    const final = await loadTable(ctx.http, path);
    for (const key of keys) expect(final.metadata.properties[key]).toBe(key);
    // One metadata file and one history entry per commit, on top of the create.
    expect(final['metadata-location']).toMatch(new RegExp(`/metadata/${String(keys.length).padStart(5, '0')}-`));
    expect(final.metadata['metadata-log']).toHaveLength(keys.length);
    const branch = await ctx.ports.branches.getBranch(
      '00000000-0000-0000-0000-000000000000',
      catalog,
      'main',
    );
    const history = await ctx.ports.commits.getCommitAncestry('00000000-0000-0000-0000-000000000000', branch!.headCommitId, 1000);
    expect(history.filter((c) => c.message === 'iceberg commit ns.busy')).toHaveLength(keys.length);
  });
});
