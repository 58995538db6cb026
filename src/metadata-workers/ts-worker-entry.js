'use strict';
/*
 * Worker entry used when the application runs from its TypeScript sources (tests under Jest/swc, ts-node
 * style runs). A worker thread starts with plain Node, which cannot load .ts files, so this file teaches
 * `require` to compile them with @swc/core (a dev dependency) and then loads the real worker module.
 * The compiled build never uses this file: there the pool points at dist/.../metadata.worker.js.
 */
const fs = require('node:fs');

if (!require.extensions['.ts']) {
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
}

module.exports = require('./metadata.worker.ts');
