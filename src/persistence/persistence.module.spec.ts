import { Test } from '@nestjs/testing';
import { openMemoryPersistence } from './memory/memory-persistence';
import { PersistenceModule } from './persistence.module';
import type { PersistencePorts } from './persistence-ports';
import { RolesAndGrantsPort, ServiceUsersPort, TenantIdentitiesPort, TokensPort, UsersPort } from './ports';

/** The public methods of a port instance (its prototype chain up to Object). */
function methodsOf(instance: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof (instance as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}

describe('PersistenceModule identity bindings', () => {
  let ports: PersistencePorts;

  beforeAll(async () => {
    ports = await openMemoryPersistence();
  });

  afterAll(async () => {
    await ports.health.close();
  });

  it('binds each identity aggregate to its own port token, served by its own adapter', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [PersistenceModule.forPorts(ports)] }).compile();
    const tokens = [UsersPort, TokensPort, RolesAndGrantsPort, ServiceUsersPort, TenantIdentitiesPort] as const;
    const adapters = tokens.map((token) => {
      const adapter = moduleRef.get<object>(token);
      expect(adapter).toBeInstanceOf(token);
      return adapter;
    });
    // One adapter per aggregate: no instance serves another aggregate's methods.
    expect(new Set(adapters).size).toBe(tokens.length);
    expect(methodsOf(moduleRef.get(UsersPort))).not.toContain('recordToken');
    expect(methodsOf(moduleRef.get(TokensPort))).not.toContain('createUser');
    expect(methodsOf(moduleRef.get(RolesAndGrantsPort))).not.toContain('createServiceUser');
    expect(methodsOf(moduleRef.get(ServiceUsersPort))).not.toContain('grantPermission');
    expect(methodsOf(moduleRef.get(TenantIdentitiesPort))).toEqual(['deleteTenantIdentities']);
    await moduleRef.close();
  });
});
