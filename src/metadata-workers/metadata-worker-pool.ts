import type { MetadataWorkerData } from './metadata.worker';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import type { CreateTableContext } from '../iceberg/metadata';
import { deserializeError } from './error-transport';
import { loadTableResultBytes } from './load-table-result';
import { CommitContext, MetadataSummary, MetadataTask, MetadataTaskResult, runMetadataTask } from './metadata-tasks';
import type { WorkerReply, WorkerTask } from './metadata.worker';
import { isWholeSharedBuffer } from './shared-bytes';

export type { MetadataSummary } from './metadata-tasks';

/** New metadata bytes plus the scalars the service needs; the bytes are never parsed again on this thread. */
export interface MetadataResult {
  metadataBytes: Buffer;
  summary: MetadataSummary;
}

export interface MetadataWorkerPoolStats {
  /** Worker threads configured (0: everything inline). */
  threads: number;
  /** Tasks waiting for a free worker. */
  queueSize: number;
  /** Fraction of worker capacity in use since the pool started (0..1). */
  utilization: number;
  /** Tasks finished by workers. */
  completed: number;
  /** Inputs handed to a worker in shared memory, without a copy (a cached result of an earlier task). */
  sharedInputs: number;
  /** Tasks run inline on the calling thread (small inputs, or no workers configured). */
  completedInline: number;
}

export interface MetadataWorkerPoolOptions {
  workerThreads: number;
  inlineMaxBytes: number;
  /**
   * Nice value of the worker threads (Linux; 0 = same priority as the event loop). Positive values let the
   * event loop (probes, small requests) take a core first while workers parse and serialize large documents.
   */
  workerNice?: number;
}

/**
 * Runs metadata JSON work (parse losslessly, check requirements, apply updates, validate, serialize) off the
 * event loop (DESIGN §3.3). Inputs up to `inlineMaxBytes` in total run inline through the same pure
 * function, because a worker round trip has a fixed cost; larger ones go to a Piscina pool of
 * `workerThreads` threads, created on first use and destroyed with the application.
 *
 * Caller-owned bytes are copied before being transferred, so a buffer held in a cache (or Node's shared
 * Buffer pool) is never detached; bytes that came out of a worker are in shared memory and are handed back to
 * a worker as they are, without a copy. Domain errors keep their class across the thread boundary.
 */
