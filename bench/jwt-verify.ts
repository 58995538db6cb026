/**
 * Cost of one bearer-token verification (signature, expiry, claim checks): the auth path runs it on every
 * request. Not part of `npm test`.
 *
 *   npm run bench:jwt                    # 100k verifications, best of 5 rounds
 *   BENCH_VERIFIES=20000 npm run bench:jwt
 *
 * Reports the best round, wall-clock and CPU time (user + system) per verification: on a shared machine the
 * CPU figure is the one least disturbed by other processes.
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
  let bestWall = Infinity;
  let bestCpu = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    for (let i = 0; i < perRound; i++) await verifyToken(token, SECRET, now);
    const cpu = process.cpuUsage(cpuStarted);
    const wall = Number(process.hrtime.bigint() - started) / 1000 / perRound;
    const cpuPerVerify = (cpu.user + cpu.system) / perRound;
    bestWall = Math.min(bestWall, wall);
    bestCpu = Math.min(bestCpu, cpuPerVerify);
    console.log(`round ${round + 1}: ${wall.toFixed(2)} µs/verify wall, ${cpuPerVerify.toFixed(2)} µs/verify CPU`);
  }
  console.log(`best of ${ROUNDS} rounds of ${perRound}: ${bestWall.toFixed(2)} µs/verify wall, ${bestCpu.toFixed(2)} µs/verify CPU`);
}

void main();
