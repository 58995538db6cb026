import type { PersistencePorts } from '../../src/persistence/persistence-ports';
import { createContractContext, type ContractBackend } from './contract-support';
import { describeTenantsContract } from './suites/tenants.contract';
import { describeWarehousesContract } from './suites/warehouses.contract';
import { describeCatalogsContract } from './suites/catalogs.contract';
import { describeNamespacesContract } from './suites/namespaces.contract';
import { describeAssetsContract } from './suites/assets.contract';
import { describeBranchesContract } from './suites/branches.contract';
import { describeCommitsContract } from './suites/commits.contract';
import { describeUnitOfWorkContract } from './suites/unit-of-work.contract';
import { describeTagsContract } from './suites/tags.contract';
import { describeMergeOperationsContract } from './suites/merge-operations.contract';
import { describeIdentityContract } from './suites/identity.contract';

export {
  FULL_CAPABILITIES,
  SUPPORTED,
  lacking,
  type BackendCapabilities,
  type Capability,
  type CapabilityName,
  type ContractBackend,
} from './contract-support';

/**
 * The persistence contract: ONE suite every adapter must pass, bound to each backend in a few lines:
 *
 *   describePersistenceContract('memory', { open: openMemoryPersistence, capabilities: FULL_CAPABILITIES });
 *
 * The backend is opened once (beforeAll) and closed in afterAll. The store is never reset: every test works
 * in fresh random tenants and names, so the suite also runs against a shared, non-empty database.
 */
export function describePersistenceContract(backendName: string, backend: ContractBackend): void {
  describe(`persistence contract: ${backendName}`, () => {
    let ports: PersistencePorts | undefined;
    const ctx = createContractContext(backendName, backend.capabilities, () => {
      if (!ports) throw new Error(`${backendName} backend is not open`);
      return ports;
    });

    beforeAll(async () => {
      ports = await backend.open();
    });
    afterAll(async () => {
      await ports?.health.close();
    });

    describe('health', () => {
      it('ping resolves while the backend is up', async () => {
        await expect(ctx.ports.health.ping()).resolves.toBeUndefined();
      });
    });

    describeTenantsContract(ctx);
    describeWarehousesContract(ctx);
    describeCatalogsContract(ctx);
    describeNamespacesContract(ctx);
    describeAssetsContract(ctx);
    describeBranchesContract(ctx);
    describeCommitsContract(ctx);
    describeUnitOfWorkContract(ctx);
    describeTagsContract(ctx);
    describeMergeOperationsContract(ctx);
    describeIdentityContract(ctx);
  });
}
