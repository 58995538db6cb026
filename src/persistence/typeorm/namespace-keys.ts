import type { NamespacePath } from '../models';

/**
 * How namespace levels are stored in SQL. A namespace is one key column, its levels joined by U+001F (a
 * level never contains it), plus:
 * - `depth`: the number of levels (tells `[]` from `['']`, and finds direct children);
 * - `parent_key`: the key of the parent namespace (direct children = same parent key, depth + 1);
 * - `sort_key`: an order-preserving encoding, so `ORDER BY sort_key` is level-by-level lexicographic order.
 *   Ordering by the plain key would be wrong when a level holds a character below U+001F (`['a','b']` must
 *   sort before `['a\tb']`). The encoding joins levels with U+0001 and escapes U+0000..U+0002 inside a level
 *   as U+0002 followed by '@', 'A' or 'B', so the separator sorts below every character of a level and the
 *   order of levels is kept. Compared bytewise (SQLite BINARY, PostgreSQL "C"), this is code-point order.
 */

export const LEVEL_SEPARATOR = '\u001f';

export interface NamespaceColumns {
  key: string;
  depth: number;
  parentKey: string;
  sortKey: string;
}

export function namespaceKey(levels: NamespacePath): string {
  return levels.join(LEVEL_SEPARATOR);
}

export function namespaceColumns(levels: NamespacePath): NamespaceColumns {
  return {
    key: namespaceKey(levels),
    depth: levels.length,
    parentKey: namespaceKey(levels.slice(0, -1)),
    sortKey: namespaceSortKey(levels),
  };
}

export function namespaceSortKey(levels: NamespacePath): string {
  return levels.map(escapeLevel).join('\u0001');
}

export function levelsFromKey(key: string, depth: number): NamespacePath {
  return depth === 0 ? [] : key.split(LEVEL_SEPARATOR);
}

/** Length in code points, as SQL `substr` / `length` count characters. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

function escapeLevel(level: string): string {
  return level.replace(/[\u0000-\u0002]/g, (c) => '\u0002' + String.fromCharCode(0x40 + c.charCodeAt(0)));
}
