import t from 'tap';
import { secretPattern } from '../support/secret-pattern.js';

t.test('a secret is found where it leaks, not inside other digits or letters', async (t) => {
  const pin = secretPattern('4711');
  for (const leak of ['{"pin":"4711"}', '<td>4711</td>', 'value=4711&x', 'PIN 4711', '4711']) t.match(leak, pin, `found in ${leak}`);
  // The CI failure this helper mends: a createdAt of 1796189471176.
  for (const chance of ['{"createdAt":1796189471176}', 'scrypt$a4711b', 'token 947110']) t.notMatch(chance, pin, `not found by chance in ${chance}`);
  const several = secretPattern('24680', 'tech pw 1', 'a.b');
  t.match('password: tech pw 1.', several, 'any of several, with spaces');
  t.notMatch('axb', several, 'a secret is matched as text, not as a pattern');
});
