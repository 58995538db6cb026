import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
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
 * invalidation; a document larger than the whole bound is not cached at all, nor is an empty one (nothing
 * to save, and the store counts every entry as at least one byte).
 *
 * Returned buffers are shared with the cache: callers must treat them as read-only.
 */
@Injectable()
export class MetadataBytesCache {
  /** Null when the bound is 0: caching is off. */
  private readonly entries: LRUCache<string, Buffer> | null;
  private readonly loading = new Map<string, Promise<Buffer>>();
  private hits = 0;
  private misses = 0;
  readonly maxBytes: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'metadata'>) {
    this.maxBytes = config.metadata.cacheMaxBytes;
    this.entries =
      this.maxBytes > 0 ? new LRUCache<string, Buffer>({ maxSize: this.maxBytes, sizeCalculation: (bytes) => bytes.byteLength }) : null;
  }

  get(location: string): Buffer | undefined {
    const bytes = this.entries?.get(location);
    if (bytes === undefined) this.misses += 1;
    else this.hits += 1;
    return bytes;
  }

  set(location: string, bytes: Buffer): void {
    if (!this.entries) return;
    // A replaced entry is dropped even when the new bytes are not kept.
    if (bytes.byteLength === 0) this.entries.delete(location);
    else this.entries.set(location, bytes);
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
    return { hits: this.hits, misses: this.misses, bytes: this.entries?.calculatedSize ?? 0, entries: this.entries?.size ?? 0 };
  }

  clear(): void {
    this.entries?.clear();
  }
}
