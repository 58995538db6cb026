/**
 * Two Jest projects. `unit`: suites that need no server (pure logic, in-process stores, SQLite files); they
 * run in seconds with `npm run test:unit`. `integration`: everything else (persistence contract suites on
 * PostgreSQL and MongoDB, e2e tests, S3 I/O); its global setup starts the real servers those tests need
 * (PostgreSQL, an S3-compatible server, a MongoDB-wire-compatible server) and global teardown stops them.
 * `npm test` runs both.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|strtok3|token-types|@tokenizer|uint8array-extras|iceberg-js)/)',
  ],
};

/** Specs under src/ that talk to a test server: they belong to the integration project. */
const SRC_SPECS_NEEDING_SERVERS = [
  '<rootDir>/src/persistence/typeorm/typeorm-adapter.spec.ts', // PostgreSQL
  '<rootDir>/src/persistence/mongo/mongo-adapter.spec.ts', // MongoDB
];

module.exports = {
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/test/storage/location.spec.ts',
        '<rootDir>/test/storage/metadata-bytes-cache.spec.ts',
        '<rootDir>/test/storage/s3-settings.spec.ts',
        '<rootDir>/test/persistence-contract/memory.contract.spec.ts',
        '<rootDir>/test/persistence-contract/sqlite.contract.spec.ts',
      ],
      testPathIgnorePatterns: SRC_SPECS_NEEDING_SERVERS,
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.spec.ts', ...SRC_SPECS_NEEDING_SERVERS],
      testPathIgnorePatterns: [
        '<rootDir>/test/storage/location.spec.ts',
        '<rootDir>/test/storage/metadata-bytes-cache.spec.ts',
        '<rootDir>/test/storage/s3-settings.spec.ts',
        '<rootDir>/test/persistence-contract/memory.contract.spec.ts',
        '<rootDir>/test/persistence-contract/sqlite.contract.spec.ts',
      ],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
