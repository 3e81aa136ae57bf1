import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { MASTER_KEY_ENV, MasterKey, MasterKeyError, masterKeyPath } from '../../src/storage/master-key.js';

t.test('the master key file is created on first use with mode 0600 and reused after', async (t) => {
  const state = t.testdir();
  const first = MasterKey.load(state, {});
  const path = masterKeyPath(state);
  t.equal(first.source, path, 'it came from the state directory');
  t.equal(statSync(path).mode & 0o777, 0o600, 'only the owner may read it');
  t.equal(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').length, 32, 'it holds 32 bytes in base64');
  const sealed = first.seal(Buffer.from('device key'), 'ctx');
  t.same(MasterKey.load(state, {}).open(sealed, 'ctx'), Buffer.from('device key'), 'a second load uses the same key');
});

t.test('the environment variable wins over the file, and must be 32 bytes of base64', async (t) => {
  const state = t.testdir();
  const key = randomBytes(32).toString('base64');
  const fromEnv = MasterKey.load(state, { [MASTER_KEY_ENV]: key });
  t.equal(fromEnv.source, MASTER_KEY_ENV, 'the variable was used');
  t.throws(() => statSync(masterKeyPath(state)), { code: 'ENOENT' }, 'and no file was created');
  t.not(fromEnv.checkValue(), MasterKey.load(state, {}).checkValue(), 'the file key is another key');
  t.throws(() => MasterKey.load(state, { [MASTER_KEY_ENV]: 'c2hvcnQ=' }), { name: 'MasterKeyError', message: /HICOM_MASTER_KEY is not 32 bytes in base64/ }, 'a short key is refused');
  t.throws(() => MasterKey.load(state, { [MASTER_KEY_ENV]: `${key.slice(0, -4)}!!!!` }), MasterKeyError, 'a non-base64 key is refused');
});

t.test('a key file others can read, or a damaged one, is refused', async (t) => {
  const state = t.testdir();
  MasterKey.load(state, {});
  const path = masterKeyPath(state);
  chmodSync(path, 0o644);
  t.throws(() => MasterKey.load(state, {}), { message: /readable by others \(mode 644\): chmod 600/ }, 'mode 0644 is refused');
  chmodSync(path, 0o600);
  writeFileSync(path, 'half a ke');
  t.throws(() => MasterKey.load(state, {}), { message: /is not 32 bytes in base64/ }, 'a damaged file is refused, not replaced');
  t.equal(readFileSync(path, 'utf8'), 'half a ke', 'and left as it was');
});

t.test('a sealed value opens only with the same key and context', async (t) => {
  const a = MasterKey.load(t.testdir(), {});
  const b = MasterKey.load(t.testdir(), {});
  const secret = randomBytes(32);
  const sealed = a.seal(secret, 'hicom-sim device key D1');
  t.notOk(sealed.includes(secret), 'the sealed value does not contain the secret');
  t.not(a.seal(secret, 'hicom-sim device key D1').toString('hex'), sealed.toString('hex'), 'each seal uses a fresh nonce');
  t.same(a.open(sealed, 'hicom-sim device key D1'), secret, 'it opens with its key and context');
  t.throws(() => a.open(sealed, 'hicom-sim device key D2'), { message: /does not open with the master key/ }, 'another context (a row copied to another device) fails');
  t.throws(() => b.open(sealed, 'hicom-sim device key D1'), MasterKeyError, 'another master key fails');
  const flipped = Buffer.from(sealed);
  flipped[20] ^= 1;
  t.throws(() => a.open(flipped, 'hicom-sim device key D1'), MasterKeyError, 'a flipped bit fails');
  t.throws(() => a.open(sealed.subarray(0, 10), 'x'), { message: /damaged/ }, 'a truncated value is called damaged');
});
