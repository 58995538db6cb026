import { metadataFileVersion, nextMetadataFileName } from './file-names';

describe('metadata file names', () => {
  it.each<[string, number | null]>([
    ['s3://b/t/metadata/00000-5d4b2a3c-1e0f-4a9b-8c7d-6e5f4a3b2c1d.metadata.json', 0],
    ['s3://b/t/metadata/00042-5d4b2a3c-1e0f-4a9b-8c7d-6e5f4a3b2c1d.metadata.json', 42],
    ['file:///data/t/metadata/123456-abc.metadata.json', 123456],
    ['s3://b/t/metadata/00007-abc.gz.metadata.json', 7],
    ['s3://b/t/metadata/v12.metadata.json', 12],
    ['s3://b/t/metadata/v3.gz.metadata.json', 3],
    ['s3://b/t', null], // v0.4.0 returned the table directory as metadata-location at create
    ['s3://b/t/metadata/snap-123.avro', null],
    ['s3://b/t/metadata/current.metadata.json', null],
  ])('%s has version %s', (location, version) => {
    expect(metadataFileVersion(location)).toBe(version);
  });

  it('starts at 00000 and counts up from the previous file', () => {
    const uuid = '5d4b2a3c-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
    expect(nextMetadataFileName(null, 's3://b/t/', uuid)).toBe(`s3://b/t/metadata/00000-${uuid}.metadata.json`);
    expect(nextMetadataFileName('s3://b/t/metadata/00000-x.metadata.json', 's3://b/t', uuid)).toBe(
      `s3://b/t/metadata/00001-${uuid}.metadata.json`,
    );
    expect(nextMetadataFileName('s3://b/t/metadata/99999-x.metadata.json', 's3://b/t', uuid)).toBe(
      `s3://b/t/metadata/100000-${uuid}.metadata.json`,
    );
    expect(nextMetadataFileName('s3://elsewhere/odd-name.json', 's3://b/t', uuid)).toBe(
      `s3://b/t/metadata/00001-${uuid}.metadata.json`,
    );
  });
});
