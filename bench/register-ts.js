/**
 * Minimal require hook for running the TypeScript benchmarks directly with node: compiles each .ts file with
 * @swc/core (already a dev dependency of the test setup) using the same options as jest.config.js.
 * Usage: node -r ./bench/register-ts.js bench/<name>.ts
 */
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
