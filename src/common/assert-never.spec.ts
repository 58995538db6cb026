import { assertNever } from './assert-never';

describe('assertNever', () => {
  it('throws, naming what was unhandled and the value', () => {
    expect(() => assertNever('carrier-pigeon' as never, 'database kind')).toThrow(
      new Error('Unhandled database kind: "carrier-pigeon"'),
    );
    expect(() => assertNever({ kind: 'odd' } as never)).toThrow(new Error('Unhandled case: {"kind":"odd"}'));
  });

  it('describes a value JSON cannot encode with String()', () => {
    expect(() => assertNever(10n as never)).toThrow(new Error('Unhandled case: 10'));
  });
});
