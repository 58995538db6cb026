import { randomUUID } from 'node:crypto';
import { ConflictError, ExpectationFailedError, NotFoundError, ValidationError } from '../../../src/common/errors';
import { METADATA_LOCATION_PROPERTY, qualifiedAssetName, type Commit } from '../../../src/persistence/models';
import type { AssetExpectation, BranchChanges } from '../../../src/persistence/ports';
import {
  AUTHOR,
  changes,
  commit,
  expectRejection,
  newCatalog,
  tablePut,
  uniqueName,
  type ContractContext,
} from '../contract-support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function describeUnitOfWorkContract(ctx: ContractContext): void {
  describe('unit of work: commitChanges', () => {
    /** Everything observable about a branch, to prove a failed call wrote nothing. */
    async function branchState(tenantId: string, catalogName: string, branch: string) {
      const row = await ctx.ports.branches.getBranch(tenantId, catalogName, branch);
      return {
        branch: row,
        assets: await ctx.ports.assets.listAssets(tenantId, catalogName, branch),
        history: await ctx.ports.commits.getCommitAncestry(tenantId, row?.headCommitId ?? null, 1000),
      };
    }

    it('writes puts and deletes, appends a commit on the previous head and moves the head', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const first = await commit(ctx.ports, tenantId, catalogName, 'main', {
        puts: [tablePut(['sales', 'eu'], 'orders', 's3://b/o1.json'), tablePut(['sales'], 'old')],
      });
      expect(first.parentId).toBeNull();
      const orders = (await ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['sales', 'eu'], 'orders'))!;
      expect(orders.id).toMatch(UUID);

      const givenId = randomUUID();
      const second = await ctx.ports.unitOfWork.commitChanges(
        tenantId,
        catalogName,
        'main',
        changes({
          puts: [
            tablePut(['sales', 'eu'], 'orders', 's3://b/o2.json', { kind: 'ICEBERG_TABLE' }),
            tablePut(['sales'], 'given', null, { id: givenId, kind: 'VIEW', properties: { sql: 'select 1' } }),
          ],
          deletes: [
            { namespace: ['sales'], name: 'old' },
            { namespace: ['sales'], name: 'never-existed' },
          ],
        }),
        { author: 'alice', message: 'second change', timestamp: 1_712_345_678_901 },
      );

      const ordersAfter = (await ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['sales', 'eu'], 'orders'))!;
      expect(ordersAfter).toEqual({
        ...orders,
        location: 's3://bucket/sales/eu/orders',
        properties: { owner: 'contract', [METADATA_LOCATION_PROPERTY]: 's3://b/o2.json' },
      });
      const given = (await ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['sales'], 'given'))!;
      expect(given).toMatchObject({ id: givenId, kind: 'VIEW', properties: { sql: 'select 1' } });
      await expect(ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['sales'], 'old')).resolves.toBeNull();

      expect(second).toEqual({
        id: expect.stringMatching(UUID),
        tenantId,
        parentId: first.id,
        timestamp: 1_712_345_678_901,
        author: 'alice',
        message: 'second change',
        operations: [
          {
            Put: {
              asset: {
                id: orders.id,
                name: 'orders',
                namespace: ['sales', 'eu'],
                kind: 'ICEBERG_TABLE',
                location: ordersAfter.location,
                properties: ordersAfter.properties,
              },
            },
          },
          {
            Put: {
              asset: {
                id: givenId,
                name: 'given',
                namespace: ['sales'],
                kind: 'VIEW',
                location: given.location,
                properties: { sql: 'select 1' },
              },
            },
          },
          // A delete of a key that does not exist removes nothing and records nothing.
          { Delete: { name: 'sales.old' } },
        ],
      });
      await expect(ctx.ports.commits.getCommit(tenantId, second.id)).resolves.toEqual(second);
      await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'main')).resolves.toMatchObject({
        headCommitId: second.id,
        branchType: 'ingest',
      });
      await expect(ctx.ports.commits.getCommitAncestry(tenantId, second.id, 10)).resolves.toEqual([second, first]);
    });

    it('a put without id keeps the existing row id; a new row gets a new UUID; a given id is honoured', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], 'a'), tablePut(['ns'], 'b')] });
      const [a, b] = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
      expect(a.id).not.toEqual(b.id);
      const replacement = randomUUID();
      await commit(ctx.ports, tenantId, catalogName, 'main', {
        puts: [tablePut(['ns'], 'a', 's3://v2'), tablePut(['ns'], 'b', 's3://v2', { id: replacement })],
      });
      await expect(ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['ns'], 'a')).resolves.toMatchObject({ id: a.id });
      await expect(ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['ns'], 'b')).resolves.toMatchObject({
        id: replacement,
      });
    });

    it('the commit timestamp defaults to now (milliseconds)', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const before = Date.now();
      const made = await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], 't')] });
      const after = Date.now();
      expect(Number.isInteger(made.timestamp)).toBe(true);
      expect(made.timestamp).toBeGreaterThanOrEqual(before);
      expect(made.timestamp).toBeLessThanOrEqual(after);
      await expect(ctx.ports.commits.getCommit(tenantId, made.id)).resolves.toEqual(made);
    });

    it('stored rows are copies: mutating the request afterwards changes nothing', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const put = tablePut(['ns'], 't', 's3://v1');
      const made = await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [put] });
      put.properties[METADATA_LOCATION_PROPERTY] = 'mutated';
      put.namespace.push('mutated');
      (made.operations[0] as { Put: { asset: { properties: Record<string, string> } } }).Put.asset.properties.x = 'y';
      await expect(ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['ns'], 't')).resolves.toMatchObject({
        namespace: ['ns'],
        properties: { [METADATA_LOCATION_PROPERTY]: 's3://v1' },
      });
      const stored = (await ctx.ports.commits.getCommit(tenantId, made.id))!;
      const storedProperties = { owner: 'contract', [METADATA_LOCATION_PROPERTY]: 's3://v1' };
      expect(stored.operations[0]).toEqual({ Put: { asset: expect.objectContaining({ properties: storedProperties }) } });
    });

    describe('expectations', () => {
      /** A catalog whose main holds `ns.table` at location v1 and `ns.bare` without a metadata location. */
      async function seeded() {
        const scope = await newCatalog(ctx.ports);
        const head = await commit(ctx.ports, scope.tenantId, scope.catalogName, 'main', {
          puts: [tablePut(['ns'], 'table', 's3://v1.json'), tablePut(['ns'], 'bare', null)],
        });
        return { ...scope, head };
      }

      const holding: [string, AssetExpectation][] = [
        ['absent, for a missing row', { namespace: ['ns'], name: 'missing', state: 'absent' }],
        ['absent, for a row in another namespace only', { namespace: ['other'], name: 'table', state: 'absent' }],
        ['present', { namespace: ['ns'], name: 'table', state: 'present' }],
        [
          'present with the current location',
          { namespace: ['ns'], name: 'table', state: 'present', metadataLocation: 's3://v1.json' },
        ],
        [
          'present with location null on a row without one',
          { namespace: ['ns'], name: 'bare', state: 'present', metadataLocation: null },
        ],
      ];
      for (const [title, expectation] of holding) {
        it(`holds: ${title}`, async () => {
          const { tenantId, catalogName, head } = await seeded();
          const made = await commit(ctx.ports, tenantId, catalogName, 'main', {
            puts: [tablePut(['ns'], 'written')],
            expectations: [expectation],
          });
          expect(made.parentId).toBe(head.id);
        });
      }

      const failing: [string, AssetExpectation, ExpectationFailedError['failure'], string][] = [
        ['absent, but the row exists', { namespace: ['ns'], name: 'table', state: 'absent' }, 'exists', 'ns.table'],
        ['present, but the row is missing', { namespace: ['ns'], name: 'gone', state: 'present' }, 'missing', 'ns.gone'],
        [
          'present with a missing row and a location',
          { namespace: ['ns'], name: 'gone', state: 'present', metadataLocation: 's3://v1.json' },
          'missing',
          'ns.gone',
        ],
        [
          'another location',
          { namespace: ['ns'], name: 'table', state: 'present', metadataLocation: 's3://v0.json' },
          'location-mismatch',
          'ns.table',
        ],
        [
          'location null on a row that has one',
          { namespace: ['ns'], name: 'table', state: 'present', metadataLocation: null },
          'location-mismatch',
          'ns.table',
        ],
        [
          'a location on a row without one',
          { namespace: ['ns'], name: 'bare', state: 'present', metadataLocation: 's3://v1.json' },
          'location-mismatch',
          'ns.bare',
        ],
      ];
      for (const [title, expectation, failure, assetName] of failing) {
        it(`fails with ExpectationFailedError(${failure}) and writes nothing: ${title}`, async () => {
          const { tenantId, catalogName } = await seeded();
          const before = await branchState(tenantId, catalogName, 'main');
          const error = await expectRejection(
            commit(ctx.ports, tenantId, catalogName, 'main', {
              puts: [tablePut(['ns'], 'table', 's3://v2.json'), tablePut(['ns'], 'new')],
              deletes: [{ namespace: ['ns'], name: 'bare' }],
              expectations: [{ namespace: ['ns'], name: 'other', state: 'absent' }, expectation],
            }),
            ExpectationFailedError,
            { failure, assetName },
          );
          expect(error).toBeInstanceOf(ConflictError);
          await expect(branchState(tenantId, catalogName, 'main')).resolves.toEqual(before);
        });
      }

      it('expectedHeadCommitId: holds when equal (null for a branch without commits), fails as head-moved otherwise', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        const first = await commit(ctx.ports, tenantId, catalogName, 'main', { expectedHeadCommitId: null });
        const second = await commit(ctx.ports, tenantId, catalogName, 'main', {
          puts: [tablePut(['ns'], 't')],
          expectedHeadCommitId: first.id,
        });
        expect(second.parentId).toBe(first.id);

        const before = await branchState(tenantId, catalogName, 'main');
        for (const stale of [first.id, null, randomUUID()]) {
          await expectRejection(
            commit(ctx.ports, tenantId, catalogName, 'main', {
              puts: [tablePut(['ns'], 'u')],
              expectedHeadCommitId: stale,
            }),
            ExpectationFailedError,
            { failure: 'head-moved', assetName: 'main' },
          );
        }
        await expect(branchState(tenantId, catalogName, 'main')).resolves.toEqual(before);
      });
    });

    describe('a change set naming a key more than once', () => {
      /** A catalog whose main holds `ns.a` and `ns.b`; returns their ids and the head. */
      async function seededPair() {
        const scope = await newCatalog(ctx.ports);
        const head = await commit(ctx.ports, scope.tenantId, scope.catalogName, 'main', {
          puts: [tablePut(['ns'], 'a', 's3://a0.json'), tablePut(['ns'], 'b', 's3://b0.json')],
        });
        const ids = await rowIds(scope.tenantId, scope.catalogName);
        return { ...scope, head, idA: ids.get('a')!, idB: ids.get('b')! };
      }

      async function rowIds(tenantId: string, catalogName: string): Promise<Map<string, string>> {
        const rows = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
        return new Map(rows.map((row) => [row.name, row.id]));
      }

      const invalid: [string, (ids: { idA: string; idB: string }) => Partial<BranchChanges>, RegExp][] = [
        [
          'the same key twice in puts',
          () => ({ puts: [tablePut(['ns'], 'a', 's3://a1.json'), tablePut(['ns'], 'a', 's3://a2.json')] }),
          /'ns\.a'.*puts/,
        ],
        [
          'the same key twice in deletes',
          () => ({ deletes: [{ namespace: ['ns'], name: 'a' }, { namespace: ['ns'], name: 'a' }] }),
          /'ns\.a'.*deletes/,
        ],
        [
          'the same key twice in deletes, the key being absent',
          () => ({ deletes: [{ namespace: ['ns'], name: 'gone' }, { namespace: ['ns'], name: 'gone' }] }),
          /'ns\.gone'.*deletes/,
        ],
        [
          'the same id on two puts',
          () => {
            const id = randomUUID();
            return { puts: [tablePut(['ns'], 'x', null, { id }), tablePut(['ns'], 'y', null, { id })] };
          },
          /'ns\.y' would share the id/,
        ],
        [
          'a given id that another put keeps',
          ({ idA }) => ({ puts: [tablePut(['ns'], 'a', 's3://a1.json'), tablePut(['ns'], 'y', null, { id: idA })] }),
          /'ns\.y' would share the id/,
        ],
      ];
      for (const [title, partial, message] of invalid) {
        it(`is ValidationError and writes nothing: ${title}`, async () => {
          const { tenantId, catalogName, idA, idB } = await seededPair();
          const before = await branchState(tenantId, catalogName, 'main');
          const error = await expectRejection(
            commit(ctx.ports, tenantId, catalogName, 'main', partial({ idA, idB })),
            ValidationError,
          );
          expect(error.message).toMatch(message);
          await expect(branchState(tenantId, catalogName, 'main')).resolves.toEqual(before);
        });
      }

      it('a put and a delete of one key replace the row: the delete comes first, so the put makes a new row', async () => {
        const { tenantId, catalogName, idA } = await seededPair();
        const made = await commit(ctx.ports, tenantId, catalogName, 'main', {
          puts: [tablePut(['ns'], 'a', 's3://a1.json')],
          deletes: [{ namespace: ['ns'], name: 'a' }],
          // Expectations see the branch as it was before the change.
          expectations: [{ namespace: ['ns'], name: 'a', state: 'present', metadataLocation: 's3://a0.json' }],
        });
        const row = (await ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['ns'], 'a'))!;
        expect(row.properties[METADATA_LOCATION_PROPERTY]).toBe('s3://a1.json');
        expect(row.id).toMatch(UUID);
        expect(row.id).not.toBe(idA);
        // Only the Put is recorded: a Delete after it would say the row is gone.
        expect(made.operations).toEqual([
          { Put: { asset: expect.objectContaining({ id: row.id, namespace: ['ns'], name: 'a' }) } },
        ]);
        await expect(ctx.ports.commits.getCommit(tenantId, made.id)).resolves.toEqual(made);
      });

      it('a put and a delete of one key, the put giving the id: the row takes that id; a missing key is just created', async () => {
        const { tenantId, catalogName, idA } = await seededPair();
        const made = await commit(ctx.ports, tenantId, catalogName, 'main', {
          puts: [tablePut(['ns'], 'a', 's3://a1.json', { id: idA }), tablePut(['ns'], 'new', 's3://n.json')],
          deletes: [
            { namespace: ['ns'], name: 'a' },
            { namespace: ['ns'], name: 'new' },
          ],
        });
        const ids = await rowIds(tenantId, catalogName);
        expect(ids.get('a')).toBe(idA);
        expect(ids.get('new')).toMatch(UUID);
        const recorded = made.operations.map((operation) => ('Put' in operation ? `Put ${operation.Put.asset.name}` : 'Delete'));
        expect(recorded).toEqual(['Put a', 'Put new']);
      });

      it('a rename chain a -> b -> c in one change set: ids follow their rows, the commit records the net effect', async () => {
        const { tenantId, catalogName, idA, idB } = await seededPair();
        const made = await commit(ctx.ports, tenantId, catalogName, 'main', {
          puts: [
            tablePut(['ns'], 'b', 's3://a0.json', { id: idA }),
            tablePut(['other'], 'c', 's3://b0.json', { id: idB }),
          ],
          deletes: [
            { namespace: ['ns'], name: 'a' },
            { namespace: ['ns'], name: 'b' },
          ],
          expectations: [
            { namespace: ['ns'], name: 'a', state: 'present' },
            { namespace: ['ns'], name: 'b', state: 'present' },
            { namespace: ['other'], name: 'c', state: 'absent' },
          ],
        });
        const rows = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
        const described = rows.map((row) => [
          qualifiedAssetName(row.namespace, row.name),
          row.id,
          row.properties[METADATA_LOCATION_PROPERTY],
        ]);
        expect(described.sort()).toEqual([
          ['ns.b', idA, 's3://a0.json'],
          ['other.c', idB, 's3://b0.json'],
        ]);
        expect(made.operations).toEqual([
          { Put: { asset: expect.objectContaining({ id: idA, namespace: ['ns'], name: 'b' }) } },
          { Put: { asset: expect.objectContaining({ id: idB, namespace: ['other'], name: 'c' }) } },
          { Delete: { name: 'ns.a' } },
        ]);
      });

      it('a swap a <-> b in one change set: each id moves to the other name', async () => {
        const { tenantId, catalogName, idA, idB } = await seededPair();
        const made = await commit(ctx.ports, tenantId, catalogName, 'main', {
          puts: [tablePut(['ns'], 'a', 's3://b0.json', { id: idB }), tablePut(['ns'], 'b', 's3://a0.json', { id: idA })],
          deletes: [
            { namespace: ['ns'], name: 'b' },
            { namespace: ['ns'], name: 'a' },
          ],
        });
        const ids = await rowIds(tenantId, catalogName);
        expect([...ids].sort()).toEqual([
          ['a', idB],
          ['b', idA],
        ]);
        expect(made.operations.every((operation) => 'Put' in operation)).toBe(true);
        expect(made.operations).toHaveLength(2);
      });
    });

    describe('missing branch or catalog', () => {
      it('a missing branch is NotFoundError(branch) and creates nothing', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        await expectRejection(
          commit(ctx.ports, tenantId, catalogName, 'ghost', { puts: [tablePut(['ns'], 't')] }),
          NotFoundError,
          { resource: 'branch' },
        );
        await expect(branchState(tenantId, catalogName, 'ghost')).resolves.toEqual({ branch: null, assets: [], history: [] });
      });

      it('createBranchIfMissing creates the branch experimental; the first commit has no parent', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], 'on_main')] });
        const made = await commit(
          ctx.ports,
          tenantId,
          catalogName,
          'fork',
          { puts: [tablePut(['ns'], 't')], expectations: [{ namespace: ['ns'], name: 't', state: 'absent' }] },
          { createBranchIfMissing: true },
        );
        expect(made.parentId).toBeNull();
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'fork')).resolves.toEqual({
          tenantId,
          catalogName,
          name: 'fork',
          headCommitId: made.id,
          branchType: 'experimental',
        });
        await expect(ctx.ports.branches.listBranchAssetNames(tenantId, catalogName, 'fork')).resolves.toEqual(['ns.t']);

        // On an existing branch the option changes nothing.
        const next = await commit(ctx.ports, tenantId, catalogName, 'fork', { puts: [tablePut(['ns'], 'u')] }, {
          createBranchIfMissing: true,
        });
        expect(next.parentId).toBe(made.id);
        await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'fork')).resolves.toMatchObject({
          headCommitId: next.id,
          branchType: 'experimental',
        });
      });

      it('createBranchIfMissing with a failing expectation creates no branch', async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        await expectRejection(
          commit(
            ctx.ports,
            tenantId,
            catalogName,
            'fork',
            { puts: [tablePut(['ns'], 't')], expectations: [{ namespace: ['ns'], name: 't', state: 'present' }] },
            { createBranchIfMissing: true },
          ),
          ExpectationFailedError,
          { failure: 'missing' },
        );
        await expect(branchState(tenantId, catalogName, 'fork')).resolves.toEqual({ branch: null, assets: [], history: [] });
      });

      it('a missing catalog is NotFoundError(catalog), with or without createBranchIfMissing, and creates nothing', async () => {
        const { tenantId } = await newCatalog(ctx.ports);
        const ghost = uniqueName('ghost');
        for (const options of [undefined, { createBranchIfMissing: true }]) {
          await expectRejection(
            commit(ctx.ports, tenantId, ghost, 'main', { puts: [tablePut(['ns'], 't')] }, options),
            NotFoundError,
            { resource: 'catalog' },
          );
        }
        await expect(branchState(tenantId, ghost, 'main')).resolves.toEqual({ branch: null, assets: [], history: [] });
      });

      it("another tenant cannot write into the catalog (NotFoundError(catalog))", async () => {
        const { tenantId, catalogName } = await newCatalog(ctx.ports);
        const stranger = (await newCatalog(ctx.ports)).tenantId;
        await expectRejection(
          commit(ctx.ports, stranger, catalogName, 'main', { puts: [tablePut(['ns'], 't')] }, { createBranchIfMissing: true }),
          NotFoundError,
          { resource: 'catalog' },
        );
        await expect(branchState(tenantId, catalogName, 'main')).resolves.toMatchObject({ assets: [], history: [] });
      });
    });

    describe('concurrency', () => {
      const WRITERS = 20;

      ctx.test(
        `the race: ${WRITERS} concurrent commits with the same expected location, exactly one wins, history stays linear`,
        ['transactions'],
        async () => {
          const { tenantId, catalogName } = await newCatalog(ctx.ports);
          await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], 'other')] });
          const seed = await commit(ctx.ports, tenantId, catalogName, 'main', { puts: [tablePut(['ns'], 't', 's3://v0.json')] });
          const previous = await ctx.ports.commits.getCommitAncestry(tenantId, seed.id, 1000);

          const attempts = Array.from({ length: WRITERS }, (_, i) =>
            ctx.ports.unitOfWork.commitChanges(
              tenantId,
              catalogName,
              'main',
              changes({
                puts: [tablePut(['ns'], 't', `s3://v1-writer-${i}.json`)],
                expectations: [{ namespace: ['ns'], name: 't', state: 'present', metadataLocation: 's3://v0.json' }],
              }),
              { ...AUTHOR, message: `writer ${i}` },
            ),
          );
          const results = await Promise.allSettled(attempts);

          const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ commit: r.value, writer: i }] : []));
          expect(winners).toHaveLength(1);
          const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(losers).toHaveLength(WRITERS - 1);
          for (const loser of losers) {
            expect(loser.reason).toBeInstanceOf(ExpectationFailedError);
            expect(loser.reason).toMatchObject({ failure: 'location-mismatch', assetName: 'ns.t' });
          }

          const [{ commit: winner, writer }] = winners;
          expect(winner.parentId).toBe(seed.id);
          await expect(ctx.ports.branches.getBranch(tenantId, catalogName, 'main')).resolves.toMatchObject({
            headCommitId: winner.id,
          });
          const history = await ctx.ports.commits.getCommitAncestry(tenantId, winner.id, 1000);
          expect(history).toEqual([winner, ...previous]);
          expectLinear(history);
          await expect(ctx.ports.assets.getAsset(tenantId, catalogName, 'main', ['ns'], 't')).resolves.toMatchObject({
            properties: { [METADATA_LOCATION_PROPERTY]: `s3://v1-writer-${writer}.json` },
          });
        },
      );

      ctx.test(
        `${WRITERS} concurrent commits to ${WRITERS} different tables all succeed as one linear chain`,
        ['transactions'],
        async () => {
          const { tenantId, catalogName } = await newCatalog(ctx.ports);
          const results = await Promise.all(
            Array.from({ length: WRITERS }, (_, i) =>
              commit(ctx.ports, tenantId, catalogName, 'main', {
                puts: [tablePut(['ns'], `table_${i}`)],
                expectations: [{ namespace: ['ns'], name: `table_${i}`, state: 'absent' }],
              }),
            ),
          );
          const head = (await ctx.ports.branches.getBranch(tenantId, catalogName, 'main'))!.headCommitId;
          const history = await ctx.ports.commits.getCommitAncestry(tenantId, head, 1000);
          expect(history).toHaveLength(WRITERS);
          expectLinear(history);
          expect(history[WRITERS - 1].parentId).toBeNull();
          expect(new Set(history.map((c) => c.id))).toEqual(new Set(results.map((c) => c.id)));
          await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'main')).resolves.toHaveLength(WRITERS);
        },
      );

      ctx.test(
        `${WRITERS} concurrent commits expecting the same head: exactly one wins`,
        ['transactions'],
        async () => {
          const { tenantId, catalogName } = await newCatalog(ctx.ports);
          const seed = await commit(ctx.ports, tenantId, catalogName, 'main', {});
          const results = await Promise.allSettled(
            Array.from({ length: WRITERS }, (_, i) =>
              commit(ctx.ports, tenantId, catalogName, 'main', {
                puts: [tablePut(['ns'], `table_${i}`)],
                expectedHeadCommitId: seed.id,
              }),
            ),
          );
          const winners = results.filter((r): r is PromiseFulfilledResult<Commit> => r.status === 'fulfilled');
          expect(winners).toHaveLength(1);
          for (const r of results) {
            if (r.status === 'rejected') expect(r.reason).toMatchObject({ failure: 'head-moved' });
          }
          await expect(ctx.ports.assets.listAssets(tenantId, catalogName, 'main')).resolves.toHaveLength(1);
          await expect(ctx.ports.commits.getCommitAncestry(tenantId, winners[0].value.id, 100)).resolves.toEqual([
            winners[0].value,
            seed,
          ]);
        },
      );

      ctx.test(
        'a burst over 10 tables, 3 writers per table from the same location: one winner per table, one chain of the winners',
        ['transactions'],
        async () => {
          const TABLES = 10;
          const PER_TABLE = 3;
          const { tenantId, catalogName } = await newCatalog(ctx.ports);
          const seed = await commit(ctx.ports, tenantId, catalogName, 'main', {
            puts: Array.from({ length: TABLES }, (_, t) => tablePut(['ns'], `table_${t}`, 's3://v0.json')),
          });
          const seededIds = new Map(
            (await ctx.ports.assets.listAssets(tenantId, catalogName, 'main')).map((row) => [row.name, row.id]),
          );

          // Interleaved, so the writers of one table are spread over the burst.
          const writers = Array.from({ length: TABLES * PER_TABLE }, (_, i) => ({
            table: `table_${i % TABLES}`,
            location: `s3://v1-writer-${i}.json`,
            message: `writer ${i}`,
          }));
          const results = await Promise.allSettled(
            writers.map((writer) =>
              ctx.ports.unitOfWork.commitChanges(
                tenantId,
                catalogName,
                'main',
                changes({
                  puts: [tablePut(['ns'], writer.table, writer.location)],
                  expectations: [
                    { namespace: ['ns'], name: writer.table, state: 'present', metadataLocation: 's3://v0.json' },
                  ],
                }),
                { ...AUTHOR, message: writer.message },
              ),
            ),
          );

          const winners = new Map<string, { commit: Commit; location: string; message: string }>();
          results.forEach((result, i) => {
            const writer = writers[i];
            if (result.status === 'fulfilled') {
              expect(winners.has(writer.table)).toBe(false);
              winners.set(writer.table, { commit: result.value, location: writer.location, message: writer.message });
            } else {
              expect(result.reason).toBeInstanceOf(ExpectationFailedError);
              expect(result.reason).toMatchObject({ failure: 'location-mismatch', assetName: `ns.${writer.table}` });
            }
          });
          expect(winners.size).toBe(TABLES);

          for (const [table, winner] of winners) {
            expect(winner.commit).toMatchObject({ tenantId, author: AUTHOR.author, message: winner.message });
            expect(winner.commit.operations).toEqual([
              {
                Put: {
                  asset: {
                    id: seededIds.get(table),
                    name: table,
                    namespace: ['ns'],
                    kind: 'ICEBERG_TABLE',
                    location: `s3://bucket/ns/${table}`,
                    properties: { owner: 'contract', [METADATA_LOCATION_PROPERTY]: winner.location },
                  },
                },
              },
            ]);
            await expect(ctx.ports.commits.getCommit(tenantId, winner.commit.id)).resolves.toEqual(winner.commit);
          }

          const rows = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
          expect(rows.map((row) => [row.name, row.id, row.properties[METADATA_LOCATION_PROPERTY]]).sort()).toEqual(
            [...winners].map(([table, winner]) => [table, seededIds.get(table), winner.location]).sort(),
          );

          const head = (await ctx.ports.branches.getBranch(tenantId, catalogName, 'main'))!.headCommitId;
          const history = await ctx.ports.commits.getCommitAncestry(tenantId, head, 1000);
          expectLinear(history);
          expect(history).toHaveLength(TABLES + 1);
          expect(history[TABLES]).toEqual(seed);
          expect(new Set(history.slice(0, TABLES).map((c) => c.id))).toEqual(
            new Set([...winners.values()].map((winner) => winner.commit.id)),
          );
        },
      );

      ctx.test(
        'a burst of creates: 5 concurrent `absent` creates of each of 4 names, exactly one wins per name',
        ['transactions'],
        async () => {
          const NAMES = 4;
          const ATTEMPTS = 5;
          const { tenantId, catalogName } = await newCatalog(ctx.ports);
          const attempts = Array.from({ length: NAMES * ATTEMPTS }, (_, i) => ({
            name: `created_${i % NAMES}`,
            location: `s3://create-${i}.json`,
          }));
          const results = await Promise.allSettled(
            attempts.map((attempt) =>
              commit(ctx.ports, tenantId, catalogName, 'main', {
                puts: [tablePut(['ns'], attempt.name, attempt.location)],
                expectations: [{ namespace: ['ns'], name: attempt.name, state: 'absent' }],
              }),
            ),
          );

          const winners = new Map<string, string>();
          results.forEach((result, i) => {
            if (result.status === 'fulfilled') {
              expect(winners.has(attempts[i].name)).toBe(false);
              winners.set(attempts[i].name, attempts[i].location);
            } else {
              expect(result.reason).toBeInstanceOf(ExpectationFailedError);
              expect(result.reason).toMatchObject({ failure: 'exists', assetName: `ns.${attempts[i].name}` });
            }
          });
          expect(winners.size).toBe(NAMES);
          const rows = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
          expect(rows.map((row) => [row.name, row.properties[METADATA_LOCATION_PROPERTY]]).sort()).toEqual(
            [...winners].sort(),
          );
          const head = (await ctx.ports.branches.getBranch(tenantId, catalogName, 'main'))!.headCommitId;
          const history = await ctx.ports.commits.getCommitAncestry(tenantId, head, 1000);
          expectLinear(history);
          expect(history).toHaveLength(NAMES);
          expect(history[NAMES - 1].parentId).toBeNull();
        },
      );

      ctx.test(
        'a burst mixing creates, updates and deletes of the same names ends as some sequential order of its answers',
        ['transactions'],
        async () => {
          const { tenantId, catalogName } = await newCatalog(ctx.ports);
          const seed = await commit(ctx.ports, tenantId, catalogName, 'main', {
            puts: [tablePut(['ns'], 'z', 's3://z0.json')],
          });
          const [seededZ] = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
          // In arrival order this is: every call succeeds except the 2nd `create x`, the 2nd `delete x`, the
          // `update x` after it and the last `create z`. Any order the backend serialises them in is checked.
          const burst: BurstCall[] = [
            { kind: 'update', name: 'z' },
            { kind: 'create', name: 'x' },
            { kind: 'update', name: 'x' },
            { kind: 'delete', name: 'x' },
            { kind: 'create', name: 'x' },
            { kind: 'update', name: 'x' },
            { kind: 'create', name: 'x' },
            { kind: 'delete', name: 'z' },
            { kind: 'create', name: 'z' },
            { kind: 'delete', name: 'x' },
            { kind: 'delete', name: 'x' },
            { kind: 'update', name: 'x' },
            { kind: 'update', name: 'z' },
            { kind: 'create', name: 'z' },
          ];
          const results = await Promise.allSettled(
            burst.map((call, i) => {
              const key = { namespace: ['ns'], name: call.name };
              return commit(ctx.ports, tenantId, catalogName, 'main', {
                puts: call.kind === 'delete' ? [] : [tablePut(['ns'], call.name, `s3://${call.name}-${i}.json`)],
                deletes: call.kind === 'delete' ? [key] : [],
                expectations: [{ ...key, state: call.kind === 'create' ? 'absent' : 'present' }],
              });
            }),
          );

          const head = (await ctx.ports.branches.getBranch(tenantId, catalogName, 'main'))!.headCommitId;
          const history = await ctx.ports.commits.getCommitAncestry(tenantId, head, 1000);
          expectLinear(history);
          expect(history[history.length - 1]).toEqual(seed);
          const final = replayBurst(
            new Map([['z', { id: seededZ.id, location: 's3://z0.json' }]]),
            burst,
            results,
            history.slice(0, -1).reverse(),
          );
          const rows = await ctx.ports.assets.listAssets(tenantId, catalogName, 'main');
          expect(rows.map((row) => [row.name, row.id, row.properties[METADATA_LOCATION_PROPERTY]]).sort()).toEqual(
            [...final].map(([name, row]) => [name, row.id, row.location]).sort(),
          );
        },
      );
    });
  });
}

