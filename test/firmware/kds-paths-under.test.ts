import t from 'tap';
import { Kds } from '../../firmware-sim/kds.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';

/**
 * Kds.pathsUnder works the base table's share out once per table and
 * prefix; what it returns must still be what paths() holds under the
 * prefix, in the same order, for every KDS on that table and after changes.
 */
const under = (kds: Kds, prefix: string): string[] => kds.paths().filter((p) => p.startsWith(prefix));

t.test('pathsUnder is paths() under the prefix, in order', async (t) => {
  for (const type of Object.values(PbxType)) {
    const kds = Kds.defaults(type);
    for (const prefix of ['trunk.', 'station.', 'c1.', 'no.such.']) t.same([...kds.pathsUnder(prefix)], under(kds, prefix), `${type} under ${prefix}`);
  }
  t.ok(Kds.defaults(PbxType.OfficePro).pathsUnder('trunk.').length > 0, 'a delivered KDS has trunks');
});

t.test('paths stored beyond the base table are included, for that KDS only', async (t) => {
  const kds = Kds.defaults(PbxType.OfficeCom);
  const before = [...kds.pathsUnder('trunk.')];
  kds.setStored('trunk.99.in-service', 'yes');
  t.same([...kds.pathsUnder('trunk.')], under(kds, 'trunk.'), 'the stored path comes last, as in paths()');
  t.equal(kds.pathsUnder('trunk.').at(-1), 'trunk.99.in-service', 'it is there');
  t.same([...Kds.defaults(PbxType.OfficeCom).pathsUnder('trunk.')], before, 'another KDS of the type does not see it');
  const clone = kds.clone();
  t.same([...clone.pathsUnder('trunk.')], under(clone, 'trunk.'), 'a clone sees its copied values');
  kds.set('trunk.1.loopback', 'yes');
  t.same([...kds.pathsUnder('trunk.')], under(kds, 'trunk.'), 'a changed value of the base table adds no path');
});

t.test('a KDS with its own table (from an image) answers from that table', async (t) => {
  const kds = Kds.fromImage({ format: 'hicom-kds', version: 1, systemId: '', type: PbxType.OfficePoint, systemVersion: '', baseGeneration: '', items: { 'trunk.1.in-service': 'no', 'pin': '', 'trunk.7.in-service': 'yes' } });
  t.same([...kds.pathsUnder('trunk.')], ['trunk.1.in-service', 'trunk.7.in-service'], 'its own trunks, not the delivered ones');
});
