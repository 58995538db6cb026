import { randomUUID } from 'node:crypto';
import type { NamespacePath } from '../../src/persistence/models';
import type { PersistencePorts } from '../../src/persistence/persistence-ports';
import type { AssetPut } from '../../src/persistence/ports';
import { createLocalCatalog } from '../../test/persistence-contract/contract-support';

/** Namespaces the seeded tables are spread over (nested ones included). */
export const BENCH_NAMESPACES: NamespacePath[] = [['sales'], ['sales', 'eu'], ['marketing'], ['finance', 'ledger']];

/** Rows per seeding commit: large enough to seed 100k tables quickly, small enough for one statement. */
const SEED_CHUNK = 10_000;

/**
 * Creates a catalog in the tenant and fills its main branch with `n` Iceberg table rows, through the real
 * write path (commitChanges) in chunks.
 */
export async function seedCatalogWithTables(
  ports: PersistencePorts,
  tenantId: string,
  catalogName: string,
  n: number,
): Promise<void> {
  await createLocalCatalog(ports, tenantId, catalogName);
  for (let start = 0; start < n; start += SEED_CHUNK) {
    const puts: AssetPut[] = [];
    for (let i = start; i < Math.min(n, start + SEED_CHUNK); i++) {
      const namespace = BENCH_NAMESPACES[i % BENCH_NAMESPACES.length];
      const name = `table_${String(i).padStart(6, '0')}`;
      puts.push({
        namespace,
        name,
        kind: 'ICEBERG_TABLE',
        location: `s3://warehouse/${namespace.join('/')}/${name}`,
        properties: {
          metadata_location: `s3://warehouse/${namespace.join('/')}/${name}/metadata/00001-${randomUUID()}.metadata.json`,
          owner: 'bench',
        },
      });
    }
    await ports.unitOfWork.commitChanges(tenantId, catalogName, 'main', { puts, deletes: [], expectations: [] }, {
      author: 'bench',
      message: 'seed',
    });
  }
}
