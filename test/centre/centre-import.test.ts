import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { EventLog } from '../../src/database/event-log.js';
import { ReportArchive } from '../../src/database/report-archive.js';
import { onBothEngines } from '../support/both-engines.js';
import { writeCentreFile } from '../support/centre-file-fixture.js';
import { runCliAsync, tempDir } from '../support/lab-child.js';
import { sampleReport, T0 } from '../support/sample-report.js';

/**
 * `hicom-sim centre import DIR`: the `.hcs` files of earlier versions into
 * the database, with their history, once, and without changing a byte of
 * them — damage and torn tails are reported, never cut (issue 18's rule for
 * every reader of these files).
 */

function centreDir(dir: string): { spoilt: string; record: Buffer } {
  writeCentreFile(dir, 'GOOD0001', [{ report: sampleReport({ systemId: 'GOOD0001', seq: 1 }), receivedAt: T0 }, { report: sampleReport({ systemId: 'GOOD0001', seq: 2, records: [] }), receivedAt: T0 + 3600_000 }]);
  const spoilt = writeCentreFile(dir, 'PBX0001', [{ report: sampleReport(), receivedAt: T0 + 1000 }]);
  return { spoilt, record: readFileSync(spoilt) };
}

function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n)).toString('hex')]));
}

const importCmd = (dir: string, db: string, state: string) => runCliAsync(['centre', 'import', dir, '--db', db, '-s', state, '--log-level', 'warn']);

onBothEngines(t, 'a sound directory is imported with its history, once, and left as it was', async (t, f) => {
  const dir = tempDir(t);
  centreDir(dir);
  const before = snapshot(dir);
  const first = await importCmd(dir, f.spec, f.stateDir);
  t.equal(first.status, 0, `exit 0 (${first.stderr.trim()})`);
  t.match(first.stdout, /^GOOD0001: 2 report\(s\) read, 2 new, 0 already in the database$/m, 'it says what it read and stored');
  t.same(snapshot(dir), before, 'every file byte-identical, none added');
  const again = await importCmd(dir, f.spec, f.stateDir);
  t.match(again.stdout, /^GOOD0001: 2 report\(s\) read, 0 new, 2 already in the database$/m, 'a second run adds nothing');
  const db = await f.open();
  const reports = await new ReportArchive(db).reports('GOOD0001');
  t.same(reports.map((r) => [r.report.seq, r.receivedAt, r.channel]), [[1, T0, 'import'], [2, T0 + 3600_000, 'import']], 'each report with its reception time from the file');
  t.same(reports[0].bytes, Buffer.from(encodeReport(sampleReport({ systemId: 'GOOD0001', seq: 1 }))), 'and its raw bytes');
  const events = await new EventLog(db).list({ deviceId: 'GOOD0001' });
  t.same(events.map((e) => `${e.type}:${e.life}`).sort(), ['class-b-error:cleared', 'function-test:cleared'], 'its errors become events, born cleared: history to read, not alarms');
  const status = await runCliAsync(['centre', 'status', '--db', f.spec, '-s', f.stateDir]);
  t.equal(status.status, 0, 'centre status reads the database');
  t.match(status.stdout, /^GOOD0001 +2 +2 /m, 'and lists the imported PBX with its reports and errors');
  t.match(status.stdout, /^PBX0001 +1 +2 /m, 'and the other');
});

onBothEngines(t, 'damaged and torn files: the whole records are imported, the rest reported and kept', async (t, f) => {
  const dir = tempDir(t);
  const { spoilt, record } = centreDir(dir);
  const flipped = Buffer.from(record);
  flipped[60] ^= 0x04;
  writeFileSync(spoilt, flipped);
  let before = snapshot(dir);
  const damaged = await importCmd(dir, f.spec, f.stateDir);
  t.same(snapshot(dir), before, 'every file byte-identical afterwards');
  t.equal(statSync(spoilt).size, record.length, 'the damaged file keeps its bytes');
  t.equal(damaged.status, 2, 'exit 2: a file needs a look');
  t.match(damaged.stderr, /^hicom-sim: .*PBX0001\.hcs: damaged at byte 8 \(record CRC mismatch, \d+ bytes\); kept as it is\n$/, 'one line naming file, offset and what is wrong');
  t.match(damaged.stdout, /^GOOD0001: 2 report\(s\) read, 2 new/m, 'the sound file is imported all the same');
  t.match(damaged.stdout, /^PBX0001: 0 report\(s\) read, 0 new, 0 already in the database — NEEDS A LOOK$/m, 'the damaged one is flagged');
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /PBX0001\.hcs: torn last record at byte 0 \(empty file\)/],
    ['truncated', record.subarray(0, record.length - 7), /PBX0001\.hcs: torn last record at byte 8 \(partial record: \d+ of \d+ bytes\)/],
    ['half a header', record.subarray(0, 5), /PBX0001\.hcs: torn last record at byte 0 \(partial file header\)/],
  ];
  for (const [what, bytes, message] of cases) {
    writeFileSync(spoilt, bytes);
    before = snapshot(dir);
    const r = await importCmd(dir, f.spec, f.stateDir);
    t.same(snapshot(dir), before, `${what}: every file byte-identical afterwards`);
    t.equal(r.status, 2, `${what}: exit 2`);
    t.match(r.stderr, message, `${what}: the line names file, offset and what is wrong`);
    t.equal(r.stderr.split('\n').length, 2, `${what}: one line on stderr`);
  }
  const missing = join(dir, 'no-such-dir');
  const r = await importCmd(missing, f.spec, f.stateDir);
  t.equal(r.status, 2, 'a missing directory exits 2');
  t.match(r.stderr, /^hicom-sim: cannot read centre directory .*no-such-dir: no such file or directory\n$/, 'naming it');
  t.notOk(existsSync(missing), 'and is not created');
});

t.test('--dir of earlier versions is answered with where the reports are now', async (t) => {
  const dir = tempDir(t);
  for (const cmd of [['centre', 'status', '--dir', dir], ['centre', 'receive', '--modem', 'tcp:127.0.0.1:1', '--dir', dir]]) {
    const r = await runCliAsync(cmd);
    t.equal(r.status, 2, `${cmd[1]} --dir: exit 2`);
    t.match(r.stderr, /keeps its reports in its database now .*centre import DIR/, `${cmd[1]} --dir: points to centre import`);
  }
});
