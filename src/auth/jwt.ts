import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UserRole } from '../persistence/ports';
import { isUserRole } from './roles';

/**
 * HS256 JSON Web Tokens (contract management §4.5). Only HS256 is accepted: the header's `alg` is checked
 * against it before anything else, so `none` or an asymmetric algorithm can never select the verification
 * path; the signature is compared in constant time.
 */
export interface TokenClaims {
  /** Subject: user id, or service-user id. */
  sub: string;
  /** Token id, the key of revocation and of `active_tokens`. Always present on tokens this server issues. */
  jti: string;
  username: string;
  /** Tenant of the subject; null for root. */
  tenant_id: string | null;
  role: UserRole;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  /** Present (true) on tokens issued to service users. */
  svc?: boolean;
  /**
   * The subject's credential version when the token was issued (see User.credentialVersion); absent on
   * tokens issued before versions existed, which count as version 0.
   */
  cv?: number;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function signToken(claims: TokenClaims, secret: string): string {
  const payload = base64url(JSON.stringify(claims));
  return `${HEADER}.${payload}.${signature(`${HEADER}.${payload}`, secret)}`;
}

export type VerifyFailure = 'malformed' | 'bad-signature' | 'expired' | 'bad-claims';

export class TokenVerificationError extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(`Token verification failed: ${failure}`);
  }
}

/** Verifies signature, expiry (`nowSeconds` >= `exp` is expired) and the claim types. */
export function verifyToken(token: string, secret: string, nowSeconds: number): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '' || !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw new TokenVerificationError('malformed');
  }
  const [header, payload, sig] = parts;
  const decodedHeader = parseJson(header) as { alg?: unknown; typ?: unknown } | null;
  if (!decodedHeader || decodedHeader.alg !== 'HS256') throw new TokenVerificationError('malformed');
  const expected = Buffer.from(signature(`${header}.${payload}`, secret), 'utf8');
  const actual = Buffer.from(sig, 'utf8');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new TokenVerificationError('bad-signature');
  }
  const claims = parseJson(payload) as Record<string, unknown> | null;
  if (!claims || typeof claims !== 'object') throw new TokenVerificationError('malformed');
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') throw new TokenVerificationError('bad-claims');
  if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) throw new TokenVerificationError('bad-claims');
  if (typeof claims.jti !== 'string' || !UUID.test(claims.jti)) throw new TokenVerificationError('bad-claims');
  if (typeof claims.username !== 'string') throw new TokenVerificationError('bad-claims');
  if (!isUserRole(claims.role)) throw new TokenVerificationError('bad-claims');
  const tenant = claims.tenant_id ?? null;
  if (tenant !== null && (typeof tenant !== 'string' || !UUID.test(tenant))) throw new TokenVerificationError('bad-claims');
  if (claims.cv !== undefined && !(Number.isSafeInteger(claims.cv) && (claims.cv as number) >= 0)) {
    throw new TokenVerificationError('bad-claims');
  }
  if (nowSeconds >= claims.exp) throw new TokenVerificationError('expired');
  return {
    sub: claims.sub.toLowerCase(),
    jti: claims.jti.toLowerCase(),
    username: claims.username,
    tenant_id: tenant === null ? null : tenant.toLowerCase(),
    role: claims.role,
    iat: claims.iat,
    exp: claims.exp,
    ...(claims.svc === true ? { svc: true } : {}),
    ...(claims.cv !== undefined ? { cv: claims.cv as number } : {}),
  };
}

function signature(input: string, secret: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}
