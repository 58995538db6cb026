import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openTypeormPersistence } from '../../src/persistence/typeorm/typeorm-persistence';
import { describePersistenceContract, FULL_CAPABILITIES } from './persistence-contract';

// A real database file (WAL, busy_timeout) in a fresh directory, removed when the suite ends.
const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'pangolin-sqlite-contract-'));
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

describePersistenceContract('sqlite', {
  open: () => openTypeormPersistence({ kind: 'sqlite', file: path.join(directory, 'pangolin.db') }, { runMigrations: true }),
  capabilities: FULL_CAPABILITIES,
});
