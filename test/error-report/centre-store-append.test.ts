import t from 'tap';
import { readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { CentreStore, CentreStoreError } from '../../src/centre/centre-store.js';
import { CENTRE_FILE_HEADER, encodeCentreRecord, parseCentreFile } from '../../src/centre/centre-file.js';
import { ReportDecodeError } from '../../src/centre/report-decoder.js';
import { MemoryLogger } from '../support/memory-logger.js';
import { sampleReport, T0 } from '../support/sample-report.js';

const r1 = sampleReport({ seq: 1 });
const r2 = sampleReport({ seq: 2, records: [{ ...r1.records[0], id: 9, text: 'Second error ✓' }] });
const r3 = sampleReport({ seq: 3, records: [] });

t.test('reports are appended to one file per PBX and read back in order', async (t) => {
  const dir = t.testdir();
  const store = CentreStore.open(dir);
  t.equal(store.appendReport(encodeReport(r1), T0 + 1).stored, true, 'first report stored');
  t.equal(store.appendReport(encodeReport(r2), T0 + 2).stored, true, 'second report stored');
  store.appendReport(encodeReport(sampleReport({ systemId: 'OTHER' })), T0 + 3);
  t.same(store.readReports('PBX0001').map((s) => [s.report.seq, s.receivedAt]), [[1, T0 + 1], [2, T0 + 2]], 'both reports of PBX0001 in order with centre times');
  t.same(store.readReports('PBX0001')[1].report, r2, 'the stored report decodes to what was sent');
  t.same(store.systems().map((s) => s.systemId), ['OTHER', 'PBX0001'], 'one entry per PBX');
  t.ok(readFileSync(store.fileOf('PBX0001')).subarray(0, 8).equals(CENTRE_FILE_HEADER), 'file starts with the centre-file header');
  const reopened = CentreStore.open(dir);
  t.same(reopened.systems(), store.systems(), 'a reopened store indexes the same summaries');
});

t.test('the same report re-sent after a lost ACK is stored once', async (t) => {
  const store = CentreStore.open(t.testdir());
  const bytes = encodeReport(r1);
  store.appendReport(bytes, T0);
  const size = statSync(store.fileOf('PBX0001')).size;
  t.equal(store.appendReport(bytes, T0 + 60_000).stored, false, 'the duplicate is recognised');
  t.equal(statSync(store.fileOf('PBX0001')).size, size, 'nothing was appended for it');
  t.equal(store.systems()[0].reports, 1, 'still one report');
});

t.test('invalid reports are refused before anything is written', async (t) => {
  const store = CentreStore.open(t.testdir());
  const bad = encodeReport(r1);
  bad[20] ^= 1;
  t.throws(() => store.appendReport(bad, T0), ReportDecodeError, 'corrupt report throws ReportDecodeError (receiver answers NAK FORMAT)');
  t.throws(() => store.appendReport(encodeReport(r1), Number.NaN), CentreStoreError, 'a bad receive time is refused');
  t.same(store.systems(), [], 'no PBX file was created');
});

t.test('a crash at any byte of the last append is repaired at the next open', async (t) => {
  const dir = t.testdir();
  const store = CentreStore.open(dir);
  store.appendReport(encodeReport(r1), T0 + 1);
  store.appendReport(encodeReport(r2), T0 + 2);
  const file = store.fileOf('PBX0001');
  const before = readFileSync(file);
  store.appendReport(encodeReport(r3), T0 + 3);
  const full = readFileSync(file);
  const wrong: number[] = [];
  const badCopies: number[] = [];
  let warnings = 0;
  for (let cut = before.length; cut < full.length; cut++) {
    writeFileSync(file, full.subarray(0, cut));
    const log = new MemoryLogger();
    const reopened = CentreStore.open(dir, { logger: log.logger });
    const seqs = reopened.readReports('PBX0001').map((s) => s.report.seq);
    if (JSON.stringify(seqs) !== '[1,2]' || !readFileSync(file).equals(before)) wrong.push(cut);
    if (cut > before.length) {
      if (log.find('torn tail from an interrupted append repaired')) warnings++;
      const copy = `${file}.torn-at-${before.length}${cut > before.length + 1 ? `.${cut - before.length}` : ''}`;
      if (!readFileSync(copy).equals(full.subarray(before.length, cut))) badCopies.push(cut);
    }
    reopened.appendReport(encodeReport(r3), T0 + 4);
    if (JSON.stringify(reopened.readReports('PBX0001').map((s) => s.report.seq)) !== '[1,2,3]') wrong.push(-cut);
  }
  t.same(wrong, [], `every cut inside the last record (${full.length - before.length} of them) leaves exactly the earlier records, and appending works again`);
  t.equal(warnings, full.length - before.length - 1, 'each repair was logged');
  t.same(badCopies, [], 'each repair kept a copy of exactly the bytes it cut, numbered when an earlier copy exists');
});

t.test('a zero-filled tail and a torn file header are repaired too', async (t) => {
  const dir = t.testdir();
  const store = CentreStore.open(dir);
  store.appendReport(encodeReport(r1), T0);
  const file = store.fileOf('PBX0001');
  const good = readFileSync(file);
  appendFileSync(file, Buffer.alloc(300));
  t.equal(CentreStore.open(dir).readReports('PBX0001').length, 1, 'zeros after the last record are cut');
  t.ok(readFileSync(file).equals(good), 'file is back to its last whole record');
  writeFileSync(file, CENTRE_FILE_HEADER.subarray(0, 5));
  const reopened = CentreStore.open(dir);
  t.ok(readFileSync(file).equals(CENTRE_FILE_HEADER), 'a half-written header is completed');
  reopened.appendReport(encodeReport(r1), T0);
  t.equal(reopened.readReports('PBX0001').length, 1, 'and the file takes reports again');
});

t.test('damage in the middle is not "repaired" away: the file is refused, not truncated', async (t) => {
  const dir = t.testdir();
  const store = CentreStore.open(dir);
  store.appendReport(encodeReport(r1), T0);
  store.appendReport(encodeReport(r2), T0);
  const file = store.fileOf('PBX0001');
  const damaged = readFileSync(file);
  damaged[30] ^= 0xff;
  writeFileSync(file, damaged);
  const parsed = parseCentreFile(damaged);
  t.same(parsed.damage.map((d) => [d.offset, d.reason]), [[8, 'record CRC mismatch']], 'the parser calls it damage at the first record, not a torn tail');
  t.same(parsed.reports.map((r) => r.report.seq), [2], 'and still reads the sound record after it');
  t.equal(parsed.tornTail, undefined, 'nothing is torn');
  const log = new MemoryLogger();
  const reopened = CentreStore.open(dir, { logger: log.logger });
  t.ok(readFileSync(file).equals(damaged), 'the damaged file is left as it was');
  t.match(reopened.unreadable().get('PBX0001'), /PBX0001\.hcs: damaged at byte 8 \(record CRC mismatch/, 'the store lists it as damaged, with the offset and what is wrong');
  t.ok(log.find('centre file damaged; kept as it is, reports for this PBX are refused until it is fixed'), 'and logs an error');
  t.throws(() => reopened.appendReport(encodeReport(r3), T0), CentreStoreError, 'appends for it are refused (receiver answers NAK STORE, the PBX keeps its errors)');
});

t.test('a complete last record with a bad CRC is damage: the writer keeps it', async (t) => {
  const dir = t.testdir();
  const store = CentreStore.open(dir);
  store.appendReport(encodeReport(r1), T0);
  const file = store.fileOf('PBX0001');
  for (const at of [8, 12, 40, readFileSync(file).length - 1]) {
    const damaged = readFileSync(join(dir, 'PBX0001.hcs'));
    const flipped = Buffer.from(damaged);
    flipped[at] ^= 0x10;
    writeFileSync(file, flipped);
    const reopened = CentreStore.open(dir);
    t.ok(readFileSync(file).equals(flipped), `a flipped bit at byte ${at} of the only record: the writer leaves all ${flipped.length} bytes`);
    t.ok(reopened.unreadable().has('PBX0001'), `byte ${at}: the file is listed as damaged`);
    t.same(readdirSync(dir).filter((n) => n.includes('torn')), [], `byte ${at}: nothing was cut, so no copy of a cut was made`);
    writeFileSync(file, damaged);
  }
});

t.test('a read-only store reads a torn or damaged directory and changes nothing', async (t) => {
  const dir = t.testdir();
  const store = CentreStore.open(dir);
  store.appendReport(encodeReport(r1), T0);
  store.appendReport(encodeReport(sampleReport({ systemId: 'OTHER' })), T0);
  const whole = readFileSync(store.fileOf('PBX0001'));
  const torn = Buffer.concat([whole, encodeCentreRecord(encodeReport(r2), T0).subarray(0, 10)]);
  writeFileSync(store.fileOf('PBX0001'), torn);
  const reader = CentreStore.openReadOnly(dir);
  t.ok(readFileSync(store.fileOf('PBX0001')).equals(torn), 'the torn file is not repaired by a reader');
  t.same(reader.problems().map((p) => [p.systemId, p.tornTail?.offset]), [['PBX0001', whole.length]], 'the torn tail is listed with its offset');
  t.same(reader.systems().map((s) => [s.systemId, s.reports]), [['OTHER', 1], ['PBX0001', 1]], 'the whole records are indexed');
  t.throws(() => reader.appendReport(encodeReport(r3), T0), CentreStoreError, 'a read-only store refuses appends');
  t.throws(() => CentreStore.openReadOnly(join(dir, 'missing')), /cannot read centre directory .*missing: no such file or directory/, 'a missing directory is an error, not created');
});