@Injectable()
export class MetadataWorkerPool implements OnApplicationShutdown {
  private pool: Piscina | null = null;
  private completedInline = 0;
  private sharedInputs = 0;
  private readonly options: MetadataWorkerPoolOptions;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.options = {
      workerThreads: config.metadata.workerThreads,
      inlineMaxBytes: config.metadata.inlineMaxBytes,
      workerNice: config.metadata.workerNice,
    };
  }

  /** A pool outside Nest (scripts, benchmarks); call `destroy()` when done. */
  static create(options: MetadataWorkerPoolOptions): MetadataWorkerPool {
    return new MetadataWorkerPool({ metadata: options } as AppConfig);
  }

  /** First metadata document of a table from a raw CreateTableRequest body. */
  createTable(requestBody: Uint8Array, ctx: CreateTableContext): Promise<MetadataResult> {
    return this.run(
      requestBody.byteLength,
      { kind: 'create', request: requestBody, ctx },
      (transfer) => ({ kind: 'create', request: transfer(requestBody), ctx }),
    );
  }

  /**
   * Applies a raw CommitTableRequest body (`{identifier?, requirements, updates}`) to the current metadata
   * (null: the table does not exist, a create transaction). Throws ValidationError for a malformed body,
   * UnknownTableChangeError / InvalidTableUpdateError (400), RequirementFailedError (409), and
   * StoredMetadataUnreadableError (500) when the current file itself is unusable.
   */
  commitTable(
    current: { bytes: Uint8Array; location: string } | null,
    commitBody: Uint8Array,
    ctx: CommitContext,
  ): Promise<MetadataResult> {
    // A create transaction without assign-uuid gets its uuid here, so inline and worker runs agree.
    const commitCtx: CommitContext = current === null ? { ...ctx, tableUuid: ctx.tableUuid ?? randomUUID() } : ctx;
    const size = commitBody.byteLength + (current?.bytes.byteLength ?? 0);
    return this.run(
      size,
      { kind: 'commit', current: current?.bytes ?? null, currentLocation: current?.location ?? null, body: commitBody, ctx: commitCtx },
      (transfer) => ({
        kind: 'commit',
        current: current === null ? null : transfer(current.bytes),
        currentLocation: current?.location ?? null,
        body: transfer(commitBody),
        ctx: commitCtx,
      }),
    );
  }

  /** Validates (and, for legacy files, repairs) a metadata file: register table, or a legacy file on load. */
  validateMetadataFile(bytes: Uint8Array): Promise<MetadataResult> {
    return this.run(bytes.byteLength, { kind: 'validate', metadata: bytes }, (transfer) => ({
      kind: 'validate',
      metadata: transfer(bytes),
    }));
  }

  /** Same as the exported `loadTableResultBytes` (pure, no parse); here for callers holding only the pool. */
  loadTableResultBytes(
    metadataLocation: string | null,
    metadataBytes: Uint8Array,
    config: Record<string, string>,
    extraFields?: Record<string, string>,
  ): Buffer {
    return loadTableResultBytes(metadataLocation, metadataBytes, config, extraFields);
  }

  stats(): MetadataWorkerPoolStats {
    return {
      threads: this.options.workerThreads,
      queueSize: this.pool?.queueSize ?? 0,
      utilization: this.pool?.utilization ?? 0,
      completed: this.pool?.completed ?? 0,
      sharedInputs: this.sharedInputs,
      completedInline: this.completedInline,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.destroy();
  }

  async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.destroy();
  }

  private async run(
    inputBytes: number,
    inlineTask: MetadataTask,
    workerTask: (transfer: (bytes: Uint8Array) => ArrayBuffer) => WorkerTask,
  ): Promise<MetadataResult> {
    if (this.options.workerThreads === 0 || inputBytes <= this.options.inlineMaxBytes) {
      const result = runMetadataTask(inlineTask);
      this.completedInline++;
      return asResult(result);
    }
    const transferList: ArrayBuffer[] = [];
    const task = workerTask((bytes) => {
      // Bytes a worker produced live in shared memory (see metadata.worker.ts): the worker reads them in
      // place, so a cached 10 MB document is neither copied nor allocated again on the event loop.
      if (isWholeSharedBuffer(bytes)) {
        this.sharedInputs++;
        return bytes.buffer as unknown as ArrayBuffer;
      }
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      transferList.push(copy.buffer);
      return copy.buffer;
    });
    const reply = (await this.workers().run(task, { transferList })) as WorkerReply;
    if (!reply.ok) throw deserializeError(reply.error);
    return asResult(reply);
  }

  private workers(): Piscina {
    if (!this.pool) {
      this.pool = new Piscina({
        filename: workerEntryFile(),
        minThreads: this.options.workerThreads,
        maxThreads: this.options.workerThreads,
        idleTimeout: 60_000,
        workerData: { nice: this.options.workerNice ?? 0 } satisfies MetadataWorkerData,
      });
    }
    return this.pool;
  }
}

function asResult(result: MetadataTaskResult): MetadataResult {
  const bytes = result.metadataBytes;
  return {
    metadataBytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    summary: result.summary,
  };
}

/**
 * The compiled worker (`metadata.worker.js`, next to this file in dist/) when running the build; from the
 * TypeScript sources, a small JS entry that compiles the worker's .ts modules on load.
 */
export function workerEntryFile(): string {
  const compiled = path.join(__dirname, 'metadata.worker.js');
  if (fs.existsSync(compiled)) return compiled;
  return path.join(__dirname, 'ts-worker-entry.js');
}
