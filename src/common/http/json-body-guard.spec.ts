import { findJsonBodyProblem } from './json-body-guard';

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('findJsonBodyProblem', () => {
  it('accepts ordinary bodies and raw buffers', () => {
    expect(findJsonBodyProblem({ name: 'sales', properties: { a: 'b' }, list: [1, [2, [3]]] }, 64)).toBeNull();
    expect(findJsonBodyProblem(Buffer.from('{"a":"\\ud800"}'), 64)).toBeNull();
    expect(findJsonBodyProblem(undefined, 64)).toBeNull();
    expect(findJsonBodyProblem(nested(63), 64)).toBeNull();
  });

  it('refuses nesting beyond the limit without recursing', () => {
    expect(findJsonBodyProblem(nested(65), 64)).toMatch(/deeper than 64/);
    expect(findJsonBodyProblem(nested(200_000), 64)).toMatch(/deeper than 64/);
  });

  it('refuses lone surrogates in values and keys, accepts proper pairs', () => {
    expect(findJsonBodyProblem({ name: '\ud800' }, 64)).toMatch(/surrogate/);
    expect(findJsonBodyProblem({ ['\udfff']: 'x' }, 64)).toMatch(/surrogate/);
    expect(findJsonBodyProblem(['ok', ['\ud83d']], 64)).toMatch(/surrogate/);
    expect(findJsonBodyProblem({ name: 'table-\ud83d\ude00' }, 64)).toBeNull();
  });
});
