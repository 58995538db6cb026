/**
 * Require hook that lets node run the service's TypeScript sources directly (node -r <this file> src/main.ts):
 * each .ts file is compiled on load by @swc/core with the same options as jest.config.js. Tests start the real
 * service this way as a child process, so they need no build step and always run the current sources. A
 * `-r` preload also runs in worker threads, so the metadata worker pool loads its TypeScript entry the same way.
 */
'use strict';
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const SWC_OPTIONS = {
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...SWC_OPTIONS, filename });
  module._compile(code, filename);
};
