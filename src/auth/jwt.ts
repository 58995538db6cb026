import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { UserRole } from '../persistence/ports';
import { isUserRole } from './roles';

/**
 * HS256 JSON Web Tokens (contract management §4.5), signed and verified with `jose`. Only HS256 is accepted:
 * jose checks the header's `alg` against that list before it looks at the key, so `none` or an asymmetric
 * algorithm can never select the verification path; it compares the signature in constant time.
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Three non-empty base64url segments, nothing else (no padding, no whitespace: the decoder would skip them). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ALGORITHM = 'HS256';

/** Signs `claims` as given (same claim order, header `{"alg":"HS256","typ":"JWT"}`). */
export function signToken(claims: TokenClaims, secret: string): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' }).sign(hmacKey(secret));
}

export type VerifyFailure = 'malformed' | 'bad-signature' | 'expired' | 'bad-claims';

export class TokenVerificationError extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(`Token verification failed: ${failure}`);
  }
}

/** Verifies signature, expiry (`nowSeconds` >= `exp` is expired) and the claim types. */
export async function verifyToken(token: string, secret: string, nowSeconds: number): Promise<TokenClaims> {
  if (!COMPACT_JWS.test(token)) throw new TokenVerificationError('malformed');
  let verified: JWTPayload;
  try {
    ({ payload: verified } = await jwtVerify(token, hmacKey(secret), {
      algorithms: [ALGORITHM],
      currentDate: new Date(nowSeconds * 1000),
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (error) {
    throw new TokenVerificationError(failureOf(error));
  }
  // The decoder ignores the unused low bits of the last character: only the encoding this server produces
  // is accepted, so one token has one spelling.
  const signature = token.slice(token.lastIndexOf('.') + 1);
  if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) throw new TokenVerificationError('bad-signature');
  return checkedClaims(verified);
}

/** The claims of a token whose signature and expiry hold, if they have the types this server issues. */
function checkedClaims(claims: JWTPayload): TokenClaims {
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

function failureOf(error: unknown): VerifyFailure {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return 'bad-claims';
  // JWSInvalid, JWTInvalid, JOSEAlgNotAllowed (any alg but HS256, `none` included), JOSENotSupported (crit).
  if (error instanceof errors.JOSEError) return 'malformed';
  throw error;
}

/**
 * The secret as a KeyObject, made once per secret: building it costs more than the HMAC of a token, and
 * the service signs and verifies with one secret.
 */
let lastKey: { secret: string; key: KeyObject } | undefined;

function hmacKey(secret: string): KeyObject {
  if (lastKey?.secret !== secret) lastKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return lastKey.key;
}
