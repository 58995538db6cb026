import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'piscina';
import { SerializedError, serializeError } from './error-transport';
import { MetadataSummary, MetadataTask, runMetadataTask } from './metadata-tasks';
import { isWholeSharedBuffer } from './shared-bytes';

/** What the pool passes to each worker thread (Piscina `workerData`). */
export interface MetadataWorkerData {
  /** Nice value of this thread (0 = as the main thread; see MetadataWorkerPoolOptions.workerNice). */
  nice: number;
}

lowerThreadPriority((workerData as MetadataWorkerData | undefined)?.nice ?? 0);

/**
 * Gives this worker thread a lower CPU priority than the event loop, so a burst of large-document work
 * cannot delay probes and small requests: when both want a core, the kernel runs the main thread first.
 * Linux keeps a nice value per thread, addressed by the thread id (`/proc/thread-self` names it). Elsewhere,
 * or if the kernel refuses, the thread keeps the default priority.
 */
function lowerThreadPriority(nice: number): void {
  if (nice <= 0 || process.platform !== 'linux') return;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, nice);
  } catch {
    // Not permitted or not available: the work still runs, at normal priority.
  }
}

/**
 * Piscina worker entry. Input byte arrays arrive as transferred ArrayBuffers or shared memory; the result's
 * bytes are sent back in shared memory (never a parsed object: cloning a large object graph costs more than
 * parsing it).
 * Errors are returned as data so the main thread can rebuild their classes (see error-transport.ts).
 * Nothing from Nest is loaded in the worker.
 */

/** A task as posted to the worker: byte arrays travel as bare ArrayBuffers. */
export type WorkerTask =
  | { kind: 'create'; request: ArrayBuffer; ctx: Extract<MetadataTask, { kind: 'create' }>['ctx'] }
  | {
      kind: 'commit';
      current: ArrayBuffer | null;
      currentLocation: string | null;
      body: ArrayBuffer;
      ctx: Extract<MetadataTask, { kind: 'commit' }>['ctx'];
    }
  | { kind: 'validate'; metadata: ArrayBuffer };

export type WorkerReply =
  | { ok: true; metadataBytes: Uint8Array; summary: MetadataSummary }
  | { ok: false; error: SerializedError };

export default function handleMetadataTask(task: WorkerTask): unknown {
  let result;
  try {
    // New documents are written straight into shared memory. The main thread caches them by location, and
    // the next commit of the table hands the same memory back to a worker without copying it.
    result = runMetadataTask(toMetadataTask(task), allocateShared);
  } catch (err) {
    const reply: WorkerReply = { ok: false, error: serializeError(err) };
    return reply;
  }
  const reply: WorkerReply = { ok: true, metadataBytes: inSharedMemory(result.metadataBytes), summary: result.summary };
  return reply;
}

function allocateShared(byteLength: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(byteLength));
}

/** The bytes as a whole shared buffer: as they are when a task wrote them, else copied (an unchanged input). */
function inSharedMemory(bytes: Uint8Array): Uint8Array {
  if (isWholeSharedBuffer(bytes)) return bytes;
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return shared;
}

function toMetadataTask(task: WorkerTask): MetadataTask {
  switch (task.kind) {
    case 'create':
      return { kind: 'create', request: new Uint8Array(task.request), ctx: task.ctx };
    case 'commit':
      return {
        kind: 'commit',
        current: task.current === null ? null : new Uint8Array(task.current),
        currentLocation: task.currentLocation,
        body: new Uint8Array(task.body),
        ctx: task.ctx,
      };
    case 'validate':
      return { kind: 'validate', metadata: new Uint8Array(task.metadata) };
  }
}
