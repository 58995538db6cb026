import { tableResultChunks } from './table-result';

describe('table result chunks', () => {
  it.each([
    ['a document', Buffer.from('{"format-version":2,"snapshots":[{"snapshot-id":7446468398231234001}]}'), {}, ''],
    ['a document with a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]), { id: 'x' }, '"id":"x",'],
  ])('splice the document verbatim between the location and the config (%s)', (_title, metadata, extra, extraText) => {
    const config = { 's3.region': 'eu-west-1' };
    const document = metadata[0] === 0xef ? metadata.subarray(3) : metadata;
    for (const location of ['s3://b/t/metadata/00001-x.metadata.json', null]) {
      const body = tableResultChunks(location, metadata, config, extra);
      const joined = Buffer.concat(body.chunks);
      expect(joined.length).toBe(body.byteLength);
      expect(joined.toString('utf8')).toBe(
        `{${extraText}"metadata-location":${JSON.stringify(location)},"metadata":${document.toString('utf8')},"config":{"s3.region":"eu-west-1"}}`,
      );
      expect(body.chunks[1].buffer).toBe(metadata.buffer); // spliced, not copied
    }
  });
});
