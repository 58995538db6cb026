import { ValidationError } from '../../common/errors';

/**
 * Reads a few top-level fields of a JSON object body (create table's `name`, `location`, `stage-create`;
 * a commit's `requirements`) without parsing the rest of it: create and commit bodies can be large, and
 * their full parse happens once, in the metadata worker pool. Values of other fields are skipped by
 * scanning bytes; requested scalars are decoded, requested objects and arrays returned as JSON text.
 *
 * Not a validator: the worker's full parse rejects malformed JSON. This scanner only refuses what it
 * cannot scan (not an object, unterminated strings or containers) with a ValidationError.
 */
export type TopLevelScalar = string | boolean | null | number;

/** A top-level field: a decoded scalar, or the undecoded JSON text of an object or array. */
export type TopLevelField = { kind: 'scalar'; value: TopLevelScalar } | { kind: 'container'; json: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export function readTopLevelFields(body: Buffer, wanted: readonly string[]): Map<string, TopLevelField> {
  const found = new Map<string, TopLevelField>();
  let i = skipWhitespace(body, skipBom(body));
  if (body[i] !== OPEN_BRACE) throw new ValidationError('Request body must be a JSON object');
  i = skipWhitespace(body, i + 1);
  if (body[i] === CLOSE_BRACE) return found;
  for (;;) {
    if (body[i] !== QUOTE) throw malformed();
    const keyEnd = endOfString(body, i);
    const key = decodeString(body, i, keyEnd);
    i = skipWhitespace(body, keyEnd);
    if (body[i] !== COLON) throw malformed();
    i = skipWhitespace(body, i + 1);
    const valueEnd = endOfValue(body, i);
    if (wanted.includes(key) && !found.has(key)) found.set(key, decodeField(body, i, valueEnd));
    i = skipWhitespace(body, valueEnd);
    if (body[i] === COMMA) {
      i = skipWhitespace(body, i + 1);
      continue;
    }
    if (body[i] === CLOSE_BRACE) return found;
    throw malformed();
  }
}

function malformed(): ValidationError {
  return new ValidationError('Malformed JSON request body');
}

function skipBom(body: Buffer): number {
  return body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
}

function skipWhitespace(body: Buffer, i: number): number {
  while (i < body.length) {
    const c = body[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index just past the closing quote of the string starting at `start`. */
function endOfString(body: Buffer, start: number): number {
  let i = start + 1;
  for (;;) {
    const next = body.indexOf(QUOTE, i);
    if (next < 0) throw malformed();
    // The quote is escaped when preceded by an odd number of backslashes.
    let backslashes = 0;
    for (let j = next - 1; j > start && body[j] === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return next + 1;
    i = next + 1;
  }
}

/** Index just past the value starting at `start` (a string, container, or bare literal / number). */
function endOfValue(body: Buffer, start: number): number {
  const c = body[start];
  if (c === QUOTE) return endOfString(body, start);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    let i = start;
    while (i < body.length) {
      const b = body[i];
      if (b === QUOTE) {
        i = endOfString(body, i);
        continue;
      }
      if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw malformed();
  }
  let i = start;
  while (i < body.length) {
    const b = body[i];
    if (b === COMMA || b === CLOSE_BRACE || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) break;
    i++;
  }
  if (i === start) throw malformed();
  return i;
}

function decodeString(body: Buffer, start: number, end: number): string {
  try {
    return JSON.parse(body.toString('utf8', start, end)) as string;
  } catch {
    throw malformed();
  }
}

function decodeField(body: Buffer, start: number, end: number): TopLevelField {
  const c = body[start];
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return { kind: 'container', json: body.toString('utf8', start, end) };
  if (c === QUOTE) return { kind: 'scalar', value: decodeString(body, start, end) };
  const text = body.toString('utf8', start, end);
  if (text === 'true') return { kind: 'scalar', value: true };
  if (text === 'false') return { kind: 'scalar', value: false };
  if (text === 'null') return { kind: 'scalar', value: null };
  const n = Number(text);
  if (!Number.isFinite(n)) throw malformed();
  return { kind: 'scalar', value: n };
}