interface BurstCall {
  kind: 'create' | 'update' | 'delete';
  name: string;
}

type BurstRows = Map<string, { id: string; location: string }>;

/**
 * Checks a burst's answers against sequential execution: replays the accepted calls in the order of the
 * commit chain (oldest first), each of which must find its expectation holding and record what it did (an
 * update keeps the row's id, a create brings a new one); each rejected call must fail as it would at some
 * point of that sequence. Returns the rows the sequence ends with.
 */
function replayBurst(
  start: BurstRows,
  burst: BurstCall[],
  results: PromiseSettledResult<Commit>[],
  chain: Commit[],
): BurstRows {
  const callOfCommit = new Map(
    results.flatMap((result, i) => (result.status === 'fulfilled' ? [[result.value.id, i] as const] : [])),
  );
  expect(new Set(chain.map((c) => c.id))).toEqual(new Set(callOfCommit.keys()));

  const rows: BurstRows = new Map(start);
  const states: BurstRows[] = [new Map(rows)];
  for (const made of chain) {
    const index = callOfCommit.get(made.id)!;
    const { kind, name } = burst[index];
    expect(made).toEqual((results[index] as PromiseFulfilledResult<Commit>).value);
    const before = rows.get(name);
    if (kind === 'create') expect(before).toBeUndefined();
    else expect(before).toBeDefined();
    if (kind === 'delete') {
      expect(made.operations).toEqual([{ Delete: { name: `ns.${name}` } }]);
      rows.delete(name);
    } else {
      const location = `s3://${name}-${index}.json`;
      const properties = expect.objectContaining({ [METADATA_LOCATION_PROPERTY]: location });
      expect(made.operations).toEqual([{ Put: { asset: expect.objectContaining({ name, properties }) } }]);
      const id = (made.operations[0] as { Put: { asset: { id: string } } }).Put.asset.id;
      if (before) expect(id).toBe(before.id);
      else expect([...states].some((state) => [...state.values()].some((row) => row.id === id))).toBe(false);
      rows.set(name, { id, location });
    }
    states.push(new Map(rows));
  }

  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    const { kind, name } = burst[i];
    const failure = kind === 'create' ? 'exists' : 'missing';
    expect(result.reason).toBeInstanceOf(ExpectationFailedError);
    expect(result.reason).toMatchObject({ failure, assetName: `ns.${name}` });
    expect(states.some((state) => state.has(name) === (failure === 'exists'))).toBe(true);
  });
  return rows;
}

/** Each commit's parent is the next one in the head-first list: no gap, no fork. */
function expectLinear(history: Commit[]): void {
  for (let i = 0; i + 1 < history.length; i++) expect(history[i].parentId).toBe(history[i + 1].id);
  expect(new Set(history.map((c) => c.id)).size).toBe(history.length);
}
