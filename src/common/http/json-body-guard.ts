import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** Deeper than any legitimate management request; class-transformer recurses per level and would overflow. */
export const MAX_JSON_BODY_DEPTH = 64;

/** Set on a request whose JSON body bytes are not valid UTF-8 (see markInvalidUtf8). */
const INVALID_UTF8 = Symbol('invalidUtf8');

/**
 * The JSON body parser's `verify` hook: notes a body that is not valid UTF-8. The parser itself decodes
 * such bytes to U+FFFD silently, so `{"name":"b\xc3("}` would be stored as another name; the guard below
 * refuses it instead, as the Iceberg routes' strict decoder does. (Throwing here would make the parser
 * answer 403.)
 */
export function markInvalidUtf8(req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) (req as IncomingMessage & { [INVALID_UTF8]?: boolean })[INVALID_UTF8] = true;
}

/**
 * Runs after the JSON body parser on parsed (management) bodies and refuses, with 400, what cannot be
 * handled or stored faithfully:
 * - bytes that are not valid UTF-8 (noted by markInvalidUtf8 while the body was read);
 * - nesting deeper than MAX_JSON_BODY_DEPTH (the DTO mapper recurses per level: a 5,000-level body would
 *   overflow the stack and end as a 500);
 * - strings or keys holding lone UTF-16 surrogates (`"\ud800"` is valid JSON but not Unicode: PostgreSQL
 *   rejects it in jsonb and silently replaces it in text columns, so it would fail or be corrupted).
 * The walk is iterative. Raw Iceberg bodies (Buffers) are not touched: they are parsed losslessly elsewhere.
 */
export function jsonBodyGuard(maxDepth = MAX_JSON_BODY_DEPTH) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const problem = (req as Request & { [INVALID_UTF8]?: boolean })[INVALID_UTF8]
      ? INVALID_UTF8_MESSAGE
      : findJsonBodyProblem(req.body, maxDepth);
    if (problem) {
      res.status(400).json({ error: problem });
      return;
    }
    next();
  };
}

export function findJsonBodyProblem(body: unknown, maxDepth: number): string | null {
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) {
    return typeof body === 'string' && !body.isWellFormed() ? INVALID_UNICODE : null;
  }
  const stack: Array<[unknown, number]> = [[body, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return INVALID_UNICODE;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return `Failed to parse the request body as JSON: nested deeper than ${maxDepth} levels`;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (!key.isWellFormed()) return INVALID_UNICODE;
        stack.push([item, depth + 1]);
      }
    }
  }
  return null;
}

const INVALID_UTF8_MESSAGE = 'Failed to parse the request body as JSON: it is not valid UTF-8';
const INVALID_UNICODE = 'Failed to parse the request body as JSON: it contains a lone UTF-16 surrogate (not valid Unicode)';
