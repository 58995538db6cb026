import type { IncomingMessage } from 'node:http';

/**
 * Whether a request body is read as JSON bytes: a JSON media type (`application/json`, `...+json`), `text/plain`,
 * or none at all (clients that omit the header are accepted). Other media types (the OAuth token routes' form
 * bodies) are left to their own parsers.
 */
export function hasJsonOrNoMediaType(req: IncomingMessage): boolean {
  const contentType = req.headers['content-type'];
  if (contentType === undefined || contentType.trim() === '') return true;
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType === 'text/plain';
}
