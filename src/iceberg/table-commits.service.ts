import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommitStateUnknownError, ConflictError, DomainError, ExpectationFailedError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { KeyedSerialQueue } from '../common/keyed-serial-queue';
import { parseJsonLossless } from '../common/lossless-json';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { MetadataWorkerPool } from '../metadata-workers';
import { MetricsService } from '../observability/metrics.service';
import { Asset, METADATA_LOCATION_PROPERTY } from '../persistence/models';
import { AssetsPort, UnitOfWorkPort } from '../persistence/ports';
import { InvalidLocationError, MetadataBytesCache, normalizeLocation, type FileIO } from '../storage';
import { describeTable, NamespaceSegment, TableSegment } from './http/iceberg-paths';
import { isJsonObject } from './http/json-body';
import { readTopLevelFields } from './http/top-level-fields';
import { nextMetadataFileName } from './metadata';
import { NamespaceService } from './namespace.service';
import { describeError, TableContext, TableTarget } from './table-context';
import { JsonChunks } from './table-result';

/**
 * Iceberg table commits: the commit pipeline, create transactions, the per-table serial queue and the
 * retries after a lost pointer swap (DESIGN §3.2, contract iceberg-rest §6–§8).
 *
 * Metadata documents never get parsed on the main thread: they are changed and validated by the metadata
 * worker pool (inline below a size threshold) as bytes. Metadata files are written BEFORE the pointer moves;
 * every change of a branch's content goes through UnitOfWorkPort.commitChanges, which moves the pointer and
 * appends a Commit atomically.
 */
@Injectable()
export class TableCommitsService {
  private readonly logger = new Logger('IcebergTables');
  /**
   * Commits to one table on one branch that reach this instance together run one after another, each on the
   * previous one's result: without it, all but one of them would lose the pointer swap and burn their retries
   * against each other. Commits from other replicas are still handled by the retry loop.
   */
  private readonly commitsPerTable = new KeyedSerialQueue();

  constructor(
    private readonly context: TableContext,
    private readonly namespaces: NamespaceService,
    private readonly assets: AssetsPort,
    private readonly unitOfWork: UnitOfWorkPort,
    private readonly metadataCache: MetadataBytesCache,
    private readonly workers: MetadataWorkerPool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}


  /**
   * The commit pipeline (DESIGN §3.2): read the pointer, get the metadata bytes, check requirements and
   * apply updates in the worker pool, write the new file, swap the pointer with commitChanges. A lost swap
   * re-runs from the read while the client's requirements still hold, at most `commitMaxRetries` times.
   * A table missing on the branch is a create transaction when the requirements carry `assert-create`.
   */
  async commitTable(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
    body: Buffer,
  ): Promise<JsonChunks> {
    try {
      return await this.commitWithRetries(principal, prefix, namespace, table, queryBranch, body);
    } catch (err) {
      if (err instanceof ConflictError) this.metrics.commitConflicts.inc();
      throw err;
    }
  }

  private async commitWithRetries(
    principal: Principal,
    prefix: string,
    namespace: NamespaceSegment,
    table: TableSegment,
    queryBranch: unknown,
    body: Buffer,
  ): Promise<JsonChunks> {
    const target = await this.context.resolveTableTarget(principal, prefix, namespace, table, queryBranch);
    const tableKey = [target.tenantId, target.catalog.name, target.branch, ...target.namespace, target.name].join('\u0000');
    return this.commitsPerTable.run(tableKey, () => this.commitInSequence(principal, target, body));
  }

