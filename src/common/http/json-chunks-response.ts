import type { ServerResponse } from 'node:http';

/**
 * Sends an already-serialized JSON body (e.g. a LoadTableResult with the metadata document spliced in) chunk
 * by chunk, without joining the chunks: a 30 MB document is neither copied nor hashed on the event loop.
 * Used by the table controller and by the lean read path, so both answer with the same headers.
 */
export function sendJsonChunks(res: ServerResponse, status: number, body: { chunks: readonly Uint8Array[]; byteLength: number }): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', body.byteLength);
  res.cork();
  const last = body.chunks.length - 1;
  for (let i = 0; i < last; i++) res.write(body.chunks[i]);
  res.end(body.chunks[last]); // flushes the corked chunks
}
