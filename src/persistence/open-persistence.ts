import { assertNever } from '../common/assert-never';
import type { DatabaseConfig } from '../config/config';
import type { PersistencePorts } from './persistence-ports';

export interface OpenPersistenceOptions {
  /** Apply pending SQL migrations / create MongoDB indexes before returning. */
  runMigrations: boolean;
}

/**
 * Opens the backend named by the configuration. ONE exhaustive switch: adding a DatabaseConfig kind without
 * a case here is a compile error. Adapters are loaded lazily so a SQLite deployment never loads mongoose
 * (and vice versa).
 */
export async function openPersistence(db: DatabaseConfig, options: OpenPersistenceOptions): Promise<PersistencePorts> {
  switch (db.kind) {
    case 'memory':
      return (await import('./memory/memory-persistence')).openMemoryPersistence();
    case 'sqlite':
    case 'postgres':
      return (await import('./typeorm/typeorm-persistence')).openTypeormPersistence(db, options);
    case 'mongodb':
      return (await import('./mongo/mongo-persistence')).openMongoPersistence(db, options);
    default:
      return assertNever(db, 'database kind');
  }
}
