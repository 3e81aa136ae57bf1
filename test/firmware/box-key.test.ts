import t from 'tap';
import { BOX_KEY_BYTES, freshBoxKey, openSealed, sealSecret } from '../../firmware-sim/sealed-secret.js';

/** Box keys come from a pool the CSPRNG refills: each key is its own, also across refills. */
t.test('every fresh box key is 32 bytes of its own, across pool refills', async (t) => {
  const keys = Array.from({ length: 1000 }, () => freshBoxKey());
  t.ok(keys.every((k) => k.length === BOX_KEY_BYTES), 'AES-256 keys');
  t.equal(new Set(keys.map((k) => k.toString('hex'))).size, keys.length, 'no key repeats, nor is one all zeros twice');
  t.notOk(keys.some((k) => k.every((b) => b === 0)), 'no key is a wiped slice');
  const [first] = keys;
  const copy = Buffer.from(first);
  freshBoxKey();
  t.same(first, copy, 'a key handed out is not changed by later keys (it is a copy, not a view of the pool)');
  t.equal(openSealed(sealSecret('device key', first), first), 'device key', 'a fresh key seals and opens');
  t.equal(openSealed(sealSecret('device key', first), keys[1]), undefined, 'and another PBX’s key opens nothing');
});
