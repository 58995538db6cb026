/**
 * Whether `bytes` covers a whole SharedArrayBuffer: such bytes cross between the event loop and the metadata
 * workers without a copy. A tag check rather than instanceof, since the buffer may come from another realm
 * (a test sandbox).
 */
export function isWholeSharedBuffer(bytes: Uint8Array): boolean {
  return (
    Object.prototype.toString.call(bytes.buffer) === '[object SharedArrayBuffer]' &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  );
}
