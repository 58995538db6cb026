import { buildNamespaceTree } from './namespace-tree';

describe('buildNamespaceTree', () => {
  it('is empty for no namespaces', () => {
    expect(buildNamespaceTree([])).toEqual([]);
  });

  it('creates intermediate nodes and keeps siblings in order of first appearance', () => {
    const tree = buildNamespaceTree([['z', 'b'], ['a'], ['z', 'a', 'deep'], ['z']]);
    expect(tree).toEqual([
      {
        name: 'z',
        full_path: ['z'],
        children: [
          { name: 'b', full_path: ['z', 'b'], children: [] },
          { name: 'a', full_path: ['z', 'a'], children: [{ name: 'deep', full_path: ['z', 'a', 'deep'], children: [] }] },
        ],
      },
      { name: 'a', full_path: ['a'], children: [] },
    ]);
  });

  it('keeps levels containing dots apart from nested levels', () => {
    const tree = buildNamespaceTree([['a.b'], ['a', 'b']]);
    expect(tree.map((n) => n.full_path)).toEqual([['a.b'], ['a']]);
    expect(tree[1].children.map((n) => n.full_path)).toEqual([['a', 'b']]);
  });
});
