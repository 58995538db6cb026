import { formatTimestamp } from './wire-time';

describe('formatTimestamp', () => {
  const withMillis = new Date('2025-03-01T10:20:30.123Z');
  const wholeSecond = new Date('2025-03-01T10:20:30.000Z');

  it('writes Z and milliseconds only when there are some', () => {
    expect(formatTimestamp(withMillis)).toBe('2025-03-01T10:20:30.123Z');
    expect(formatTimestamp(wholeSecond)).toBe('2025-03-01T10:20:30Z');
  });

  it('writes the +00:00 form of the pre-formatted fields', () => {
    expect(formatTimestamp(withMillis, { suffix: '+00:00' })).toBe('2025-03-01T10:20:30.123+00:00');
    expect(formatTimestamp(wholeSecond, { suffix: '+00:00' })).toBe('2025-03-01T10:20:30+00:00');
  });

  it('drops the fraction for whole-second fields', () => {
    expect(formatTimestamp(withMillis, { suffix: '+00:00', wholeSeconds: true })).toBe('2025-03-01T10:20:30+00:00');
  });
});
