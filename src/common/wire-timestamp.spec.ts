import { timestampOffset, timestampZ } from './wire-timestamp';

// Contract §0.2: typed timestamps end in `Z`, pre-formatted ones in `+00:00`; both carry the shortest
// fraction (a Date has milliseconds, so none or 3 digits). Token expiries are whole seconds (JWT `exp`).
describe('wire timestamps', () => {
  const withMillis = new Date(Date.UTC(2025, 2, 1, 10, 20, 30, 123));
  const wholeSecond = new Date(Date.UTC(2025, 2, 1, 10, 20, 30));
  const tenMillis = new Date(Date.UTC(2025, 2, 1, 10, 20, 30, 10));

  it('typed timestamps: `Z`, the fraction only when there is one', () => {
    expect(timestampZ(withMillis)).toBe('2025-03-01T10:20:30.123Z');
    expect(timestampZ(wholeSecond)).toBe('2025-03-01T10:20:30Z');
    expect(timestampZ(tenMillis)).toBe('2025-03-01T10:20:30.010Z');
  });

  it('pre-formatted timestamps: the same instant and fraction with `+00:00`', () => {
    expect(timestampOffset(withMillis)).toBe('2025-03-01T10:20:30.123+00:00');
    expect(timestampOffset(wholeSecond)).toBe('2025-03-01T10:20:30+00:00');
    expect(timestampOffset(tenMillis)).toBe('2025-03-01T10:20:30.010+00:00');
  });
});