  private async commitInSequence(principal: Principal, target: TableTarget, body: Buffer): Promise<JsonChunks> {
    const maxAttempts = this.config.metadata.commitMaxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      const asset = await this.assets.getAsset(target.tenantId, target.catalog.name, target.branch, target.namespace, target.name);
      const result = asset
        ? await this.commitToExistingTable(principal, target, asset, body)
        : await this.commitCreateTransaction(principal, target, body);
      if (result.kind === 'done') return result.response;
      if (attempt >= maxAttempts) {
        throw new ExpectationFailedError(
          describeTable(target.namespace, target.name),
          'location-mismatch',
          `Commit to ${this.context.describeTarget(target)} failed: the table changed concurrently ${attempt} times; ` +
            'refresh and retry',
        );
      }
      this.metrics.commitRetries.inc();
      this.logger.debug(`Pointer of ${this.context.describeTarget(target)} moved concurrently; re-running commit (attempt ${attempt + 1})`);
      await sleep(retryBackoffMs(attempt));
    }
  }

  private async commitToExistingTable(
    principal: Principal,
    target: TableTarget,
    asset: Asset,
    body: Buffer,
  ): Promise<CommitAttempt> {
    const currentLocation = asset.properties[METADATA_LOCATION_PROPERTY];
    if (asset.kind !== 'ICEBERG_TABLE' || !currentLocation) {
      // Another kind of asset holds the name: no table to commit to, and none can be created there.
      throw requestsAssertCreate(body) ? this.context.tableExists(target) : this.context.noSuchTable(target);
    }
    const currentBytes = await this.context.readMetadata(target, currentLocation);
    // Requirements are checked against exactly these bytes: RequirementFailedError (409) or a validation
    // error (400) ends the commit with nothing written.
    const committed = await this.workers.commitTable({ bytes: currentBytes, location: currentLocation }, body, {
      nowMs: Date.now(),
    });
    if (!committed.summary.changed) {
      // A no-op commit: nothing is written, the pointer stays.
      return { kind: 'done', response: this.context.tableResult(target, asset.id, currentLocation, committed.metadataBytes) };
    }
    // A location accepted when it was set stays valid (tables created before the tenant-scoped layout
    // keep working); a changed one (set-location) is checked in full.
    const requested = normalizeLocation(committed.summary.location);
    const location = sameLocation(requested, asset.location)
      ? requested
      : await this.context.confinedLocation(target, requested, asset.id);
    const newMetadataLocation = nextMetadataFileName(currentLocation, location, randomUUID());
    const fileIo = this.context.fileIoFor(target, newMetadataLocation);
    await fileIo.write(newMetadataLocation, committed.metadataBytes);
    try {
      await this.unitOfWork.commitChanges(
        target.tenantId,
        target.catalog.name,
        target.branch,
        {
          puts: [this.context.tableRow(target, asset.id, location, newMetadataLocation, asset)],
          deletes: [],
          expectations: [
            { namespace: target.namespace, name: target.name, state: 'present', metadataLocation: currentLocation },
          ],
        },
        this.context.commitInfo(principal, 'commit', target),
      );
    } catch (err) {
      if (isLostSwap(err)) {
        await this.context.discardUnreferencedFile(fileIo, newMetadataLocation, err);
        return { kind: 'retry' };
      }
      if (err instanceof ExpectationFailedError && err.failure === 'missing') {
        await this.context.discardUnreferencedFile(fileIo, newMetadataLocation, err);
        throw this.context.noSuchTable(target);
      }
      throw await this.afterFailedSwap(err, fileIo, newMetadataLocation, target);
    }
    this.metadataCache.set(newMetadataLocation, committed.metadataBytes);
    return { kind: 'done', response: this.context.tableResult(target, asset.id, newMetadataLocation, committed.metadataBytes) };
  }

  /**
   * Commit to a table absent from the branch: only a create transaction (requirements with `assert-create`,
   * contract §8.7) may do that; anything else is 404. Starts from empty metadata, writes version 00000.
   */
  private async commitCreateTransaction(principal: Principal, target: TableTarget, body: Buffer): Promise<CommitAttempt> {
    if (!requestsAssertCreate(body)) throw this.context.noSuchTable(target);
    await this.namespaces.require(target.tenantId, target.catalog.name, target.namespace);
    const committed = await this.workers.commitTable(null, body, { nowMs: Date.now(), tableUuid: randomUUID() });
    const id = committed.summary.tableUuid;
    const location = await this.context.confinedLocation(target, committed.summary.location, id);
    const metadataLocation = nextMetadataFileName(null, location, randomUUID());
    const fileIo = this.context.fileIoFor(target, metadataLocation);
    await fileIo.write(metadataLocation, committed.metadataBytes);
    try {
      await this.unitOfWork.commitChanges(
        target.tenantId,
        target.catalog.name,
        target.branch,
        {
          puts: [this.context.tableRow(target, id, location, metadataLocation)],
          deletes: [],
          expectations: [{ namespace: target.namespace, name: target.name, state: 'absent' }],
        },
        this.context.commitInfo(principal, 'create', target),
        { createBranchIfMissing: true },
      );
    } catch (err) {
      if (err instanceof ExpectationFailedError && err.failure === 'exists') {
        // Another create won the race; assert-create now fails against it.
        await this.context.discardUnreferencedFile(fileIo, metadataLocation, err);
        throw this.context.tableExists(target);
      }
      throw await this.afterFailedSwap(err, fileIo, metadataLocation, target);
    }
    this.metadataCache.set(metadataLocation, committed.metadataBytes);
    return { kind: 'done', response: this.context.tableResult(target, id, metadataLocation, committed.metadataBytes) };
  }

  /**
   * What a failed pointer swap becomes. Errors that are the unit of work's own decision (a failed
   * expectation, a missing catalog or branch, invalid input) mean nothing was written: the new file is
   * removed and the error stands. Anything else (a lost connection, a driver fault) leaves the outcome
   * unknown: the file is kept, since the swap may have committed, and the client is told so
   * (CommitStateUnknownException, 5xx) rather than a 409 or 503 after which it would delete data files a
   * committed snapshot references.
   */
  private async afterFailedSwap(err: unknown, fileIo: FileIO, location: string, target: TableTarget): Promise<unknown> {
    if (err instanceof CommitStateUnknownError) return err;
    if (err instanceof DomainError && DEFINITE_FAILURE_KINDS.has(err.kind)) {
      await this.context.discardUnreferencedFile(fileIo, location, err);
      return err;
    }
    this.logger.error(
      `Commit to ${this.context.describeTarget(target)}: outcome of the pointer swap is unknown (${describeError(err)})`,
    );
    return new CommitStateUnknownError(
      `The outcome of the commit to ${this.context.describeTarget(target)} is unknown; reload the table before retrying`,
    );
  }
}

