/**
 * The stored locations that overlap a canonical location (`scheme://authority/a/b`, no trailing `/`):
 * the location itself and each of its ancestors up to the store's root, each also spelled with a trailing
 * `/` (equal to it or containing it), plus the prefix every location below it starts with. Adapters turn
 * these into one indexed query (`location IN (...) OR location starts with prefix`).
 */
export interface LocationOverlapKeys {
  sameOrAbove: string[];
  belowPrefix: string;
}

export function locationOverlapKeys(location: string): LocationOverlapKeys {
  const trimmed = location.replace(/\/+$/, '');
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*)(.*)$/s.exec(trimmed);
  const store = match ? match[1] : '';
  const segments = (match ? match[2] : trimmed).split('/').filter((s) => s !== '');
  const sameOrAbove = [store, `${store}/`];
  let current = store;
  for (const segment of segments) {
    current = `${current}/${segment}`;
    sameOrAbove.push(current, `${current}/`);
  }
  return { sameOrAbove, belowPrefix: `${current}/` };
}

/** The memory adapter's (and any scan's) reading of the keys. */
export function matchesOverlapKeys(stored: string, keys: LocationOverlapKeys): boolean {
  return keys.sameOrAbove.includes(stored) || stored.startsWith(keys.belowPrefix);
}
