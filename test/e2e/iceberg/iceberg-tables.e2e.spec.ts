import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import { describeEachBackend } from '../../support/app-harness';
import { createTestCatalog, nsPath } from './support/iceberg-fixtures';
import { commitRaw, createTable, createTableBody, Json, loadTable, metadataFiles } from './support/iceberg-http';
import { expectIcebergError, expectIcebergResponse } from './support/iceberg-response-schemas';

const setProperty = (key: string, value: string) =>
  JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { [key]: value } }] });

/** Table routes beyond the basic flow: branches, locations, stage-create, register, purge, rename, errors. */
describeEachBackend('Iceberg REST tables', (ctx) => {
  const catalog = 'tables';
  const base = `/v1/${catalog}`;
  const tables = (...levels: string[]) => `${base}/namespaces/${nsPath(...levels)}/tables`;
  /** The catalog's directory in the default warehouse: <data dir>/warehouse/<tenant id>/<catalog>. */
  const catalogDir = () => `file://${ctx.dataDir}/warehouse/${DEFAULT_TENANT_ID}/${catalog}`;

  beforeAll(async () => {
    await createTestCatalog(ctx.ports, catalog);
    for (const namespace of [['sales'], ['sales', 'eu'], ['other']]) {
      await ctx.http.post(`${base}/namespaces`).send({ namespace }).expect(200);
    }
  });

  it('creates under the derived location, writes the metadata file, records a commit', async () => {
    const created = await createTable(ctx.http, tables('sales', 'eu'), 'orders');
    const expectedLocation = `${catalogDir()}/sales/eu/orders`;
    expect(created.metadata.location).toBe(expectedLocation);
    expect(created['metadata-location']).toMatch(new RegExp(`^${expectedLocation}/metadata/00000-[0-9a-f-]{36}\\.metadata\\.json$`));
    expect(existsSync(fileURLToPath(created['metadata-location']))).toBe(true);
    expect(created.config).toEqual({});

    const row = await ctx.ports.assets.getAsset(DEFAULT_TENANT_ID, catalog, 'main', ['sales', 'eu'], 'orders');
    expect(row).toMatchObject({
      id: created.metadata['table-uuid'],
      kind: 'ICEBERG_TABLE',
      location: expectedLocation,
      properties: { metadata_location: created['metadata-location'] },
    });
    const branch = await ctx.ports.branches.getBranch(DEFAULT_TENANT_ID, catalog, 'main');
    const head = await ctx.ports.commits.getCommit(DEFAULT_TENANT_ID, branch!.headCommitId!);
    // Author: the caller's username (the NO-AUTH principal here, whose name is configurable).
    expect(head).toMatchObject({ author: expect.stringMatching(/./), message: 'iceberg create sales.eu.orders' });

    const duplicate = await ctx.http.post(tables('sales', 'eu')).send(createTableBody('orders')).expect(409);
    expectIcebergError(duplicate, 409, 'AlreadyExistsException');
    const head200 = await ctx.http.head(`${tables('sales', 'eu')}/orders`).expect(200);
    expect(head200.text ?? '').toBe('');
    await ctx.http.head(`${tables('sales', 'eu')}/missing`).expect(404);
    // A level is addressed with U+001F only; dots are part of a level.
    await ctx.http.head(`${base}/namespaces/${encodeURIComponent('sales.eu')}/tables/orders`).expect(404);

    const listed = await ctx.http.get(tables('sales', 'eu')).expect(200);
    expectIcebergResponse('ListTablesResponse', listed.body);
    expect(listed.body).toEqual({ identifiers: [{ namespace: ['sales', 'eu'], name: 'orders' }] });
  });

  it('honours a requested location inside the warehouse and refuses others with 400', async () => {
    const inside = `${catalogDir()}/custom/place/`;
    const created = await createTable(ctx.http, tables('sales'), 'placed', { location: inside });
    expect(created.metadata.location).toBe(inside.replace(/\/$/, ''));
    expect(created['metadata-location'].startsWith(`${inside}metadata/`)).toBe(true);

    for (const location of [
      `file://${ctx.dataDir}/elsewhere/t`,
      `${catalogDir()}/../../escape`,
      catalogDir(),
      // The pre-tenant default layout: shared by every tenant's catalog of that name.
      `file://${ctx.dataDir}/warehouse/${catalog}/t`,
      's3://some-bucket/t',
      'relative/path',
    ]) {
      const res = await ctx.http.post(tables('sales')).send(createTableBody('bad_location', { location })).expect(400);
      expectIcebergError(res, 400, 'BadRequestException');
    }
    await ctx.http.head(`${tables('sales')}/bad_location`).expect(404);
  });

  it('answers create errors in the Iceberg envelope', async () => {
    expectIcebergError(await ctx.http.post(tables('nope')).send(createTableBody('t')), 404, 'NoSuchNamespaceException');
    expectIcebergError(
      await ctx.http.post(`/v1/nocatalog/namespaces/${nsPath('sales')}/tables`).send(createTableBody('t')),
      404,
      'NoSuchNamespaceException',
    );
    for (const body of [
      {},
      { name: 7 },
      { name: '' },
      createTableBody('bad_type', { schema: { type: 'struct', fields: [{ id: 1, name: 'x', type: 'varchar', required: true }] } }),
      createTableBody('bad_source', { 'partition-spec': { fields: [{ 'source-id': 42, name: 'p', transform: 'identity' }] } }),
      createTableBody('bad_version', { properties: { 'format-version': '9' } }),
    ]) {
      const res = await ctx.http.post(tables('sales')).send(body).expect(400);
      expectIcebergError(res, 400, 'BadRequestException');
    }
    for (const text of ['{"name": "x",', '{"name":"\\ud800"}', '{"name":"t","location":"\\udfff"}']) {
      const res = await ctx.http.post(tables('sales')).set('Content-Type', 'application/json').send(text).expect(400);
      expectIcebergError(res, 400, 'BadRequestException');
    }
    const malformed = await ctx.http.post(tables('sales')).set('Content-Type', 'application/json').send('{"name": "x",').expect(400);
    expectIcebergError(malformed, 400, 'BadRequestException');
  });

  it('stage-create persists nothing; a commit with assert-create creates the table', async () => {
    const staged = await ctx.http.post(tables('sales')).send(createTableBody('staged', { 'stage-create': true })).expect(200);
    expectIcebergResponse('LoadTableResult', staged.body);
    expect(staged.body['metadata-location'] ?? null).toBeNull();
    expect(staged.body).not.toHaveProperty('id');
    await ctx.http.head(`${tables('sales')}/staged`).expect(404);

    const metadata = staged.body.metadata;
    const body = JSON.stringify({
      requirements: [{ type: 'assert-create' }],
      updates: [
        { action: 'assign-uuid', uuid: metadata['table-uuid'] },
        { action: 'upgrade-format-version', 'format-version': 2 },
        { action: 'add-schema', schema: metadata.schemas[0] },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-spec', spec: metadata['partition-specs'][0] },
        { action: 'set-default-spec', 'spec-id': -1 },
        { action: 'add-sort-order', 'sort-order': metadata['sort-orders'][metadata['sort-orders'].length - 1] },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
        { action: 'set-location', location: metadata.location },
        { action: 'set-properties', updates: { created: 'by-transaction' } },
      ],
    });
    const committed = await commitRaw(ctx.http, `${tables('sales')}/staged`, body).expect(200);
    expectIcebergResponse('CommitTableResponse', committed.body);
    expect(committed.body['metadata-location']).toMatch(/\/staged\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/);
    const loaded = await loadTable(ctx.http, `${tables('sales')}/staged`);
    expect(loaded.metadata['table-uuid']).toBe(metadata['table-uuid']);
    expect(loaded.metadata.properties.created).toBe('by-transaction');

    // A second create transaction loses: the table exists now.
    const again = await commitRaw(ctx.http, `${tables('sales')}/staged`, body);
    expectIcebergError(again, 409, 'CommitFailedException');
    // Without assert-create, a commit to a missing table is 404.
    expectIcebergError(await commitRaw(ctx.http, `${tables('sales')}/never`, setProperty('a', 'b')), 404, 'NoSuchTableException');
  });

  // Branch creation copies assets in bulk ($merge on MongoDB).
  ctx.itWith(['aggregationMerge'], 'keeps branches isolated: a commit on t@dev leaves main untouched', async () => {
    const created = await createTable(ctx.http, tables('other'), 't');
    await ctx.ports.branches.createBranch(DEFAULT_TENANT_ID, catalog, { name: 'dev', branchType: 'experimental', fromBranch: 'main' });

    const onDev = await commitRaw(ctx.http, `${tables('other')}/t${encodeURIComponent('@dev')}`, setProperty('stage', 'dev')).expect(200);
    const main = await loadTable(ctx.http, `${tables('other')}/t`);
    expect(main['metadata-location']).toBe(created['metadata-location']);
    expect(main.metadata.properties.stage).toBeUndefined();

    // The same branch through the table segment, the namespace segment and the query parameter.
    for (const path of [
      `${tables('other')}/t@dev`,
      `${base}/namespaces/${nsPath('other')}${encodeURIComponent('@dev')}/tables/t`,
      `${tables('other')}/t?branch=dev`,
    ]) {
      const dev = await loadTable(ctx.http, path);
      expect(dev['metadata-location']).toBe(onDev.body['metadata-location']);
      expect(dev.metadata.properties.stage).toBe('dev');
    }
    // The table segment wins over the namespace segment, which wins over the query.
    const tableWins = await loadTable(ctx.http, `${base}/namespaces/${nsPath('other')}@dev/tables/t@main?branch=dev`);
    expect(tableWins['metadata-location']).toBe(created['metadata-location']);

    const devBranch = await ctx.ports.branches.getBranch(DEFAULT_TENANT_ID, catalog, 'dev');
    const devHead = await ctx.ports.commits.getCommit(DEFAULT_TENANT_ID, devBranch!.headCommitId!);
    expect(devHead?.message).toBe('iceberg commit other.t');

    const missingBranch = await ctx.http.get(`${tables('other')}/t@nowhere`).expect(404);
    expectIcebergError(missingBranch, 404, 'NoSuchTableException');
    expect(missingBranch.body.error.message).toContain('nowhere');
    expectIcebergError(await commitRaw(ctx.http, `${tables('other')}/t@nowhere`, setProperty('a', 'b')), 404, 'NoSuchTableException');
    await ctx.http.head(`${tables('other')}/t@nowhere`).expect(404);
    expectIcebergError(await ctx.http.delete(`${tables('other')}/t@nowhere`), 404, 'NoSuchTableException');
    expectIcebergError(await ctx.http.get(`${tables('other')}?branch=nowhere`), 404, 'NoSuchNamespaceException');
  });

  it('keeps a branch made by registering a table isolated from main', async () => {
    const created = await createTable(ctx.http, tables('other'), 'forked');
    const registered = await ctx.http
      .post(`${base}/namespaces/${nsPath('other')}/register`)
      .send({ name: 'forked@review', 'metadata-location': created['metadata-location'] })
      .expect(200);
    expect(registered.body['metadata-location']).toBe(created['metadata-location']);
    const onReview = await commitRaw(ctx.http, `${tables('other')}/forked@review`, setProperty('stage', 'review')).expect(200);
    const main = await loadTable(ctx.http, `${tables('other')}/forked`);
    expect(main['metadata-location']).toBe(created['metadata-location']);
    expect(main.metadata.properties.stage).toBeUndefined();
    const review = await loadTable(ctx.http, `${tables('other')}/forked?branch=review`);
    expect(review['metadata-location']).toBe(onReview.body['metadata-location']);
    expect(review.metadata.properties.stage).toBe('review');
    const missingBranch = await ctx.http.get(`${tables('other')}/forked@nowhere`).expect(404);
    expectIcebergError(missingBranch, 404, 'NoSuchTableException');
    expect(missingBranch.body.error.message).toContain('nowhere');
  });

  it('creates a missing branch when a table is created on it (fork-on-write)', async () => {
    const created = await ctx.http.post(tables('other')).send(createTableBody('feature_table@feature')).expect(200);
    expect(await ctx.ports.branches.getBranch(DEFAULT_TENANT_ID, catalog, 'feature')).not.toBeNull();
    await ctx.http.head(`${tables('other')}/feature_table@feature`).expect(200);
    await ctx.http.head(`${tables('other')}/feature_table`).expect(404);
    const onFeature = await ctx.http.get(tables('other')).query({ branch: 'feature' }).expect(200);
    expect(onFeature.body.identifiers).toEqual([{ namespace: ['other'], name: 'feature_table' }]);
    const onMain = await ctx.http.get(tables('other')).expect(200);
    expect(onMain.body.identifiers.map((i: Json) => i.name)).not.toContain('feature_table');
    expect(created.body['metadata-location']).toContain('/other/feature_table/metadata/');
  });

  it('renames on main, with 404 / 409 for the error cases', async () => {
    await createTable(ctx.http, tables('sales'), 'old_name');
    await createTable(ctx.http, tables('sales'), 'taken');
    const rename = (source: Json, destination: Json) => ctx.http.post(`${base}/v1/tables/rename`).send({ source, destination });

    expectIcebergError(await rename({ namespace: ['sales'], name: 'absent' }, { namespace: ['sales'], name: 'x' }), 404, 'NoSuchTableException');
    expectIcebergError(await rename({ namespace: ['sales'], name: 'old_name' }, { namespace: ['nope'], name: 'x' }), 404, 'NoSuchNamespaceException');
    expectIcebergError(await rename({ namespace: ['sales'], name: 'old_name' }, { namespace: ['sales'], name: 'taken' }), 409, 'AlreadyExistsException');
    expectIcebergError(await rename({ namespace: ['sales'], name: 'old_name' }, { namespace: 'sales' }), 400, 'BadRequestException');

    await rename({ namespace: ['sales'], name: 'old_name' }, { namespace: ['other'], name: 'new_name' }).expect(204);
    await ctx.http.head(`${tables('sales')}/old_name`).expect(404);
    const moved = await loadTable(ctx.http, `${tables('other')}/new_name`);
    expect(moved.metadata.location).toContain('/sales/old_name');
  });

  it('registers an existing metadata file, 409 unless overwrite, 400 for files it must not read', async () => {
    const source = await createTable(ctx.http, tables('sales'), 'registered_source');
    const register = (body: Json) => ctx.http.post(`${base}/v1/namespaces/${nsPath('other')}/register`).send(body);
    // Two tables never share a location: while the source table exists its file cannot be registered again.
    expectIcebergError(await register({ name: 'registered', 'metadata-location': source['metadata-location'] }), 400, 'BadRequestException');
    await ctx.http.delete(`${tables('sales')}/registered_source`).query({ purgeRequested: 'false' }).expect(204);

    const registered = await register({ name: 'registered', 'metadata-location': source['metadata-location'] }).expect(200);
    expectIcebergResponse('LoadTableResult', registered.body);
    expect(registered.body['metadata-location']).toBe(source['metadata-location']);
    expect(registered.body.metadata['table-uuid']).toBe(source.metadata['table-uuid']);
    const loaded = await loadTable(ctx.http, `${tables('other')}/registered`);
    expect(loaded.metadata.location).toBe(source.metadata.location);

    expectIcebergError(await register({ name: 'registered', 'metadata-location': source['metadata-location'] }), 409, 'AlreadyExistsException');
    await register({ name: 'registered', 'metadata-location': source['metadata-location'], overwrite: true }).expect(200);
    for (const location of [
      '/etc/passwd',
      'file:///etc/passwd',
      `${source.metadata.location}/metadata/99999-missing.metadata.json`,
      `${catalogDir()}/../../secret.json`,
    ]) {
      expectIcebergError(await register({ name: 'reg_bad', 'metadata-location': location }), 400, 'BadRequestException');
    }
    expectIcebergError(
      await ctx.http.post(`${base}/namespaces/${nsPath('nope')}/register`).send({ name: 'x', 'metadata-location': source['metadata-location'] }),
      404,
      'NoSuchNamespaceException',
    );
  });

  it('drops without purge keeping files, and purges files when asked', async () => {
    const kept = await createTable(ctx.http, tables('sales'), 'drop_keep');
    await ctx.http.delete(`${tables('sales')}/drop_keep`).query({ purgeRequested: 'False' }).expect(204);
    await ctx.http.head(`${tables('sales')}/drop_keep`).expect(404);
    expect(await metadataFiles(kept.metadata.location)).toHaveLength(1);
    expectIcebergError(await ctx.http.delete(`${tables('sales')}/drop_keep`), 404, 'NoSuchTableException');

    const purged = await createTable(ctx.http, tables('sales'), 'drop_purge');
    await commitRaw(ctx.http, `${tables('sales')}/drop_purge`, setProperty('a', 'b')).expect(200);
    expect(await metadataFiles(purged.metadata.location)).toHaveLength(2);
    await ctx.http.delete(`${tables('sales')}/drop_purge`).query({ purgeRequested: 'true' }).expect(204);
    expect(await metadataFiles(purged.metadata.location)).toHaveLength(0);
    expectIcebergError(
      await ctx.http.delete(`${tables('sales')}/x`).query({ purgeRequested: 'maybe' }),
      400,
      'BadRequestException',
    );
    const branch = await ctx.ports.branches.getBranch(DEFAULT_TENANT_ID, catalog, 'main');
    const head = await ctx.ports.commits.getCommit(DEFAULT_TENANT_ID, branch!.headCommitId!);
    expect(head).toMatchObject({ message: 'iceberg drop sales.drop_purge', operations: [{ Delete: { name: 'sales.drop_purge' } }] });
  });

  ctx.itWith(['aggregationMerge'], 'keeps the files of a purged table another branch still uses', async () => {
    const shared = await createTable(ctx.http, tables('sales'), 'drop_shared');
    await ctx.ports.branches.createBranch(DEFAULT_TENANT_ID, catalog, { name: 'keeper', branchType: 'experimental', fromBranch: 'main' });
    await ctx.http.delete(`${tables('sales')}/drop_shared`).query({ purgeRequested: 'True' }).expect(204);
    expect(await metadataFiles(shared.metadata.location)).toHaveLength(1);
    await loadTable(ctx.http, `${tables('sales')}/drop_shared@keeper`);
  });

  it('accepts metrics reports with 204', async () => {
    await ctx.http.post(`${tables('sales')}/whatever/metrics`).send({ 'report-type': 'scan-report' }).expect(204);
    await ctx.http.post(`${base}/v1/namespaces/${nsPath('sales')}/tables/whatever/metrics`).send({}).expect(204);
  });

  it('pages table listings', async () => {
    await ctx.http.post(`${base}/namespaces`).send({ namespace: ['paged'] }).expect(200);
    for (const name of ['t1', 't2', 't3']) await createTable(ctx.http, tables('paged'), name);
    const first = await ctx.http.get(tables('paged')).query({ pageSize: 2 }).expect(200);
    expectIcebergResponse('ListTablesResponse', first.body);
    expect(first.body.identifiers.map((i: Json) => i.name)).toEqual(['t1', 't2']);
    const second = await ctx.http.get(tables('paged')).query({ pageSize: 2, pageToken: first.body['next-page-token'] }).expect(200);
    expect(second.body.identifiers.map((i: Json) => i.name)).toEqual(['t3']);
    expect(second.body['next-page-token']).toBeNull();
    expectIcebergError(await ctx.http.get(tables('nope')), 404, 'NoSuchNamespaceException');
  });
});
