import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../../src/common/errors';
import type { ConflictResolution, MergeConflict, MergeOperation } from '../../../src/persistence/models';
import { expectPagination, expectRejection, newCatalog, type ContractContext } from '../contract-support';

export function describeMergeOperationsContract(ctx: ContractContext): void {
  describe('merge operations', () => {
    function operation(tenantId: string, catalogName: string, overrides: Partial<MergeOperation> = {}): MergeOperation {
      return {
        id: randomUUID(),
        tenantId,
        catalogName,
        sourceBranch: 'dev',
        targetBranch: 'main',
        baseCommitId: randomUUID(),
        status: 'Pending',
        conflicts: [],
        initiatedBy: 'alice',
        initiatedAt: new Date('2024-03-01T12:34:56.789Z'),
        completedAt: null,
        resultCommitId: null,
        ...overrides,
      };
    }

    function conflict(tenantId: string, mergeOperationId: string, overrides: Partial<MergeConflict> = {}): MergeConflict {
      return {
        id: randomUUID(),
        tenantId,
        mergeOperationId,
        conflictType: {
          SchemaChange: {
            asset_name: 'sales.orders',
            source_schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'long' }] },
            target_schema: { type: 'struct', fields: [] },
            note: null,
            big: 9007199254740991,
          },
        },
        assetId: randomUUID(),
        description: 'Schema changed on both branches',
        resolution: null,
        createdAt: new Date('2024-03-01T12:35:00.001Z'),
        ...overrides,
      };
    }

    /** An operation with two conflicts, stored in one call. */
    async function withConflicts() {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const op = operation(tenantId, catalogName, { status: 'Conflicted' });
      const later = conflict(tenantId, op.id, {
        createdAt: new Date('2024-03-01T12:36:00.000Z'),
        conflictType: { DeletionConflict: { asset_name: 'a.b', deleted_in: 'source', modified_in: 'target' } },
        assetId: null,
      });
      const earlier = conflict(tenantId, op.id);
      op.conflicts = [later.id, earlier.id];
      const created = await ctx.ports.mergeOperations.createMergeOperation(op, [later, earlier]);
      return { tenantId, catalogName, op, created, earlier, later };
    }

    it('stores an operation with its conflicts; Dates and JSON fields round-trip exactly', async () => {
      const { tenantId, op, created, earlier, later } = await withConflicts();
      expect(created).toEqual(op);
      const read = await ctx.ports.mergeOperations.getMergeOperation(tenantId, op.id);
      expect(read).toEqual(op);
      expect(read!.initiatedAt).toBeInstanceOf(Date);
      expect(read!.initiatedAt.getTime()).toBe(op.initiatedAt.getTime());

      const storedEarlier = await ctx.ports.mergeOperations.getMergeConflict(tenantId, earlier.id);
      expect(storedEarlier).toEqual(earlier);
      expect(storedEarlier!.createdAt).toBeInstanceOf(Date);
      await expect(ctx.ports.mergeOperations.getMergeConflict(tenantId, later.id)).resolves.toEqual(later);
      await expect(ctx.ports.mergeOperations.listMergeConflicts(tenantId, op.id)).resolves.toEqual([earlier, later]);

      await expect(ctx.ports.mergeOperations.getMergeOperation(tenantId, randomUUID())).resolves.toBeNull();
      await expect(ctx.ports.mergeOperations.getMergeConflict(tenantId, randomUUID())).resolves.toBeNull();
      await expect(ctx.ports.mergeOperations.listMergeConflicts(tenantId, randomUUID())).resolves.toEqual([]);
    });

    it('conflicts with the same creation time are ordered by id', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const op = operation(tenantId, catalogName);
      const conflicts = [conflict(tenantId, op.id), conflict(tenantId, op.id), conflict(tenantId, op.id)];
      op.conflicts = conflicts.map((c) => c.id);
      await ctx.ports.mergeOperations.createMergeOperation(op, conflicts);
      const ids = (await ctx.ports.mergeOperations.listMergeConflicts(tenantId, op.id)).map((c) => c.id);
      expect(ids).toEqual([...op.conflicts].sort());
    });

    it('a duplicate id is AlreadyExistsError(merge-operation) and stores none of its conflicts', async () => {
      const { tenantId, op } = await withConflicts();
      const extra = conflict(tenantId, op.id);
      await expectRejection(
        ctx.ports.mergeOperations.createMergeOperation({ ...op, status: 'Pending', conflicts: [extra.id] }, [extra]),
        AlreadyExistsError,
        { resource: 'merge-operation' },
      );
      await expect(ctx.ports.mergeOperations.getMergeConflict(tenantId, extra.id)).resolves.toBeNull();
      await expect(ctx.ports.mergeOperations.getMergeOperation(tenantId, op.id)).resolves.toEqual(op);
    });

    it('lists the operations of one catalog newest first (ties by id), paginated', async () => {
      const { tenantId, catalogName } = await newCatalog(ctx.ports);
      const at = (iso: string) => new Date(iso);
      const tiedIds = [randomUUID(), randomUUID()].sort();
      const ops = [
        operation(tenantId, catalogName, { initiatedAt: at('2024-01-01T00:00:00.000Z') }),
        operation(tenantId, catalogName, { id: tiedIds[1], initiatedAt: at('2024-02-01T00:00:00.000Z') }),
        operation(tenantId, catalogName, { initiatedAt: at('2024-03-01T00:00:00.000Z'), status: 'Completed' }),
        operation(tenantId, catalogName, { id: tiedIds[0], initiatedAt: at('2024-02-01T00:00:00.000Z') }),
        operation(tenantId, catalogName, { initiatedAt: at('2024-02-01T00:00:00.001Z') }),
      ];
      for (const op of ops) await ctx.ports.mergeOperations.createMergeOperation(op, []);
      // Another catalog's operation never shows up (operations outlive their catalog, so none need exist).
      await ctx.ports.mergeOperations.createMergeOperation(operation(tenantId, `${catalogName}-other`), []);

      const expected = [ops[2], ops[4], ops[3], ops[1], ops[0]];
      await expectPagination((page) => ctx.ports.mergeOperations.listMergeOperations(tenantId, catalogName, page), expected);
    });

    it('updateMergeOperation applies the patch when the status is an expected one (compare-and-swap)', async () => {
      const { tenantId, op } = await withConflicts();
      const completedAt = new Date('2024-03-02T08:00:00.123Z');
      const resultCommitId = randomUUID();
      const updated = await ctx.ports.mergeOperations.updateMergeOperation(tenantId, op.id, ['Conflicted', 'Ready'], {
        status: 'Completed',
        completedAt,
        resultCommitId,
      });
      const expected = { ...op, status: 'Completed', completedAt, resultCommitId };
      expect(updated).toEqual(expected);
      await expect(ctx.ports.mergeOperations.getMergeOperation(tenantId, op.id)).resolves.toEqual(expected);

      // A partial patch changes only what it names.
      await expect(
        ctx.ports.mergeOperations.updateMergeOperation(tenantId, op.id, ['Completed'], { resultCommitId: null }),
      ).resolves.toEqual({ ...expected, resultCommitId: null });
    });

    it('updateMergeOperation: ConflictError when the status is not expected (nothing changes); NotFoundError otherwise', async () => {
      const { tenantId, op } = await withConflicts();
      await expectRejection(
        ctx.ports.mergeOperations.updateMergeOperation(tenantId, op.id, ['Pending', 'Ready'], { status: 'Completed' }),
        ConflictError,
      );
      await expectRejection(
        ctx.ports.mergeOperations.updateMergeOperation(tenantId, op.id, [], { status: 'Aborted' }),
        ConflictError,
      );
      await expect(ctx.ports.mergeOperations.getMergeOperation(tenantId, op.id)).resolves.toEqual(op);
      await expectRejection(
        ctx.ports.mergeOperations.updateMergeOperation(tenantId, randomUUID(), ['Pending'], { status: 'Aborted' }),
        NotFoundError,
        { resource: 'merge-operation' },
      );
    });

    ctx.test('concurrent compare-and-swap on one status: exactly one wins', ['transactions'], async () => {
      const { tenantId, op } = await withConflicts();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          ctx.ports.mergeOperations.updateMergeOperation(tenantId, op.id, ['Conflicted'], {
            status: i % 2 === 0 ? 'Completed' : 'Aborted',
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    });

    it('resolveMergeConflict records and then replaces the resolution; JSON values round-trip', async () => {
      const { tenantId, op, earlier, later } = await withConflicts();
      const first: ConflictResolution = {
        conflictId: earlier.id,
        strategy: 'Manual',
        resolvedValue: { schema: { fields: [1, 'two', null, { three: [true, false] }] }, note: 'ünïcode ✓' },
        resolvedBy: 'bob',
        resolvedAt: new Date('2024-03-03T10:00:00.500Z'),
      };
      const resolved = await ctx.ports.mergeOperations.resolveMergeConflict(tenantId, earlier.id, first);
      expect(resolved).toEqual({ ...earlier, resolution: first });
      const stored = await ctx.ports.mergeOperations.getMergeConflict(tenantId, earlier.id);
      expect(stored).toEqual({ ...earlier, resolution: first });
      expect(stored!.resolution!.resolvedAt).toBeInstanceOf(Date);

      for (const resolvedValue of ['plain string', 42, null, [1, [2]]]) {
        const next: ConflictResolution = { ...first, strategy: 'TakeSource', resolvedValue, resolvedBy: 'carol' };
        await ctx.ports.mergeOperations.resolveMergeConflict(tenantId, earlier.id, next);
        await expect(ctx.ports.mergeOperations.getMergeConflict(tenantId, earlier.id)).resolves.toEqual({
          ...earlier,
          resolution: next,
        });
      }
      await expect(ctx.ports.mergeOperations.getMergeConflict(tenantId, later.id)).resolves.toEqual(later);
      await expect(ctx.ports.mergeOperations.getMergeOperation(tenantId, op.id)).resolves.toEqual(op);

      await expectRejection(
        ctx.ports.mergeOperations.resolveMergeConflict(tenantId, randomUUID(), first),
        NotFoundError,
        { resource: 'conflict' },
      );
    });

    it('another tenant sees no operation or conflict and cannot update or resolve them', async () => {
      const { tenantId, catalogName, op, earlier } = await withConflicts();
      const stranger = (await newCatalog(ctx.ports)).tenantId;
      await expect(ctx.ports.mergeOperations.getMergeOperation(stranger, op.id)).resolves.toBeNull();
      await expect(ctx.ports.mergeOperations.listMergeOperations(stranger, catalogName)).resolves.toEqual([]);
      await expect(ctx.ports.mergeOperations.getMergeConflict(stranger, earlier.id)).resolves.toBeNull();
      await expect(ctx.ports.mergeOperations.listMergeConflicts(stranger, op.id)).resolves.toEqual([]);
      await expectRejection(
        ctx.ports.mergeOperations.updateMergeOperation(stranger, op.id, ['Conflicted'], { status: 'Aborted' }),
        NotFoundError,
        { resource: 'merge-operation' },
      );
      await expectRejection(
        ctx.ports.mergeOperations.resolveMergeConflict(stranger, earlier.id, {
          conflictId: earlier.id,
          strategy: 'TakeTarget',
          resolvedValue: null,
          resolvedBy: 'mallory',
          resolvedAt: new Date(),
        }),
        NotFoundError,
        { resource: 'conflict' },
      );
      await expect(ctx.ports.mergeOperations.getMergeOperation(tenantId, op.id)).resolves.toEqual(op);
      await expect(ctx.ports.mergeOperations.getMergeConflict(tenantId, earlier.id)).resolves.toEqual(earlier);
    });
  });
}
