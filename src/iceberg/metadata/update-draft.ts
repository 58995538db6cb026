import { refs, snapshots } from './accessors';
import { Fail, JsonObject } from './json-values';
import { longKey } from './long';
import { fieldIds } from './schema';
import { DEFAULT_FORMAT_VERSION, FormatVersion, Long, Snapshot, SnapshotRef, TableMetadata } from './types';

export interface ApplyUpdatesContext {
  nowMs: number;
  /** Location of the file `metadata` was read from; it goes into `metadata-log`. */
  previousMetadataLocation: string | null;
  /** Table uuid for a create transaction whose updates carry no `assign-uuid`. */
  tableUuid?: string;
}

/**
 * The metadata document a commit's updates are applied to, with the state the updates share. Top-level
 * values are copied on first write (`own`, `replace`), so the input document is never modified and the
 * untouched parts of it (snapshots above all) are never copied.
 */
export class TableMetadataDraft {
  readonly doc: JsonObject;
  /** True for a create transaction, which starts from empty metadata. */
  readonly creating: boolean;
  lastAddedSchemaId: number | undefined;
  lastAddedSpecId: number | undefined;
  lastAddedSortOrderId: number | undefined;
  /** Latest timestamp of a snapshot added in this commit. */
  addedSnapshotTimestamp: Long | undefined;
  private readonly copiedKeys = new Set<string>();
  private changed = false;
  private snapshotIndex: Map<string, Snapshot> | undefined;

  constructor(
    readonly base: TableMetadata | null,
    readonly ctx: ApplyUpdatesContext,
  ) {
    this.creating = base === null;
    this.doc = base === null ? emptyMetadata(ctx) : { ...base };
  }

  get metadata(): TableMetadata {
    return this.doc as TableMetadata;
  }

  get formatVersion(): FormatVersion {
    return this.metadata['format-version'];
  }

  /** False while every update so far was a no-op. */
  get hasChanges(): boolean {
    return this.changed;
  }

  markChanged(): void {
    this.changed = true;
  }

  /** The document's value for `key`, copied on first write so the input is never modified. */
  own<T extends object>(key: string, init: () => T): T {
    if (!this.copiedKeys.has(key)) {
      const current = this.doc[key];
      this.doc[key] =
        current === undefined || current === null
          ? init()
          : Array.isArray(current)
            ? [...current]
            : { ...(current as object) };
      this.copiedKeys.add(key);
    }
    return this.doc[key] as T;
  }

  /** Sets `key` to a value built for this draft (a filtered copy), which later writes may change in place. */
  replace(key: string, value: object): void {
    this.doc[key] = value;
    this.copiedKeys.add(key);
  }

  /** Refs, copied for writing; a document without `refs` has an implicit main at the current snapshot. */
  ownRefs(): Record<string, SnapshotRef> {
    return this.own<Record<string, SnapshotRef>>('refs', () => ({ ...refs(this.metadata) }));
  }

  snapshotById(): Map<string, Snapshot> {
    if (!this.snapshotIndex) {
      this.snapshotIndex = new Map(snapshots(this.metadata).map((s) => [longKey(s['snapshot-id']), s]));
    }
    return this.snapshotIndex;
  }

  schemaSourceIds(fail: Fail): Set<number> {
    const schemas = this.metadata.schemas;
    const current =
      schemas.find((s) => s['schema-id'] === this.metadata['current-schema-id']) ??
      schemas.find((s) => s['schema-id'] === this.lastAddedSchemaId);
    if (!current) throw fail('the table has no schema yet: add a schema first');
    return fieldIds(current);
  }
}

/** Starting point of a create transaction; the updates fill it in (contract §8.7). */
function emptyMetadata(ctx: ApplyUpdatesContext): JsonObject {
  return {
    'format-version': DEFAULT_FORMAT_VERSION,
    'table-uuid': ctx.tableUuid ?? '',
    location: '',
    'last-sequence-number': 0,
    'last-updated-ms': ctx.nowMs,
    'last-column-id': 0,
    'current-schema-id': -1,
    schemas: [],
    'default-spec-id': -1,
    'partition-specs': [],
    'last-partition-id': 999,
    'default-sort-order-id': -1,
    'sort-orders': [],
    properties: {},
    'current-snapshot-id': null,
    refs: {},
    snapshots: [],
    statistics: [],
    'partition-statistics': [],
    'snapshot-log': [],
    'metadata-log': [],
  };
}
