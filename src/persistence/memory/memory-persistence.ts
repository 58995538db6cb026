import type { PersistencePorts } from '../persistence-ports';
import { PersistenceHealthPort } from '../ports';
import { MemoryAssets } from './memory-assets';
import { MemoryBranches } from './memory-branches';
import { MemoryIdentityState } from './identity/memory-identity-state';
import { MemoryRolesAndGrants } from './identity/memory-roles-and-grants';
import { MemoryServiceUsers } from './identity/memory-service-users';
import { MemoryTenantIdentities } from './identity/memory-tenant-identities';
import { MemoryTokens } from './identity/memory-tokens';
import { MemoryUsers } from './identity/memory-users';
import { MemoryCatalogs } from './memory-catalogs';
import { MemoryCommits } from './memory-commits';
import { MemoryMergeOperations } from './memory-merge-operations';
import { MemoryNamespaces } from './memory-namespaces';
import { MemoryState } from './memory-state';
import { MemoryTags } from './memory-tags';
import { MemoryTenants } from './memory-tenants';
import { MemoryUnitOfWork } from './memory-unit-of-work';
import { MemoryWarehouses } from './memory-warehouses';

class MemoryHealth extends PersistenceHealthPort {
  async ping(): Promise<void> {
    // Process memory is always reachable.
  }

  async close(): Promise<void> {
    // Nothing to release; the data lives as long as the process (or until the ports are dropped).
  }
}

/**
 * The in-memory backend: plain Maps, deep copies in and out, every write serialised on one promise-chain
 * lock so units of work (validate, then apply) are atomic. For tests and local experiments; nothing survives
 * a restart.
 */
export async function openMemoryPersistence(): Promise<PersistencePorts> {
  const state = new MemoryState();
  const identity = new MemoryIdentityState();
  return {
    tenants: new MemoryTenants(state),
    warehouses: new MemoryWarehouses(state),
    catalogs: new MemoryCatalogs(state),
    namespaces: new MemoryNamespaces(state),
    assets: new MemoryAssets(state),
    branches: new MemoryBranches(state),
    commits: new MemoryCommits(state),
    tags: new MemoryTags(state),
    mergeOperations: new MemoryMergeOperations(state),
    unitOfWork: new MemoryUnitOfWork(state),
    health: new MemoryHealth(),
    users: new MemoryUsers(identity),
    tokens: new MemoryTokens(identity),
    rolesAndGrants: new MemoryRolesAndGrants(identity),
    serviceUsers: new MemoryServiceUsers(identity),
    tenantIdentities: new MemoryTenantIdentities(identity),
  };
}
