/**
 * Cost of one bearer-token verification (signature, expiry, claim checks): the auth path runs it on every
 * request. Not part of `npm test`.
 *
 *   npm run bench:jwt                    # 100k verifications, best of 5 rounds
 *   BENCH_VERIFIES=20000 npm run bench:jwt
 *
 * Reports the best round, the figure least disturbed by other processes on a shared machine.
 */
import { randomUUID } from 'node:crypto';
import { signToken, verifyToken, type TokenClaims } from '../src/auth/jwt';

const VERIFIES = Number(process.env.BENCH_VERIFIES ?? 100_000);
const ROUNDS = 5;
const SECRET = randomUUID() + randomUUID();

async function main(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const claims: TokenClaims = {
    sub: randomUUID(),
    jti: randomUUID(),
    username: 'bench-user',
    tenant_id: randomUUID(),
    role: 'tenant-user',
    iat: now,
    exp: now + 3600,
    cv: 0,
  };
  const token = await signToken(claims, SECRET);
  const perRound = Math.ceil(VERIFIES / ROUNDS);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) await verifyToken(token, SECRET, now);
    const micros = Number(process.hrtime.bigint() - started) / 1000 / perRound;
    best = Math.min(best, micros);
    console.log(`round ${round + 1}: ${micros.toFixed(2)} µs/verify`);
  }
  console.log(`best: ${best.toFixed(2)} µs/verify (${Math.round(1e6 / best)} verifies/s), ${perRound * ROUNDS} verifies`);
}

void main();
