import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { CentreStore } from '../../src/centre/centre-store.js';
import { runCliAsync } from '../support/lab-child.js';
import { sampleReport, T0 } from '../support/sample-report.js';

/**
 * `hicom-sim centre status` only reads (issue 18): a flipped bit, an empty
 * or a truncated file is reported with file, offset and what is wrong, and
 * every byte stays; a missing directory is not created.
 */

/** A centre directory with one sound PBX file and one to spoil. */
function centreDir(dir: string): { sound: string; spoilt: string; record: Buffer } {
  const store = CentreStore.open(dir);
  store.appendReport(encodeReport(sampleReport({ systemId: 'GOOD0001' })), T0);
  store.appendReport(encodeReport(sampleReport()), T0 + 1000);
  return { sound: store.fileOf('GOOD0001'), spoilt: store.fileOf('PBX0001'), record: readFileSync(store.fileOf('PBX0001')) };
}

function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n)).toString('hex')]));
}

t.test('a flipped bit in the only record: reported and kept, not cut to the header', async (t) => {
  const dir = t.testdir();
  const { spoilt, record } = centreDir(dir);
  const flipped = Buffer.from(record);
  flipped[60] ^= 0x04;
  writeFileSync(spoilt, flipped);
  const before = snapshot(dir);
  const [text, json] = await Promise.all([runCliAsync(['centre', 'status', '--dir', dir]), runCliAsync(['centre', 'status', '--dir', dir, '--json'])]);
  t.same(snapshot(dir), before, 'every file of the directory is byte-identical afterwards, and no file was added');
  t.equal(statSync(spoilt).size, record.length, `the damaged file keeps its ${record.length} bytes`);
  t.equal(text.status, 2, 'exit 2: a file of the directory is damaged');
  t.match(text.stderr, /^hicom-sim: .*PBX0001\.hcs: damaged at byte 8 \(record CRC mismatch, \d+ bytes\); kept as it is\n$/, 'one line naming file, offset and what is wrong');
  t.match(text.stdout, /^GOOD0001 +1 +2 /m, 'the sound PBX is listed');
  t.match(text.stdout, /^PBX0001: DAMAGED — /m, 'the damaged one is flagged in the table');
  t.notMatch(text.stdout, /no reports yet/, 'it does not pretend there is nothing');
  const parsed = JSON.parse(json.stdout) as { systems: Array<{ systemId: string }>; problems: Array<{ systemId: string; damage: Array<{ offset: number; reason: string }> }> };
  t.same(parsed.problems.map((p) => [p.systemId, p.damage[0].offset, p.damage[0].reason]), [['PBX0001', 8, 'record CRC mismatch']], '--json carries the damage too');
});

t.test('empty and truncated files are reported as torn and left alone; a missing --dir is not created', async (t) => {
  const dir = t.testdir();
  const { spoilt, record } = centreDir(dir);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /PBX0001\.hcs: torn last record at byte 0 \(empty file\)/],
    ['truncated', record.subarray(0, record.length - 7), /PBX0001\.hcs: torn last record at byte 8 \(partial record: \d+ of \d+ bytes\)/],
    ['half a header', record.subarray(0, 5), /PBX0001\.hcs: torn last record at byte 0 \(partial file header\)/],
  ];
  for (const [what, bytes, message] of cases) {
    writeFileSync(spoilt, bytes);
    const before = snapshot(dir);
    const r = await runCliAsync(['centre', 'status', '--dir', dir]);
    t.same(snapshot(dir), before, `${what}: every file byte-identical afterwards`);
    t.equal(r.status, 2, `${what}: exit 2`);
    t.match(r.stderr, message, `${what}: the line names file, offset and what is wrong`);
    t.equal(r.stderr.split('\n').length, 2, `${what}: one line on stderr`);
  }
  const missing = join(dir, 'no-such-dir');
  const r = await runCliAsync(['centre', 'status', '--dir', missing]);
  t.equal(r.status, 2, 'a missing directory exits 2');
  t.match(r.stderr, /^hicom-sim: cannot read centre directory .*no-such-dir: no such file or directory\n$/, 'naming it');
  t.notOk(existsSync(missing), 'and is not created');
});

t.test('a sound directory: exit 0 and nothing written', async (t) => {
  const dir = t.testdir();
  centreDir(dir);
  const before = snapshot(dir);
  const r = await runCliAsync(['centre', 'status', '--dir', dir]);
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim()})`);
  t.match(r.stdout, /^PBX0001 +1 +2 /m, 'the PBX is listed with its report and errors');
  t.same(snapshot(dir), before, 'nothing changed');
});
