import type { NamespacePath } from '../persistence/models';

/** One node of the Data Explorer tree (contract management §2.1). */
export interface NamespaceNode {
  name: string;
  full_path: string[];
  children: NamespaceNode[];
}

/**
 * Folds namespace paths into a tree. Intermediate nodes appear even when no namespace is stored for them
 * (`a.b` alone gives `a` with child `b`); siblings keep the order of first appearance.
 */
export function buildNamespaceTree(paths: readonly NamespacePath[]): NamespaceNode[] {
  const root: NamespaceNode[] = [];
  const index = new Map<string, NamespaceNode>();
  for (const levels of paths) {
    let siblings = root;
    for (let depth = 0; depth < levels.length; depth++) {
      const fullPath = levels.slice(0, depth + 1);
      // U+001F cannot occur inside a level, so it makes an unambiguous key.
      const key = fullPath.join('\u001f');
      let node = index.get(key);
      if (!node) {
        node = { name: levels[depth], full_path: fullPath, children: [] };
        index.set(key, node);
        siblings.push(node);
      }
      siblings = node.children;
    }
  }
  return root;
}
