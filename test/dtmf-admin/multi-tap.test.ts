import t from 'tap';
import { MultiTapField, multiTapKeys } from '../../firmware-sim/dtmf-admin/multi-tap.js';

function typeKeys(keys: string, max = 16): { field: MultiTapField; results: string[] } {
  const field = new MultiTapField(max);
  const results = [...keys].map((k) => field.press(k));
  return { field, results };
}

t.test('repeated presses cycle through the key group; another key takes the letter', async (t) => {
  const { field } = typeKeys('7777' + '33' + '777' + '888' + '444' + '222' + '33' + '#');
  t.equal(field.text, 'SERVICE', 'SERVICE typed with one run of presses per letter');
});

t.test('the digit follows the upper-case letters, the lower-case ones follow the digit', async (t) => {
  t.equal(typeKeys('2222#').field.text, '2', '4 × key 2 gives the digit 2');
  t.equal(typeKeys('22222#').field.text, 'a', '5 × key 2 gives lower-case a');
  t.equal(typeKeys('0#').field.text, ' ', 'key 0 once is a space');
  t.equal(typeKeys('00#').field.text, '0', 'key 0 twice is the digit 0');
  t.equal(typeKeys('2222222' + '2#').field.text, 'A', 'the group wraps round after its last character');
});

t.test('* takes a pending letter, so two letters on one key can follow each other', async (t) => {
  t.equal(typeKeys('2*22#').field.text, 'AB', '2 * 22 gives AB');
  t.equal(typeKeys('22#').field.text, 'B', 'without * the presses count as one letter');
});

t.test('* with nothing pending deletes; on an empty field it means back', async (t) => {
  const { field, results } = typeKeys('2*22*');
  t.equal(field.text, 'AB', 'the second * took B');
  field.press('*');
  t.equal(field.text, 'A', 'a * with nothing pending deleted the last character');
  field.press('*');
  t.equal(field.press('*'), 'back', 'a * on the empty field is back');
  t.same(results.slice(-1), ['typing'], 'taking a letter keeps typing');
});

t.test('# ends the field and the pending letter is shown until then', async (t) => {
  const field = new MultiTapField(16);
  field.press('6');
  field.press('6');
  t.equal(field.pending, 'N', 'pending letter shown');
  t.equal(field.text, '', 'not yet taken');
  t.equal(field.press('#'), 'done', '# ends the field');
  t.equal(field.text, 'N', 'pending letter taken by #');
});

t.test('the field stops at its maximum length and ignores keys it does not know', async (t) => {
  t.equal(typeKeys('2*2*2*2#', 3).field.text, 'AAA', 'a fourth letter is not taken');
  t.equal(typeKeys('2A3D#').field.text, 'AD', 'A and D (keys with no letters) are ignored');
});

t.test('multiTapKeys gives the key presses for a text, and refuses what the keypad has not', async (t) => {
  for (const text of ['SERVICE', 'Meier 2', 'AB', 'zz9', '4711']) {
    t.equal(typeKeys(multiTapKeys(text)).field.text, text, `${text} round-trips through the key presses`);
  }
  t.throws(() => multiTapKeys('ä'), /cannot be typed/, 'umlaut refused with a clear error');
});
