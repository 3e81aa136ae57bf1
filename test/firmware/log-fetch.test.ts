import t from 'tap';
import { formatEntry } from '../../firmware-sim/protocol-log.js';
import { framedEntries, logChanges, revisorPbx } from '../support/revisor-fixtures.js';

t.test('log fetch hands out entries in a LogEntries frame; they stay and fetching is not logged', async (t) => {
  const { pbx, log, rev } = revisorPbx();
  logChanges(pbx, 5);
  pbx.audit({ user: 'pnkm', circle: undefined }, 1, 'STN-NAME 101 "Müller Ä"');
  const last = log.lastSeq();
  const r = rev.cmd('log fetch');
  t.equal(r.status, 'OK', 'fetch succeeds');
  const entries = framedEntries(r.lines);
  t.same(entries.map(formatEntry), log.read().map(formatEntry), 'every entry, byte for byte as the PBX has it (umlauts included)');
  t.same(entries.at(-1), log.read().at(-1), 'times keep their milliseconds');
  t.equal(log.lastSeq(), last, 'fetching wrote no log entry');
  t.equal(log.read().length, entries.length, 'the entries stay in the PBX');
  const from = framedEntries(rev.cmd(`log fetch from ${last - 2}`).lines);
  t.same(from.map((e) => e.seq), [last - 2, last - 1, last], 'from <seq> starts there');
  t.equal(framedEntries(rev.cmd(`log fetch from ${last + 5}`).lines).length, 0, 'beyond the end: an empty frame');
  for (const bad of ['log fetch from', 'log fetch from x', 'log fetch to 3', 'log fetch from -1', 'log fetch from 1 2']) {
    t.match(rev.cmd(bad).status, /^ERROR 400 usage: log fetch/, `"${bad}" gets the usage`);
  }
});
