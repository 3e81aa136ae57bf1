import t from 'tap';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { frameOf, logLines, pbxWithUsers, readImage, writeLines } from '../support/firmware-fixtures.js';

t.test('read, change, write back: simulated T commands, then "Datenbasis schreiben"', async (t) => {
  const { pbx, log, serv } = pbxWithUsers();
  const users = JSON.stringify(pbx.users.snapshot());
  const image = readImage(serv);
  t.equal(image.systemId, 'HSIM-0001', 'the image names its PBX');
  t.equal(image.items['station.101.name'], '', 'all data travel');
  image.items['station.101.name'] = 'Meier';
  image.items['station.120.name'] = 'Schulz';
  image.items['c2.ring-timeout'] = '40';
  const mark = log.lastSeq();
  t.equal(writeLines(serv, frameOf(image)), 'OK', 'written');
  t.same(logLines(log, mark), [
    'serv S (7) STN-NAME 101 "Meier"',
    'serv S (7) STN-NAME 120 "Schulz"',
    'serv S (7) C2-01 "40"',
    'serv S (4) Datenbasis schreiben',
  ], 'each change as a format-7 entry with its address, then format 4');
  t.equal(pbx.kds.get('station.120.name'), 'Schulz', 'the change is in the PBX');
  t.equal(JSON.stringify(pbx.users.snapshot()), users, 'the user table is untouched');
  t.equal(writeLines(serv, frameOf(image)), 'ERROR 409 the KDS in the PBX changed since this image was read; read it again', 'the same image again is stale: 409');
  const fresh = readImage(serv);
  serv.cmd('set station.101.name Other');
  t.equal(writeLines(serv, frameOf(fresh)), 'ERROR 409 the KDS in the PBX changed since this image was read; read it again', 'a change after reading makes the image stale');
  t.equal(pbx.kds.get('station.101.name'), 'Other', 'and nothing was overwritten');
});

t.test('offline image: only into a PBX in default state; other types refused', async (t) => {
  const { pbx, log, serv } = pbxWithUsers();
  const offline = { ...readImage(serv), systemId: '', baseGeneration: '' };
  offline.items['station.101.name'] = 'Offline';
  const other = { ...offline, type: PbxType.OfficePoint };
  t.match(writeLines(serv, frameOf(other)), /^ERROR 422 the KDS is for OfficePoint; this PBX is OfficePro/, 'another PBX type is refused');
  const mark = log.lastSeq();
  t.equal(writeLines(serv, frameOf(offline)), 'OK', 'an offline image loads into a default PBX');
  t.same(logLines(log, mark), ['serv S (4) KDS Neugenerierung'], 'logged only as "KDS Neugenerierung"');
  t.equal(pbx.kds.get('station.101.name'), 'Offline', 'loaded');
  const again = { ...offline, items: { ...offline.items, 'station.101.name': 'Second' } };
  t.match(writeLines(serv, frameOf(again)), /^ERROR 409 an offline KDS loads only into a PBX in default state/, 'not into a PBX that is no longer default');
  t.equal(pbx.kds.get('station.101.name'), 'Offline', 'unchanged');
  const foreign = { ...readImage(serv), systemId: 'HSIM-0999' };
  foreign.items['station.101.name'] = 'Foreign';
  const m2 = log.lastSeq();
  t.equal(writeLines(serv, frameOf(foreign)), 'OK', 'an image read from another PBX of the same type is a regeneration');
  t.same(logLines(log, m2), ['serv S (4) KDS Neugenerierung'], 'logged as "KDS Neugenerierung"');
  t.equal(pbx.users.find('serv')?.name, 'serv', 'the PBX\'s own users stay');
});
