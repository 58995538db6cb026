import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

export interface MetadataBytesCacheStats {
  hits: number;
  misses: number;
  /** Bytes currently held. */
  bytes: number;
  entries: number;
}

/**
 * Raw bytes of metadata files, keyed by location, bounded by total size (least recently used out first).
 * Metadata files are immutable and a name is never reused, so an entry never goes stale and there is no
 * invalidation; a document larger than the whole bound is not cached at all.
 *
 * Returned buffers are shared with the cache: callers must treat them as read-only.
 */
@Injectable()
export class MetadataBytesCache {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, Buffer>();
  private readonly loading = new Map<string, Promise<Buffer>>();
  private heldBytes = 0;
  private hits = 0;
  private misses = 0;
  readonly maxBytes: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'metadata'>) {
    this.maxBytes = config.metadata.cacheMaxBytes;
  }

  get(location: string): Buffer | undefined {
    const bytes = this.entries.get(location);
    if (bytes === undefined) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.entries.delete(location); // re-insert: now the most recently used
    this.entries.set(location, bytes);
    return bytes;
  }

  set(location: string, bytes: Buffer): void {
    const existing = this.entries.get(location);
    if (existing !== undefined) {
      this.entries.delete(location);
      this.heldBytes -= existing.byteLength;
    }
    if (bytes.byteLength > this.maxBytes) return;
    this.entries.set(location, bytes);
    this.heldBytes += bytes.byteLength;
    for (const [oldest, oldBytes] of this.entries) {
      if (this.heldBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.heldBytes -= oldBytes.byteLength;
    }
  }

  /**
   * The cached bytes, or `load()`'s result, cached. Concurrent calls for the same uncached location share
   * one load, so a burst of requests for a popular table reads its file once. A failed load is not cached.
   */
  async getOrLoad(location: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const cached = this.get(location);
    if (cached !== undefined) return cached;
    const inFlight = this.loading.get(location);
    if (inFlight) return inFlight;
    const promise = load().then(
      (bytes) => {
        this.loading.delete(location);
        this.set(location, bytes);
        return bytes;
      },
      (error: unknown) => {
        this.loading.delete(location);
        throw error;
      },
    );
    this.loading.set(location, promise);
    return promise;
  }

  stats(): MetadataBytesCacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.heldBytes, entries: this.entries.size };
  }

  clear(): void {
    this.entries.clear();
    this.heldBytes = 0;
  }
}
