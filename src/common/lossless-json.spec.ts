import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { ValidationError } from './errors';
import { encodeJsonLossless, parseJsonLossless, stringifyJsonLossless } from './lossless-json';

/** Whitespace outside strings removed: the form stringifyJsonLossless writes. */
function minify(json: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      out += c;
      if (c === '\\') out += json[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

/** The reference behaviour: the lossless-json parser with the same number rule. */
function referenceParse(text: string): unknown {
  return losslessParse(text, null, (token) => {
    const n = Number(token);
    return Number.isSafeInteger(n) || !/^-?\d+$/.test(token) ? n : BigInt(token);
  });
}

describe('parseJsonLossless / stringifyJsonLossless', () => {
  it.each([
    ['max int64', '9223372036854775807'],
    ['min int64', '-9223372036854775808'],
    ['a snapshot id', '7446468398231234001'],
    ['2^53', '9007199254740992'],
    ['2^53 + 1', '9007199254740993'],
  ])('keeps %s exact as a bigint and writes it back unquoted', (_label, digits) => {
    const text = `{"snapshot-id":${digits},"ids":[${digits},1]}`;
    const parsed = parseJsonLossless(text) as { 'snapshot-id': unknown; ids: unknown[] };
    expect(parsed['snapshot-id']).toBe(BigInt(digits));
    expect(parsed.ids).toEqual([BigInt(digits), 1]);
    expect(stringifyJsonLossless(parsed)).toBe(text);
  });

  it('keeps safe integers and floats as ordinary numbers', () => {
    const parsed = parseJsonLossless('{"a":9007199254740991,"b":-3,"c":1.5,"d":1e300,"e":0.1}');
    expect(parsed).toEqual({ a: 9007199254740991, b: -3, c: 1.5, d: 1e300, e: 0.1 });
  });

  it('accepts bytes as input', () => {
    const bytes = Buffer.from('{"name":"żółw","id":7446468398231234001}', 'utf8');
    expect(parseJsonLossless(new Uint8Array(bytes))).toEqual({ name: 'żółw', id: 7446468398231234001n });
  });

  it('leaves digits inside strings alone, including after escaped quotes and backslashes', () => {
    const text = String.raw`{"a":"12345678901234567890","b":"x\"12345678901234567890\\","c":12345678901234567890,"d":"\\"}`;
    const parsed = parseJsonLossless(text) as Record<string, unknown>;
    expect(parsed.a).toBe('12345678901234567890');
    expect(parsed.b).toBe('x"12345678901234567890\\');
    expect(parsed.c).toBe(12345678901234567890n);
    expect(stringifyJsonLossless(parsed)).toBe(text);
  });

  it('is right when the native shortcut cannot prove itself (float literal beyond 2^53, integer keys)', () => {
    const floats = parseJsonLossless('[1e20, 12345678901234567890, 2.5e16]') as unknown[];
    expect(floats).toEqual([1e20, 12345678901234567890n, 2.5e16]);

    // Integer-like keys are enumerated in ascending order, not document order; both values round to the
    // same double, so only the fallback can tell them apart.
    const reordered = parseJsonLossless('{"2":9007199254740993,"1":9007199254740995,"x":1}') as Record<
      string,
      unknown
    >;
    expect(reordered['2']).toBe(9007199254740993n);
    expect(reordered['1']).toBe(9007199254740995n);
  });

  it('serializes correctly even when a string looks like the internal bigint marker', () => {
    const value = { s: '\u0000#5', t: '\\u0000#6', id: 7446468398231234001n };
    const text = stringifyJsonLossless(value);
    expect(text).toBe(String.raw`{"s":"\u0000#5","t":"\\u0000#6","id":7446468398231234001}`);
    expect(parseJsonLossless(text)).toEqual(value);
  });

  it.each([
    ['truncated', '{"a":'],
    ['trailing garbage', '{"a":1} x'],
    ['single quotes', "{'a':1}"],
    ['empty', ''],
  ])('rejects malformed JSON (%s) with ValidationError', (_label, text) => {
    expect(() => parseJsonLossless(text)).toThrow(ValidationError);
  });

  it('rejects invalid UTF-8 with ValidationError', () => {
    expect(() => parseJsonLossless(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toThrow(
      ValidationError,
    );
  });

  it('rejects absurdly deep nesting with ValidationError instead of crashing', () => {
    const depth = 200_000;
    const text = '['.repeat(depth) + '12345678901234567890' + ']'.repeat(depth);
    expect(() => stringifyJsonLossless(parseJsonLossless(text))).toThrow(ValidationError);
  });

  it('matches the lossless-json parser and serializer on generated documents', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const randomValue = (depth: number): string => {
      const r = random();
      if (depth > 3 || r < 0.3) {
        const kind = Math.floor(random() * 6);
        if (kind === 0) return String(BigInt(Math.floor(random() * 2 ** 31)) * 4294967296n + 12345n);
        if (kind === 1) return String(-Math.floor(random() * 1e6));
        if (kind === 2) return (random() * 100).toFixed(3);
        if (kind === 3) return JSON.stringify(`s${Math.floor(random() * 1e18)}"\\x`);
        if (kind === 4) return random() < 0.5 ? 'true' : 'null';
        return '9223372036854775807';
      }
      if (r < 0.6) {
        const n = Math.floor(random() * 5);
        return `[${Array.from({ length: n }, () => randomValue(depth + 1)).join(',')}]`;
      }
      const n = Math.floor(random() * 5);
      return `{${Array.from({ length: n }, (_v, i) => `"k${i}":${randomValue(depth + 1)}`).join(',')}}`;
    };
    for (let i = 0; i < 300; i++) {
      const text = randomValue(0);
      const ours = parseJsonLossless(text);
      expect(ours).toEqual(referenceParse(text));
      expect(stringifyJsonLossless(ours)).toBe(losslessStringify(referenceParse(text)));
    }
  });

  it('round-trips the Iceberg fixtures byte-exact (whitespace aside)', () => {
    // Real snapshot ids from the Iceberg project's fixtures, above 2^53.
    const dir = path.join(__dirname, '../../test/fixtures/iceberg-table-metadata');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      expect(stringifyJsonLossless(parseJsonLossless(text))).toBe(minify(text));
    }
    const v2 = parseJsonLossless(fs.readFileSync(path.join(dir, 'TableMetadataV2Valid.json'))) as Record<
      string,
      unknown
    >;
    expect(v2['current-snapshot-id']).toBe(3055729675574597004n);
  });

  it('round-trips a large document with thousands of 64-bit ids byte-exact', () => {
    const snapshots: string[] = [];
    let parent: string | null = null;
    for (let i = 0; i < 5000; i++) {
      const id = (7446468398231234001n + BigInt(i) * 7919n).toString();
      snapshots.push(
        `{"snapshot-id":${id},${parent ? `"parent-snapshot-id":${parent},` : ''}"sequence-number":${i + 1},` +
          `"timestamp-ms":${1700000000000 + i},"manifest-list":"s3://b/snap-${id}.avro","summary":{"operation":"append"}}`,
      );
      parent = id;
    }
    const text = `{"current-snapshot-id":${parent},"snapshots":[${snapshots.join(',')}]}`;
    const parsed = parseJsonLossless(text) as { snapshots: Array<Record<string, unknown>> };
    expect(parsed.snapshots[4999]['snapshot-id']).toBe(BigInt(parent!));
    expect(stringifyJsonLossless(parsed)).toBe(text);
  });
});

describe('encodeJsonLossless', () => {
  const documents: [string, unknown][] = [
    ['no bigint', { a: 1, b: ['x', 2.5, null, true] }],
    ['bigints at the start, middle and end', { id: 7446468398231234001n, ids: [-9223372036854775808n, 1, 9007199254740993n] }],
    ['multi-byte text around bigints', { name: 'Zürich 東京 🦔', id: 7446468398231234001n, note: 'naïve "quoted" \\ text' }],
    ['a string that looks like the marker (fallback path)', { s: '\u0000#5', id: 7446468398231234001n }],
    ['a bigint-only array', [9223372036854775807n]],
  ];

  it.each(documents)('writes exactly the UTF-8 bytes of stringifyJsonLossless (%s)', (_label, value) => {
    const expected = Buffer.from(stringifyJsonLossless(value), 'utf8');
    expect(encodeJsonLossless(value).equals(expected)).toBe(true);
  });

  it('asks the allocator once for the exact length and writes into that memory', () => {
    const value = { name: 'Zürich', snapshots: [{ 'snapshot-id': 7446468398231234001n }, { 'snapshot-id': 7446468398231234002n }] };
    const requested: number[] = [];
    let given: Buffer | undefined;
    const bytes = encodeJsonLossless(value, (byteLength) => {
      requested.push(byteLength);
      given = Buffer.from(new SharedArrayBuffer(byteLength));
      return given;
    });
    expect(bytes).toBe(given);
    expect(requested).toEqual([Buffer.byteLength(stringifyJsonLossless(value))]);
    expect(bytes.toString('utf8')).toBe(stringifyJsonLossless(value));
  });

  it('round-trips a large document with thousands of 64-bit ids byte-exact', () => {
    const snapshots = Array.from({ length: 3000 }, (_, i) => ({
      'snapshot-id': 7446468398231234001n + BigInt(i),
      'parent-snapshot-id': i === 0 ? undefined : 7446468398231234000n + BigInt(i),
      summary: { operation: 'append', 'note': 'é'.repeat(i % 7) },
    }));
    const bytes = encodeJsonLossless({ snapshots });
    expect(bytes.equals(Buffer.from(stringifyJsonLossless({ snapshots })))).toBe(true);
    expect(parseJsonLossless(bytes)).toEqual(parseJsonLossless(stringifyJsonLossless({ snapshots })));
  });
});