type CommitAttempt = { kind: 'done'; response: JsonChunks } | { kind: 'retry' };

/** Error kinds the unit of work raises BEFORE writing anything: the commit definitely did not happen. */
const DEFINITE_FAILURE_KINDS: ReadonlySet<string> = new Set([
  'not-found',
  'already-exists',
  'expectation-failed',
  'conflict',
  'validation',
  'forbidden',
]);

/**
 * The swap did not happen because the table moved underneath (another commit won), or the backend aborted
 * the transaction on a write conflict (a serialization failure, translated to a plain ConflictError):
 * nothing was written, and re-running the commit against the newer metadata is safe.
 */
function isLostSwap(err: unknown): boolean {
  if (err instanceof ExpectationFailedError) return err.failure === 'location-mismatch';
  return err instanceof ConflictError && err.kind === 'conflict';
}

/** True when the commit body's `requirements` contain `assert-create` (only that small array is parsed). */
function requestsAssertCreate(body: Buffer): boolean {
  const requirements = readTopLevelFields(body, ['requirements']).get('requirements');
  if (!requirements || requirements.kind !== 'container') return false;
  const parsed = parseJsonLossless(requirements.json);
  return Array.isArray(parsed) && parsed.some((r) => isJsonObject(r) && r.type === 'assert-create');
}

/**
 * Pause before re-running a commit that lost its pointer swap to another replica: exponential with full
 * jitter (at most 5, 10, 20, ... 200 ms), so replicas racing on one table spread out instead of colliding
 * again in lockstep.
 */
function retryBackoffMs(attempt: number): number {
  return Math.random() * Math.min(200, 5 * 2 ** (attempt - 1));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Both spell the same place (a stored location that no longer parses is never the same). */
function sameLocation(canonical: string, stored: string): boolean {
  try {
    return normalizeLocation(stored) === canonical;
  } catch (err) {
    if (err instanceof InvalidLocationError) return false;
    throw err;
  }
}
