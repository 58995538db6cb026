import { ValidationError } from '../errors';
import { parsePagination } from './pagination';

describe('parsePagination', () => {
  it('absent values mean every row', () => {
    expect(parsePagination({})).toEqual({});
    expect(parsePagination(undefined)).toEqual({});
  });

  it('reads non-negative integers, 0 included', () => {
    expect(parsePagination({ limit: '0', offset: '0' })).toEqual({ limit: 0, offset: 0 });
    expect(parsePagination({ limit: '25', offset: '100', other: 'x' })).toEqual({ limit: 25, offset: 100 });
  });

  it.each([['-1'], ['abc'], ['1.5'], [''], [' 3'], ['1e3'], ['99999999999999999999'], [['1', '2']]])(
    'refuses %p with a ValidationError naming the parameter',
    (raw) => {
      expect(() => parsePagination({ limit: raw })).toThrow(ValidationError);
      expect(() => parsePagination({ limit: raw })).toThrow(/limit/);
      expect(() => parsePagination({ offset: raw })).toThrow(/offset/);
    },
  );
});
