import { openMemoryPersistence } from '../../src/persistence/memory/memory-persistence';
import { describePersistenceContract, FULL_CAPABILITIES } from './persistence-contract';

describePersistenceContract('memory', { open: openMemoryPersistence, capabilities: FULL_CAPABILITIES });
