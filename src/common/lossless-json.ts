import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { ValidationError } from './errors';

/**
 * Lossless JSON for Iceberg metadata files and commit bodies.
 *
 * Snapshot ids and sequence numbers are 64-bit integers; `JSON.parse` rounds anything above 2^53
 * (7446468398231234001 becomes 7446468398231234000). Here integers outside the safe range become `bigint`,
 * everything else stays an ordinary JS number, and `stringifyJsonLossless` writes bigints back as bare JSON
 * integers, so such an id survives parse -> change -> serialize byte-exact.
 *
 * Speed matters (metadata documents reach tens of megabytes), and the `lossless-json` parser is roughly ten
 * times slower than the native one. So the common case runs on the native parser and serializer:
 *   parse: one scan of the text lists the integer tokens that are not safe integers (skipping strings);
 *     `JSON.parse` builds the tree; one walk puts the exact `bigint` back wherever the tree holds a
 *     rounded number, in document order, checking each against the token it replaces.
 *   stringify: `JSON.stringify` writes each bigint as a marker string that no other value can produce
 *     (checked by counting), and the markers are then unquoted.
 * Whenever the shortcut cannot prove itself right (a float literal beyond 2^53 such as `1e20`, an object
 * whose integer-like keys change enumeration order around several big integers, a string that looks like
 * a marker), the whole document goes through `lossless-json` instead, with the same number rules, so the
 * result never depends on which path ran.
 *
 * Limitation shared with most parsers: for a duplicated object key the last value wins.
 */

/** Prefix of the stand-in string for a bigint while the native serializer runs (U+0000 + '#'). */
const BIGINT_MARKER = '\u0000#';
/** How the marker appears in serialized JSON: the serializer escapes U+0000. */
const SERIALIZED_MARKER = '\\u0000#';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonLossless(input: string | Uint8Array): unknown {
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`Malformed JSON: ${(err as Error).message}`);
  }
  try {
    const tokens = findUnsafeIntegerTokens(text);
    if (tokens.length === 0) return value;
    if (restoreUnsafeIntegers(value, tokens)) return value;
    return losslessParse(text, null, parseNumberToken);
  } catch (err) {
    throw asValidationError(err);
  }
}

export function stringifyJsonLossless(value: unknown): string {
  let bigints = 0;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'bigint') return v;
      bigints++;
      return BIGINT_MARKER + v.toString();
    });
  } catch (err) {
    throw asValidationError(err);
  }
  if (text === undefined) throw new ValidationError('Value cannot be serialized as JSON');
  if (bigints === 0) return text;
  const unmarked = unmarkBigints(text, bigints);
  if (unmarked !== null) return unmarked;
  const fallback = losslessStringify(value);
  if (fallback === undefined) throw new ValidationError('Value cannot be serialized as JSON');
  return fallback;
}

/** Number rule of the fallback parser: integer literals outside the safe range as bigint, others as number. */
function parseNumberToken(token: string): number | bigint {
  const n = Number(token);
  if (Number.isSafeInteger(n) || !isIntegerLiteral(token)) return n;
  return BigInt(token);
}

function isIntegerLiteral(token: string): boolean {
  for (let i = token.charCodeAt(0) === 45 ? 1 : 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Integer tokens (no fraction, no exponent) whose value is not a safe integer, in document order. The
 * text has already been accepted by JSON.parse, so the only thing to get right is skipping strings.
 */
function findUnsafeIntegerTokens(text: string): string[] {
  const tokens: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = endOfString(text, i) + 1;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      let integral = true;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d >= 48 && d <= 57) j++;
        else if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) {
          integral = false;
          j++;
        } else break;
      }
      // 2^53 has 16 digits: shorter tokens are always safe.
      if (integral && j - i >= 16) {
        const token = text.slice(i, j);
        if (!Number.isSafeInteger(Number(token))) tokens.push(token);
      }
      i = j;
    } else {
      i++;
    }
  }
  return tokens;
}

/** Index of the quote closing the string that opens at `open`. */
function endOfString(text: string, open: number): number {
  let j = open + 1;
  for (;;) {
    j = text.indexOf('"', j);
    if (j < 0) throw new ValidationError('Malformed JSON: unterminated string');
    if (text.charCodeAt(j - 1) !== 92 /* \ */) return j;
    let k = j - 1;
    while (text.charCodeAt(k) === 92) k--;
    if ((j - 1 - k) % 2 === 0) return j; // an even run of backslashes escapes itself, not the quote
    j++;
  }
}

/**
 * Replaces, in document order, every number of the parsed tree that is an unsafe integer by the exact
 * bigint of the next token. Returns false when the correspondence cannot be trusted; the caller then
 * re-parses with the lossless parser.
 */
function restoreUnsafeIntegers(root: unknown, tokens: string[]): boolean {
  let next = 0;
  let trusted = true;

  const exact = (rounded: number): number | bigint => {
    const token = tokens[next++];
    if (token === undefined || Number(token) !== rounded) {
      trusted = false;
      return rounded;
    }
    return BigInt(token);
  };

  const visit = (node: object): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (typeof v === 'object') {
          if (v !== null) visit(v);
        } else if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v)) {
          node[i] = exact(v);
        }
      }
      return;
    }
    const record = node as Record<string, unknown>;
    const before = next;
    let integerLikeKeys = false;
    let first = true;
    for (const key in record) {
      if (first) {
        // Integer-like keys are enumerated first, not in document order.
        const c = key.charCodeAt(0);
        integerLikeKeys = c >= 48 && c <= 57;
        first = false;
      }
      const v = record[key];
      if (typeof v === 'object') {
        if (v !== null) visit(v);
      } else if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v)) {
        record[key] = exact(v);
      }
    }
    if (integerLikeKeys && next - before > 1) trusted = false;
  };

  if (typeof root !== 'object' || root === null) return false;
  visit(root);
  return trusted && next === tokens.length;
}

/** Turns `"\u0000#123"` back into `123`; null when the markers are not exactly the bigints written. */
function unmarkBigints(text: string, expected: number): string | null {
  const parts: string[] = [];
  let last = 0;
  let found = 0;
  let at = text.indexOf(SERIALIZED_MARKER);
  while (at >= 0) {
    found++;
    const close = text.indexOf('"', at + SERIALIZED_MARKER.length);
    if (text.charCodeAt(at - 1) !== 34 || close < 0) return null;
    parts.push(text.slice(last, at - 1), text.slice(at + SERIALIZED_MARKER.length, close));
    last = close + 1;
    at = text.indexOf(SERIALIZED_MARKER, last);
  }
  if (found !== expected) return null;
  parts.push(text.slice(last));
  return parts.join('');
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ValidationError('Malformed JSON: not valid UTF-8');
  }
}

function asValidationError(err: unknown): Error {
  if (err instanceof ValidationError) return err;
  if (err instanceof RangeError) return new ValidationError('JSON document is nested too deeply');
  if (err instanceof SyntaxError) return new ValidationError(`Malformed JSON: ${err.message}`);
  return err as Error;
}
