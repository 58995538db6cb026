import { loadConfig } from '../config/config';
import { openMemoryPersistence } from '../persistence/memory/memory-persistence';
import type { PersistencePorts } from '../persistence/persistence-ports';
import { ROOT_USER_ID, type AuthSecrets } from './auth.tokens';
import { AuthenticationService } from './authentication.service';
import { IdentityBootstrap } from './identity-bootstrap';
import { verifyToken } from './jwt';

// The real verification, counted.
jest.mock('./jwt', () => {
  const actual = jest.requireActual<typeof import('./jwt')>('./jwt');
  return { ...actual, verifyToken: jest.fn(actual.verifyToken) };
});

const SECRETS: AuthSecrets = {
  jwtSecret: 'unit-test-signing-secret-0123456789-abcdefgh',
  rootUser: 'root',
  rootPassword: 'unit-test-root-password',
  file: 'unused',
  generated: [],
};

describe('bearer token verification', () => {
  let ports: PersistencePorts;
  let service: AuthenticationService;

  beforeEach(async () => {
    ports = await openMemoryPersistence();
    const config = loadConfig({ PANGOLIN_BCRYPT_ROUNDS: '4' });
    await new IdentityBootstrap(config, SECRETS, () => undefined, ports.tenants, ports.users).onApplicationBootstrap();
    service = new AuthenticationService(ports.users, ports.tokens, ports.serviceUsers, config, SECRETS);
  });

  const rootToken = async (lifetimeSeconds: number) =>
    (
      await service.issueToken({
        subjectId: ROOT_USER_ID,
        username: 'root',
        tenantId: null,
        role: 'root',
        lifetimeSeconds,
        credentialVersion: 0,
        record: false,
      })
    ).token;
  const authenticate = (token: string) => service.authenticate({ authorization: `Bearer ${token}`, sourceAddress: '192.0.2.1' });

  it("checks a token's signature once, not on every request that carries it", async () => {
    const token = await rootToken(600);
    jest.mocked(verifyToken).mockClear();
    for (let i = 0; i < 3; i++) expect((await authenticate(token))?.principal.role).toBe('root');
    expect(verifyToken).toHaveBeenCalledTimes(1);
  });

  it('still refuses a remembered token once it has expired, and a token changed by one character', async () => {
    const token = await rootToken(60);
    expect((await authenticate(token))?.principal.userId).toBe(ROOT_USER_ID);
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}${token.slice(-1)}`;
    await expect(authenticate(tampered)).rejects.toThrow('Invalid token');
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000);
    try {
      await expect(authenticate(token)).rejects.toThrow('Token expired');
    } finally {
      clock.mockRestore();
    }
  });

  it('still re-checks revocation on every request of a remembered token', async () => {
    const token = await rootToken(600);
    await authenticate(token);
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).jti as string;
    await ports.tokens.revokeToken({ tokenId: jti, tenantId: null, revokedAt: new Date(), expiresAt: new Date(Date.now() + 600_000), reason: null });
    await expect(authenticate(token)).rejects.toThrow('Token has been revoked');
  });
});
