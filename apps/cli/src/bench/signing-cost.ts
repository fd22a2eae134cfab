import { generateKeyPairSync } from 'node:crypto';
import {
  keyIdOf,
  parseKeyRegistry,
  registryEntry,
  signRecord,
  verifyRecordSignature,
} from '@customs/contracts';

/*
 * Cost of signing and of verifying one record as the transport does (SHA-256 of key and
 * value, Ed25519 over the signed bytes; verify includes the registry lookup), per record
 * size: `node dist/apps/cli/src/bench/signing-cost.js [bytes...]`. Median of 7 runs of 10,000.
 */
const N = 10_000;
const RUNS = 7;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const principal = 'svc-valuation';
const signer = { principal, keyId: keyIdOf(principal, publicKey), privateKey };
const registry = parseKeyRegistry({
  version: 1,
  keys: [registryEntry(principal, publicKey, new Date(0))],
});
const sizes = process.argv.slice(2).map(Number);
for (const size of sizes.length > 0 ? sizes : [3000, 6000, 10000]) {
  const record = {
    topic: 'customs.declarations.valued.v1',
    key: '26NL00000000000017',
    value: Buffer.from(JSON.stringify({ payload: 'x'.repeat(Math.max(0, size - 16)) })),
  };
  const headers = signRecord(record, signer);
  const signs: number[] = [];
  const verifies: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) signRecord(record, signer);
    signs.push(Number(process.hrtime.bigint() - t) / N / 1000);
    t = process.hrtime.bigint();
    for (let i = 0; i < N; i++)
      if (!verifyRecordSignature({ ...record, headers }, registry).ok) throw new Error('bad');
    verifies.push(Number(process.hrtime.bigint() - t) / N / 1000);
  }
  process.stdout.write(
    `${JSON.stringify({ bytes: record.value.length, signMicros: +median(signs).toFixed(1), verifyMicros: +median(verifies).toFixed(1) })}\n`,
  );
}
