import { MetadataBytesCache } from '../../src/storage/metadata-bytes-cache';

const cacheOf = (maxBytes: number) => new MetadataBytesCache({ metadata: { cacheMaxBytes: maxBytes } as never });
const bytes = (n: number, fill = 0x61) => Buffer.alloc(n, fill);

describe('MetadataBytesCache', () => {
  it('returns what was stored and counts hits and misses', () => {
    const cache = cacheOf(100);
    expect(cache.get('s3://b/a.json')).toBeUndefined();
    cache.set('s3://b/a.json', bytes(10));
    expect(cache.get('s3://b/a.json')?.length).toBe(10);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, bytes: 10, entries: 1 });
  });

  it('evicts least recently used entries until the total fits the byte bound', () => {
    const cache = cacheOf(100);
    cache.set('a', bytes(40));
    cache.set('b', bytes(40));
    cache.get('a'); // a is now more recent than b
    cache.set('c', bytes(40)); // 120 > 100: b goes
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.stats()).toMatchObject({ bytes: 80, entries: 2 });

    cache.set('d', bytes(90)); // needs 90: a and c both go
    expect(cache.stats()).toMatchObject({ bytes: 90, entries: 1 });
    expect(cache.get('d')).toBeDefined();
  });

  it('keeps an entry exactly at the bound and does not cache a document bigger than the bound', () => {
    const cache = cacheOf(100);
    cache.set('small', bytes(30));
    cache.set('exact', bytes(100));
    expect(cache.stats()).toMatchObject({ bytes: 100, entries: 1 });
    cache.set('huge', bytes(101));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('exact')).toBeDefined(); // an oversized document does not evict anything
  });

  it('replacing a location accounts for the old size', () => {
    const cache = cacheOf(100);
    cache.set('a', bytes(60));
    cache.set('a', bytes(20));
    expect(cache.stats()).toMatchObject({ bytes: 20, entries: 1 });
  });

  it('takes an empty document without failing', () => {
    const cache = cacheOf(100);
    expect(() => cache.set('empty', bytes(0))).not.toThrow();
    expect(cache.stats()).toMatchObject({ bytes: 0 });
  });

  it('getOrLoad of an empty document answers it', async () => {
    const cache = cacheOf(100);
    expect(await cache.getOrLoad('empty', async () => bytes(0))).toHaveLength(0);
  });

  it('a cleared cache holds nothing and counts on', () => {
    const cache = cacheOf(100);
    cache.set('a', bytes(10));
    cache.get('a');
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, bytes: 0, entries: 0 });
  });

  it('caches nothing when the bound is 0', () => {
    const cache = cacheOf(0);
    cache.set('a', bytes(1));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ bytes: 0, entries: 0 });
  });

  it('getOrLoad loads once for concurrent callers, then serves from the cache', async () => {
    const cache = cacheOf(1000);
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const load = async () => {
      loads += 1;
      await gate;
      return bytes(5, 0x62);
    };
    const pending = [cache.getOrLoad('x', load), cache.getOrLoad('x', load), cache.getOrLoad('x', load)];
    release();
    const results = await Promise.all(pending);
    expect(loads).toBe(1);
    expect(results.every((r) => r.toString() === 'bbbbb')).toBe(true);
    await cache.getOrLoad('x', load);
    expect(loads).toBe(1);
  });

  it('getOrLoad does not cache a failed load', async () => {
    const cache = cacheOf(1000);
    await expect(cache.getOrLoad('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.getOrLoad('x', async () => bytes(3))).toHaveLength(3);
    expect(cache.stats().entries).toBe(1);
  });
});
