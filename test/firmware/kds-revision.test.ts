import t from 'tap';
import { Kds } from '../../firmware-sim/kds.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';

/**
 * Error signaling keeps what it read of the KDS until the revision moves,
 * so every stored value must move it, and reading must not.
 */
t.test('the revision moves with every stored value and only then', async (t) => {
  const kds = Kds.defaults(PbxType.OfficePoint);
  let r = kds.revision;
  const step = (what: string, changed: boolean): void => {
    if (changed) t.not(kds.revision, r, `${what} moves the revision`);
    else t.equal(kds.revision, r, `${what} leaves the revision`);
    r = kds.revision;
  };
  kds.get('signaling.interval');
  kds.flag('signaling.enabled');
  kds.entries();
  step('reading', false);
  t.ok(kds.set('signaling.interval', '7').ok, 'a plain value is stored');
  step('set()', true);
  t.notOk(kds.set('signaling.interval', 'seven').ok, 'a bad value is refused');
  step('a refused set()', false);
  t.notOk(kds.set('no.such.item', '1').ok, 'an unknown item is refused');
  step('set() of an unknown item', false);
  kds.setStored('callback.1.code', 'hash');
  step('setStored()', true);
  const copy = kds.clone();
  copy.setStored('callback.1.number', '0999');
  step('a change of a clone', false);
  t.equal(kds.get('callback.1.number'), Kds.defaults(PbxType.OfficePoint).get('callback.1.number'), 'the clone has its own values');
});
