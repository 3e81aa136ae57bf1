import t from 'tap';
import { Kds } from '../../firmware-sim/kds.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';

t.test('every default KDS starts from the delivered values, whatever another one was changed to', async (t) => {
  for (const type of Object.values(PbxType)) {
    const first = Kds.defaults(type);
    const delivered = first.entries();
    t.ok(first.set('station.100.name', 'Changed').ok, `${type}: a name can be set`);
    first.setStored('pin', 'scrypt$stored');
    const second = Kds.defaults(type);
    t.same(second.entries(), delivered, `${type}: a second default KDS has the delivered items, in order`);
    t.equal(second.get('station.100.name'), '', `${type}: the first one's change is not in the second`);
    t.equal(second.get('pin'), '', `${type}: nor its stored secret`);
    t.same(second.diff(first), ['station.100.name', 'pin'], `${type}: the two differ in exactly the changed items`);
  }
});
