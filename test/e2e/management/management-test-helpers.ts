import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { Asset, NamespacePath } from '../../../src/persistence/models';
import type { PersistencePorts } from '../../../src/persistence/persistence-ports';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A management error: exactly `{"error": "<non-empty message>"}`. */
export function expectManagementError(res: Response, status: number, messagePattern?: RegExp): void {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body ?? res.text)}`);
  }
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(typeof res.body.error).toBe('string');
  expect(res.body.error.length).toBeGreaterThan(0);
  if (messagePattern) expect(res.body.error).toMatch(messagePattern);
}

/** A unique name per test, so tests of one suite never collide on a shared store. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

/** Writes a table-like asset on a branch through the one write path (a real commit). */
export async function putAsset(
  ports: PersistencePorts,
  tenantId: string,
  catalog: string,
  branch: string,
  namespace: NamespacePath,
  name: string,
  options: { createBranchIfMissing?: boolean } = {},
): Promise<Asset> {
  await ports.unitOfWork.commitChanges(
    tenantId,
    catalog,
    branch,
    {
      puts: [
        {
          namespace,
          name,
          kind: 'ICEBERG_TABLE',
          location: `file:///tmp/warehouse/${catalog}/${namespace.join('/')}/${name}`,
          properties: {},
        },
      ],
      deletes: [],
      expectations: [{ namespace, name, state: 'absent' }],
    },
    { author: 'test', message: `create ${name}` },
    options,
  );
  const asset = await ports.assets.getAsset(tenantId, catalog, branch, namespace, name);
  if (!asset) throw new Error(`asset ${name} was not written`);
  return asset;
}
