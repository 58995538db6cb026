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
  const { text, bigints } = stringifyMarked(value);
  if (bigints === 0) return text;
  return unmarkBigints(text, bigints) ?? stringifyWithFallback(value);
}

/**
 * The UTF-8 bytes of `stringifyJsonLossless(value)`, written straight into memory from `allocate` (called once
 * with the exact length). For a large document this skips the unmarked copy of the text and a second copy of
 * the bytes: the native serializer's text is encoded piece by piece around the markers.
 */
export function encodeJsonLossless(value: unknown, allocate: (byteLength: number) => Buffer = allocateOwnBuffer): Buffer {
  const { text, bigints } = stringifyMarked(value);
  if (bigints === 0) return encodeInto(text, allocate);
  const markers = findMarkers(text, bigints);
  if (markers === null) return encodeInto(stringifyWithFallback(value), allocate);
  // Each marker drops its quotes and the 7 ASCII characters of the marker prefix: 9 bytes.
  const bytes = allocate(Buffer.byteLength(text, 'utf8') - 9 * markers.length);
  let offset = 0;
  let last = 0;
  for (const { at, close } of markers) {
    offset += bytes.write(text.slice(last, at - 1), offset, 'utf8');
    offset += bytes.write(text.slice(at + SERIALIZED_MARKER.length, close), offset, 'latin1');
    last = close + 1;
  }
  offset += bytes.write(text.slice(last), offset, 'utf8');
  if (offset !== bytes.byteLength) throw new Error(`encodeJsonLossless wrote ${offset} of ${bytes.byteLength} bytes`);
  return bytes;
}

/** A buffer of its own (never a slice of Node's shared pool, so it may be transferred to another thread). */
function allocateOwnBuffer(byteLength: number): Buffer {
  return Buffer.allocUnsafeSlow(byteLength);
}

function encodeInto(text: string, allocate: (byteLength: number) => Buffer): Buffer {
  const bytes = allocate(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 0, 'utf8');
  return bytes;
}

/** `JSON.stringify`, with every bigint written as a marker string; counts the bigints. */
function stringifyMarked(value: unknown): { text: string; bigints: number } {
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
  return { text, bigints };
}

function stringifyWithFallback(value: unknown): string {
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

/**
 * Where the markers are: `at` is the index of the marker prefix (just after the opening quote), `close` the
 * index of the closing quote. Null when they are not exactly the `expected` bigints written (a string value
 * of the document that looks like a marker): the caller then serializes another way.
 */
function findMarkers(text: string, expected: number): { at: number; close: number }[] | null {
  const markers: { at: number; close: number }[] = [];
  let at = text.indexOf(SERIALIZED_MARKER);
  while (at >= 0) {
    const close = text.indexOf('"', at + SERIALIZED_MARKER.length);
    if (text.charCodeAt(at - 1) !== 34 || close < 0 || markers.length === expected) return null;
    markers.push({ at, close });
    at = text.indexOf(SERIALIZED_MARKER, close + 1);
  }
  return markers.length === expected ? markers : null;
}

/** Turns `"\u0000#123"` back into `123`; null when the markers are not exactly the bigints written. */
function unmarkBigints(text: string, expected: number): string | null {
  const markers = findMarkers(text, expected);
  if (markers === null) return null;
  let unmarked = '';
  let last = 0;
  for (const { at, close } of markers) {
    unmarked += text.slice(last, at - 1) + text.slice(at + SERIALIZED_MARKER.length, close);
    last = close + 1;
  }
  return unmarked + text.slice(last);
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
