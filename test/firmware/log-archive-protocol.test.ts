import t from 'tap';
import { ARCHIVE_CHUNK_ENTRIES, entryHash } from '../../firmware-sim/archive-transaction.js';
import { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { AdminTerminal } from '../support/pbx-harness.js';
import { FailingLog, loginAs } from '../support/firmware-fixtures.js';
import { framedEntries, logChanges, REV, revisorPbx } from '../support/revisor-fixtures.js';

/** Read the begin reply's `key: value` lines. */
function fields(lines: string[]): Record<string, string> {
  return Object.fromEntries(lines.filter((l) => /^[a-z-]+: /.test(l)).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
}

/** Run begin and every next; the entries handed out and the begin fields. */
function handOut(rev: AdminTerminal): { info: Record<string, string>; entries: ReturnType<typeof framedEntries> } {
  const begin = rev.cmd('log archive begin');
  const info = fields(begin.lines);
  const entries = [];
  for (let i = 0; i < Number(info.chunks); i++) entries.push(...framedEntries(rev.cmd('log archive next').lines));
  return { info, entries };
}

t.test('begin names the PBX, its mark and the range; chunks of 256; commit logs D1-1 first, then deletes', async (t) => {
  const { pbx, log, rev } = revisorPbx();
  logChanges(pbx, 600);
  const last = log.lastSeq();
  const { info, entries } = handOut(rev);
  t.equal(info['system-id'], 'HSIM-0001', 'the system id');
  t.equal(info.mark, 'none', 'no archive mark before the first archiving');
  t.equal(info.range, `1-${last}`, 'the range: everything up to the last entry at begin');
  t.equal(Number(info.chunks), Math.ceil(last / ARCHIVE_CHUNK_ENTRIES), '256 entries per chunk');
  t.same(entries.map((e) => e.seq), log.read().map((e) => e.seq), 'every entry handed out once, in order');
  t.equal(log.lastSeq(), last, 'handing out is not logged');
  const commit = rev.cmd(`log archive commit ${last} ${entryHash(entries.at(-1)!)}`);
  t.equal(commit.status, 'OK', `commit accepted: ${commit.text}`);
  const left = log.read();
  t.equal(left.length, 1, 'only the D1-1 entry is left');
  t.match(left[0], { seq: last + 1, user: 'rev', circle: 'R', format: 8, command: `D1-1 1-${last}` }, 'D1-1 was logged (before the delete: its seq follows the range)');
  t.same(log.archiveMark(), { seq: last, hash: entryHash(entries.at(-1)!) }, 'the new mark: seq and hash of the last archived entry');
  const again = fields(rev.cmd('log archive begin').lines);
  t.equal(again.mark, `${last} ${entryHash(entries.at(-1)!)}`, 'the next begin shows that mark');
  t.equal(again.range, `${last + 1}-${last + 1}`, 'and hands out only what came after');
});

t.test('a commit that does not match what was handed out deletes nothing and ends the run', async (t) => {
  const { pbx, log, rev } = revisorPbx();
  logChanges(pbx, 300);
  const count = log.read().length;
  const cases: Array<[string, (last: { seq: number; hash: string }) => string]> = [
    ['a lower seq', (l) => `log archive commit ${l.seq - 1} ${l.hash}`],
    ['a higher seq', (l) => `log archive commit ${l.seq + 1} ${l.hash}`],
    ['a wrong hash', (l) => `log archive commit ${l.seq} ${'0'.repeat(64)}`],
    ['a malformed hash', (l) => `log archive commit ${l.seq} xyz`],
    ['no arguments', () => 'log archive commit'],
  ];
  for (const [what, line] of cases) {
    const { entries } = handOut(rev);
    const last = entries.at(-1)!;
    const r = rev.cmd(line({ seq: last.seq, hash: entryHash(last) }));
    t.match(r.status, /^ERROR (409|400) .*archiving aborted, nothing deleted$/, `${what}: refused`);
    t.equal(log.read().length, count, `${what}: nothing deleted, nothing logged`);
    t.equal(log.archiveMark(), undefined, `${what}: no mark stored`);
    t.match(rev.cmd(`log archive commit ${last.seq} ${entryHash(last)}`).status, /^ERROR 409 no archiving in progress/, `${what}: the run is over; a correct commit now is refused too`);
  }
  rev.cmd('log archive begin');
  rev.cmd('log archive next');
  const early = rev.cmd(`log archive commit ${log.lastSeq()} ${'a'.repeat(64)}`);
  t.match(early.status, /^ERROR 409 commit before all 2 chunks were fetched \(1 so far\)/, 'a commit before the last chunk is refused');
  t.equal(log.read().length, count, 'nothing deleted');
  t.match(rev.cmd('log archive next').status, /^ERROR 409 no archiving in progress/, 'next without a run is refused');
  rev.cmd('log archive begin');
  t.match(rev.cmd('log archive abort').lines.join('\n'), /archiving aborted, nothing deleted/, 'abort ends a run');
  t.equal(log.read().length, count, 'nothing deleted by abort');
});

t.test('a broken line ends the run: another login cannot commit it', async (t) => {
  const { pbx, log, rev } = revisorPbx();
  logChanges(pbx, 10);
  const { entries } = handOut(rev);
  rev.dte.close();
  const again = loginAs(pbx, REV);
  const before = log.read().length;
  const r = again.cmd(`log archive commit ${entries.at(-1)!.seq} ${entryHash(entries.at(-1)!)}`);
  t.match(r.status, /^ERROR 409 no archiving in progress/, 'the new login has no run to commit');
  t.equal(log.read().length, before, 'nothing deleted');
});

t.test('a run that another one overtook cannot commit', async (t) => {
  const { pbx, log, rev } = revisorPbx();
  logChanges(pbx, 10);
  const other = loginAs(pbx, REV);
  const mine = handOut(rev).entries;
  const theirs = handOut(other).entries;
  t.equal(other.cmd(`log archive commit ${theirs.at(-1)!.seq} ${entryHash(theirs.at(-1)!)}`).status, 'OK', 'the other run commits');
  const r = rev.cmd(`log archive commit ${mine.at(-1)!.seq} ${entryHash(mine.at(-1)!)}`);
  t.match(r.status, /^ERROR 409 another archiving run finished meanwhile/, 'the overtaken run is refused');
  t.equal(log.archiveMark()?.seq, theirs.at(-1)!.seq, 'the mark is the other run\'s');
});

t.test('when D1-1 cannot be logged, nothing is deleted', async (t) => {
  const failing = new FailingLog();
  const { pbx, rev } = revisorPbx({ log: failing });
  logChanges(pbx, 20);
  const { entries } = handOut(rev);
  const before = failing.read().length;
  failing.failing = true;
  const r = rev.cmd(`log archive commit ${entries.at(-1)!.seq} ${entryHash(entries.at(-1)!)}`);
  t.match(r.status, /^ERROR 507 protocol log unavailable/, 'refused with 507');
  t.equal(failing.read().length, before, 'nothing deleted');
  t.equal(failing.archiveMark(), undefined, 'no mark stored');
});

t.test('without an FMC there is no log to fetch or archive', async (t) => {
  const { rev } = revisorPbx({ log: new MemoryProtocolLog({ available: false }) });
  t.match(rev.cmd('log fetch').status, /^ERROR 503 no protocol log: no 10 MB FMC present$/, 'fetch says why');
  t.match(rev.cmd('log archive begin').status, /^ERROR 503 no protocol log/, 'archive says why');
});
