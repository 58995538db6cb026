import { ValidationError } from '../../src/common/errors';
import { InvalidLocationError } from '../../src/storage/errors';
import { isLocationUnder, joinLocation, normalizeLocation, parseLocation } from '../../src/storage/location';

describe('parseLocation / normalizeLocation', () => {
  it.each([
    ['s3://bucket/a/b.json', 's3://bucket/a/b.json'],
    ['S3://bucket/a/b.json', 's3://bucket/a/b.json'],
    ['s3a://bucket/a//b/', 's3://bucket/a/b'],
    ['s3n://bucket', 's3://bucket'],
    ['file:///srv/wh/t', 'file:///srv/wh/t'],
    ['file:/srv/wh/t/', 'file:///srv/wh/t'],
    ['file://localhost/srv//wh', 'file:///srv/wh'],
    ['mem://store/k', 'mem://store/k'],
    ['s3://b/ns%2E%2E/t', 's3://b/ns%2E%2E/t'],
    ['s3://b/cat/db\u001fsub/t', 's3://b/cat/db\u001fsub/t'],
  ])('%s -> %s', (input, canonical) => {
    expect(normalizeLocation(input)).toBe(canonical);
  });

  it('keeps the written path verbatim for I/O while comparing segments', () => {
    expect(parseLocation('s3://b/a//b.json')).toEqual({ scheme: 's3', authority: 'b', path: 'a//b.json', segments: ['a', 'b.json'] });
    expect(parseLocation('file:/x/y')).toEqual({ scheme: 'file', authority: '', path: '/x/y', segments: ['x', 'y'] });
  });

  it.each([
    ['s3://bucket/a/../b', "'.' and '..'"],
    ['s3://bucket/./a', "'.' and '..'"],
    ['file:///srv/wh/..', "'.' and '..'"],
    ['file:/srv/../etc/passwd', "'.' and '..'"],
    ['mem://s/a/..', "'.' and '..'"],
    ['s3://bucket/a\u0000b', 'NUL'],
    ['gs://bucket/a', "'gs' scheme is not supported"],
    ['abfss://c@acct.dfs.core.windows.net/a', "'abfss' scheme is not supported"],
    ['http://host/a', "'http' scheme is not supported"],
    ['relative/path', 'absolute location'],
    ['/absolute/without/scheme', 'absolute location'],
    ['', 'required'],
    ['s3:bucket/a', 's3://<bucket>/<key>'],
    ['s3:///key', 'not a valid bucket name'],
    ['s3://../key', 'not a valid bucket name'],
    ['file:relative', 'absolute paths'],
    ['file://remotehost/x', 'on this host'],
  ])('refuses %j (%s)', (input, reason) => {
    let error: unknown;
    try {
      parseLocation(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidLocationError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(reason);
  });
});

describe('isLocationUnder', () => {
  it.each([
    ['s3://lake/cat/ns/t', 's3://lake', true],
    ['s3a://lake/cat/t', 's3://lake', true],
    ['s3://lake//cat/t/', 's3://lake/cat', true],
    ['s3://lake/cat', 's3://lake/cat', false], // the root itself
    ['s3://lake', 's3://lake', false],
    ['s3://lake-other/cat/t', 's3://lake', false],
    ['s3://lakehouse/t', 's3://lake', false],
    ['s3://lake/catalog2/t', 's3://lake/catalog', false], // prefix of a segment is not containment
    ['s3://lake/cat/../../other/t', 's3://lake/cat', false],
    ['s3://lake/cat/..', 's3://lake', false],
    ['file:///srv/wh/cat/t', 'file:///srv/wh', true],
    ['file:/srv/wh/cat/t', 'file:///srv/wh', true],
    ['file:///srv/wh/../etc/passwd', 'file:///srv/wh', false],
    ['file:///srv/wh2/t', 'file:///srv/wh', false],
    ['file:///etc/passwd', 'file:///srv/wh', false],
    ['s3://srv/wh/t', 'file:///srv/wh', false], // another scheme
    ['mem://srv/wh/t', 'file:///srv/wh', false],
    ['mem://store/wh/t', 'mem://store/wh', true],
    ['mem://other/wh/t', 'mem://store/wh', false],
    ['not a location', 's3://lake', false],
  ])('%s under %s: %s', (location, root, inside) => {
    expect(isLocationUnder(location, root)).toBe(inside);
  });
});

describe('joinLocation', () => {
  it('joins with single slashes', () => {
    expect(joinLocation('s3://b/t/', 'metadata', '00001-x.metadata.json')).toBe('s3://b/t/metadata/00001-x.metadata.json');
    expect(joinLocation('file:///srv/wh', 'cat/ns/', '/t')).toBe('file:///srv/wh/cat/ns/t');
    expect(joinLocation('s3://b/t')).toBe('s3://b/t');
  });
});
