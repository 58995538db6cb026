import type { RequestHandler } from 'express';
import { raw } from 'express';
import { hasJsonOrNoMediaType } from '../../common/http/json-media-type';

/**
 * Request bodies of the Iceberg routes are taken as raw bytes, never through the JSON body parser: table
 * metadata and commit bodies carry 64-bit snapshot ids that `JSON.parse` would corrupt (DESIGN §2.7), and a
 * large body is handed to the metadata worker pool as bytes without being parsed on the main thread.
 *
 * Mount BEFORE the JSON parser (which then skips the already-read body). Bodies with a JSON media type, or
 * with none (clients that omit the header are accepted), are read; other media types (the OAuth token
 * routes' form bodies) are left to their own parsers.
 */
export function icebergRawBodyParser(limitBytes: number): RequestHandler {
  // Errors (413 above the limit, 400 for an aborted or undecodable body) go to the global exception
  // filter, which answers them in the Iceberg envelope.
  return raw({ limit: limitBytes, type: hasJsonOrNoMediaType });
}
