/**
 * The body of a LoadTableResult / CommitTableResponse as chunks, with the metadata document spliced in
 * verbatim: `{<extra fields>,"metadata-location":…,"metadata":<bytes>,"config":{…}}`, as three chunks that are
 * not concatenated: they are written to the socket
 * one after the other, so a 30 MB document is neither parsed nor copied on the way out (a copy of that
 * size costs the event loop milliseconds per request).
 */
export interface JsonChunks {
  chunks: Buffer[];
  byteLength: number;
}

export function tableResultChunks(
  metadataLocation: string | null,
  metadataBytes: Buffer,
  config: Record<string, string>,
  extraFields: Record<string, string> = {},
): JsonChunks {
  const leading = { ...extraFields, 'metadata-location': metadataLocation };
  const head = Buffer.from(`${JSON.stringify(leading).slice(0, -1)},"metadata":`, 'utf8');
  const document = withoutByteOrderMark(metadataBytes);
  const tail = Buffer.from(`,"config":${JSON.stringify(config)}}`, 'utf8');
  return { chunks: [head, document, tail], byteLength: head.length + document.length + tail.length };
}

/** A UTF-8 byte order mark may start a file but not a value inside a JSON document. */
function withoutByteOrderMark(bytes: Buffer): Buffer {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/**
 * The body of a LoadTableResult / CommitTableResponse as ONE buffer, with the metadata bytes spliced in
 * verbatim (contract §11): `{"metadata-location":<location or null>,"metadata":<bytes>,"config":{...}}`.
 * The HTTP layer writes `tableResultChunks` directly instead, which avoids even this one copy; this form is
 * for callers that need a single buffer (scripts, tests).
 */
export function loadTableResultBytes(
  metadataLocation: string | null,
  metadataBytes: Uint8Array,
  config: Record<string, string>,
  extraFields: Record<string, string> = {},
): Buffer {
  const bytes = Buffer.isBuffer(metadataBytes)
    ? metadataBytes
    : Buffer.from(metadataBytes.buffer, metadataBytes.byteOffset, metadataBytes.byteLength);
  return Buffer.concat(tableResultChunks(metadataLocation, bytes, config, extraFields).chunks);
}
