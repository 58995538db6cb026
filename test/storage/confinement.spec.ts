import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { locationOverlapKeys, matchesOverlapKeys } from '../../src/persistence/location-keys';
import { assertRealPathInside, InvalidLocationError, locationsOverlap } from '../../src/storage';

describe('assertRealPathInside', () => {
  let dir: string;
  let root: string;
  let outside: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pangolin-confine-'));
    root = path.join(dir, 'root');
    outside = path.join(dir, 'outside');
    await mkdir(path.join(root, 'real'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.json'), '{}');
    await symlink(outside, path.join(root, 'escape'));
    await symlink(path.join(outside, 'secret.json'), path.join(root, 'real', 'linked.json'));
    await symlink(path.join(dir, 'nowhere'), path.join(root, 'dangling'));
    await symlink(path.join(root, 'real'), path.join(root, 'inner-link'));
    await symlink(root, path.join(dir, 'root-link'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const check = (location: string, against = `file://${root}`) => assertRealPathInside(location, against, 'the test root');

  it('accepts locations strictly below the root, existing or not, and links that stay inside', async () => {
    await expect(check(`file://${root}/real`)).resolves.toBeUndefined();
    await expect(check(`file://${root}/real/not/yet/there`)).resolves.toBeUndefined();
    await expect(check(`file:${root}/real/x`)).resolves.toBeUndefined();
    await expect(check(`file://${root}/inner-link/t`)).resolves.toBeUndefined();
    // A root reached through a link of its own: both sides are resolved.
    await expect(check(`file://${dir}/root-link/real/t`, `file://${dir}/root-link`)).resolves.toBeUndefined();
  });

  it.each([
    ['the root itself', () => `file://${root}`, /not inside the test root/],
    ['a sibling with the root as name prefix', () => `file://${root}-other/t`, /not inside/],
    ['a path outside', () => `file://${outside}/t`, /not inside/],
    ['dot-dot segments', () => `file://${root}/real/../../outside`, /'\.' and '\.\.' path segments/],
    ['another scheme', () => `s3://bucket${root}/t`, /not inside/],
    ['a directory link leading out', () => `file://${root}/escape/t`, /leaves the test root through a symbolic link/],
    ['a file link leading out', () => `file://${root}/real/linked.json`, /symbolic link/],
    ['a dangling link', () => `file://${root}/dangling/t`, /dangling symbolic link/],
  ])('refuses %s with an InvalidLocationError that names no resolved path', async (_label, location, message) => {
    const attempt = check(location());
    await expect(attempt).rejects.toThrow(InvalidLocationError);
    await expect(check(location())).rejects.toThrow(message);
    // Only what the caller sent is quoted: a link's target never appears.
    if (!location().includes(outside)) await check(location()).catch((err: Error) => expect(err.message).not.toContain(outside));
  });

  it('compares object-store locations lexically', async () => {
    await expect(assertRealPathInside('s3://b/wh/t', 's3://b/wh', 'w')).resolves.toBeUndefined();
    await expect(assertRealPathInside('s3://b/wh2/t', 's3://b/wh', 'w')).rejects.toThrow(InvalidLocationError);
    await expect(assertRealPathInside('mem://s/wh/t', 'mem://s/wh', 'w')).resolves.toBeUndefined();
  });
});

describe('locationsOverlap', () => {
  it.each([
    ['s3://b/a', 's3://b/a', true],
    ['s3://b/a', 's3://b/a/c', true],
    ['s3://b/a/c/', 's3a://b/a', true],
    ['s3://b', 's3://b/a', true],
    ['s3://b/a', 's3://b/ab', false],
    ['s3://b/a', 's3://c/a', false],
    ['file:///x/y', 'file:/x/y/z', true],
    ['file:///x/y', 'mem://x/y', false],
    ['file:///x/../y', 'file:///y', false],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(locationsOverlap(a, b)).toBe(expected);
    expect(locationsOverlap(b, a)).toBe(expected);
  });
});

describe('locationOverlapKeys', () => {
  it('lists the location and its ancestors (with and without a trailing slash) and the prefix below it', () => {
    const keys = locationOverlapKeys('s3://b/x/y');
    expect(keys.sameOrAbove).toEqual(['s3://b', 's3://b/', 's3://b/x', 's3://b/x/', 's3://b/x/y', 's3://b/x/y/']);
    expect(keys.belowPrefix).toBe('s3://b/x/y/');
    expect(locationOverlapKeys('file:///x').sameOrAbove).toEqual(['file://', 'file:///', 'file:///x', 'file:///x/']);
  });

  it.each([
    ['s3://b/x/y', true],
    ['s3://b/x/y/', true],
    ['s3://b/x', true],
    ['s3://b/x/y/z/w', true],
    ['s3://b/x/yz', false],
    ['s3://b/x/z', false],
    ['s3://c/x/y', false],
  ])('matches stored %s: %s', (stored, expected) => {
    expect(matchesOverlapKeys(stored, locationOverlapKeys('s3://b/x/y'))).toBe(expected);
  });
});
