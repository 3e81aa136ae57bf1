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

t.test('delivered KDSs share their table and stay apart: a change shows in one PBX only, in its place, and clones go their own way', async (t) => {
  const a = Kds.defaults(PbxType.OfficePro);
  const b = Kds.defaults(PbxType.OfficePro);
  const paths = a.paths();
  t.equal(a.set('station.100.name', 'Empfang').ok, true, 'a station name is set on one PBX');
  t.equal(a.get('station.100.name'), 'Empfang', 'that PBX reads it back');
  t.equal(b.get('station.100.name'), '', 'the other PBX of the same type keeps the delivered value');
  t.equal(Kds.defaults(PbxType.OfficePro).get('station.100.name'), '', 'and so does a PBX delivered after the change');
  t.same(a.paths(), paths, 'the item order is the delivered one after a change');
  t.same(a.entries().find(([p]) => p === 'station.100.name'), ['station.100.name', 'Empfang'], 'entries carry the changed value in its place');
  t.same(a.diff(b), ['station.100.name'], 'the diff against the other PBX names only the change');
  const c = a.clone();
  t.equal(c.set('station.100.name', 'Lager').ok, true, 'the clone is changed');
  t.equal(a.get('station.100.name'), 'Empfang', 'the original keeps its value');
  a.setStored('extra.item', 'x');
  t.same(a.paths().slice(-1), ['extra.item'], 'a stored item the table lacks comes last, as in an image');
  t.equal(c.has('extra.item'), false, 'and the clone does not have it');
});
