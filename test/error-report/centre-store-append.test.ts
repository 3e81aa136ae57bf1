import t from 'tap';
import { readFileSync, statSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { CentreStore, CentreStoreError } from '../../src/centre/centre-store.js';
import { CENTRE_FILE_HEADER, CentreFileError, parseCentreFile } from '../../src/centre/centre-file.js';
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
  let warnings = 0;
  for (let cut = before.length; cut < full.length; cut++) {
    writeFileSync(file, full.subarray(0, cut));
    const log = new MemoryLogger();
    const reopened = CentreStore.open(dir, { logger: log.logger });
    const seqs = reopened.readReports('PBX0001').map((s) => s.report.seq);
    if (JSON.stringify(seqs) !== '[1,2]' || !readFileSync(file).equals(before)) wrong.push(cut);
    if (cut > before.length && log.find('torn tail from an interrupted append repaired')) warnings++;
    reopened.appendReport(encodeReport(r3), T0 + 4);
    if (JSON.stringify(reopened.readReports('PBX0001').map((s) => s.report.seq)) !== '[1,2,3]') wrong.push(-cut);
  }
  t.same(wrong, [], `every cut inside the last record (${full.length - before.length} of them) leaves exactly the earlier records, and appending works again`);
  t.equal(warnings, full.length - before.length - 1, 'each repair was logged');
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
  t.throws(() => parseCentreFile(damaged), CentreFileError, 'the parser calls it damage, not a torn tail');
  const log = new MemoryLogger();
  const reopened = CentreStore.open(dir, { logger: log.logger });
  t.ok(readFileSync(file).equals(damaged), 'the damaged file is left as it was');
  t.ok(reopened.unreadable().has('PBX0001'), 'the store lists it as unreadable');
  t.ok(log.find('centre file unreadable; reports for this PBX are refused until it is fixed'), 'and logs an error');
  t.throws(() => reopened.appendReport(encodeReport(r3), T0), CentreStoreError, 'appends for it are refused (receiver answers NAK STORE, the PBX keeps its errors)');
});
