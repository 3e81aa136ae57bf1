/**
 * Where a device gets its random bytes (the nonce of every check-in
 * telegram, spec §5.2). Firmware never calls `crypto.randomBytes` itself: a
 * test or a scenario injects a seeded source so a run in virtual time is the
 * same every time, a real run injects `src/adapters/crypto-random.ts`.
 *
 * Contract: `bytes(n)` returns n fresh bytes. A source used for AES-GCM
 * nonces in anything but a simulation must be a CSPRNG: a nonce repeated
 * under one key breaks GCM.
 */
export interface RandomSource {
  bytes(length: number): Uint8Array;
}
