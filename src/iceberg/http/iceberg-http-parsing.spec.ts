import { ValidationError } from '../../common/errors';
import { parseIcebergPageRequest, toIcebergPage, encodePageToken } from './iceberg-pagination';
import { parseNamespaceSegment, parseParentQuery, parseTableSegment, resolveBranch, splitBranchSuffix } from './iceberg-paths';
import { readTopLevelFields } from './top-level-fields';

describe('Iceberg path segments', () => {
  it.each([
    ['a', { levels: ['a'] }],
    ['a\u001fb', { levels: ['a', 'b'] }],
    ['a.b', { levels: ['a.b'] }],
    ['a\u001f\u001fb\u001f', { levels: ['a', 'b'] }],
    ['a\u001fb@dev', { levels: ['a', 'b'], branch: 'dev' }],
    ['a@dev/alice@x', { levels: ['a'], branch: 'dev/alice@x' }],
    ['a@', { levels: ['a'] }],
  ])('namespace %j', (segment, expected) => {
    expect(parseNamespaceSegment(segment)).toEqual(expected);
  });

  it.each(['', '\u001f', '@dev'])('refuses the empty namespace %j with a ValidationError', (segment) => {
    expect(() => parseNamespaceSegment(segment)).toThrow(ValidationError);
  });

  it('splits table segments at the first @ only', () => {
    expect(parseTableSegment('t')).toEqual({ name: 't' });
    expect(parseTableSegment('t@feature@2')).toEqual({ name: 't', branch: 'feature@2' });
    expect(() => parseTableSegment('@dev')).toThrow(ValidationError);
    expect(splitBranchSuffix('x.y@b')).toEqual({ name: 'x.y', branch: 'b' });
  });

  it('reads parent with U+001F only', () => {
    expect(parseParentQuery(undefined)).toBeUndefined();
    expect(parseParentQuery('')).toBeUndefined();
    expect(parseParentQuery('a\u001fb')).toEqual(['a', 'b']);
    expect(parseParentQuery('a.b')).toEqual(['a.b']);
    expect(parseParentQuery('a@b')).toEqual(['a@b']);
  });

  it('resolves the branch: table, then namespace, then query, then main', () => {
    expect(resolveBranch({})).toBe('main');
    expect(resolveBranch({ query: 'q' })).toBe('q');
    expect(resolveBranch({ query: ['q', 'r'] })).toBe('main');
    expect(resolveBranch({ namespace: 'n', query: 'q' })).toBe('n');
    expect(resolveBranch({ table: 't', namespace: 'n', query: 'q' })).toBe('t');
  });
});

describe('top-level field scanner', () => {
  const read = (json: string, ...fields: string[]) => readTopLevelFields(Buffer.from(json), fields);

  it('decodes requested scalars and returns containers as text, ignoring nested keys', () => {
    const fields = read(
      ' {"schema":{"name":"nested","fields":[{"name":"x"}]},"name":"t\\"1","stage-create":true,' +
        '"location":null,"n":12,"requirements":[{"type":"assert-create"}]} ',
      'name',
      'stage-create',
      'location',
      'n',
      'requirements',
      'absent',
    );
    expect(fields.get('name')).toEqual({ kind: 'scalar', value: 't"1' });
    expect(fields.get('stage-create')).toEqual({ kind: 'scalar', value: true });
    expect(fields.get('location')).toEqual({ kind: 'scalar', value: null });
    expect(fields.get('n')).toEqual({ kind: 'scalar', value: 12 });
    expect(fields.get('requirements')).toEqual({ kind: 'container', json: '[{"type":"assert-create"}]' });
    expect(fields.has('absent')).toBe(false);
  });

  it('handles strings holding brackets, quotes and escaped backslashes', () => {
    const fields = read('{"doc":"a}b]\\\\","x":{"y":"}\\"{"},"name":"ok"}', 'name');
    expect(fields.get('name')).toEqual({ kind: 'scalar', value: 'ok' });
  });

  it.each(['', '[]', '"s"', '{"name"', '{"name":"x"', '{"a":{"b":1}', '{"a" 1}', '{"a":1,}x'])(
    'refuses %j with a ValidationError',
    (json) => {
      expect(() => read(json, 'name')).toThrow(ValidationError);
    },
  );
});

describe('Iceberg list pagination', () => {
  it('returns everything without paging parameters and no token', () => {
    const request = parseIcebergPageRequest({});
    expect(request.query).toEqual({ offset: 0 });
    expect(toIcebergPage(request, [1, 2, 3])).toEqual({ items: [1, 2, 3] });
  });

  it('pages with pageSize / pageToken, probing one row ahead', () => {
    const first = parseIcebergPageRequest({ pageSize: '2', pageToken: '' });
    expect(first.query).toEqual({ offset: 0, limit: 3 });
    expect(toIcebergPage(first, [1, 2, 3])).toEqual({ items: [1, 2], nextPageToken: encodePageToken(2) });
    const second = parseIcebergPageRequest({ pageSize: '2', pageToken: encodePageToken(2) });
    expect(second.query).toEqual({ offset: 2, limit: 3 });
    expect(toIcebergPage(second, [3])).toEqual({ items: [3], nextPageToken: null });
  });

  it('accepts limit / offset without tokens', () => {
    const request = parseIcebergPageRequest({ limit: '1', offset: '4' });
    expect(toIcebergPage(request, ['e', 'f'])).toEqual({ items: ['e'] });
  });

  it.each([{ pageSize: '0' }, { pageSize: '-1' }, { limit: 'x' }, { pageToken: 'bad' }, { pageSize: ['1', '2'] }])(
    'refuses %j',
    (query) => {
      expect(() => parseIcebergPageRequest(query)).toThrow(ValidationError);
    },
  );
});
