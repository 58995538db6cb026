/**
 * The body of a LoadTableResult / CommitTableResponse, built by splicing the metadata bytes in verbatim
 * (contract §11): the document is never parsed or re-serialized on the request path. The caller passes
 * bytes it trusts to be a JSON object (a file this catalog wrote or validated).
 *
 * `{"metadata-location":<location or null>,"metadata":<bytes>,"config":{...}}`
 */
export function loadTableResultBytes(
  metadataLocation: string | null,
  metadataBytes: Uint8Array,
  config: Record<string, string>,
  extraFields: Record<string, string> = {},
): Buffer {
  const leading = { ...extraFields, 'metadata-location': metadataLocation };
  const head = Buffer.from(`${JSON.stringify(leading).slice(0, -1)},"metadata":`, 'utf8');
  const tail = Buffer.from(`,"config":${JSON.stringify(config)}}`, 'utf8');
  return Buffer.concat([head, withoutByteOrderMark(metadataBytes), tail]);
}

/** A UTF-8 byte order mark is valid at the start of a file but not inside a JSON document. */
function withoutByteOrderMark(bytes: Uint8Array): Uint8Array {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}
