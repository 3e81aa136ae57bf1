import t from 'tap';
import { encodeReport, pbxTypeCode, pbxTypeFromCode, ReportEncodeError, REPORT_MAGIC, signaledRecords } from '../../firmware-sim/error-report.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { decodeReport } from '../../src/centre/report-decoder.js';
import { sampleReport, T0 } from '../support/sample-report.js';

t.test('a report survives encode → decode unchanged', async (t) => {
  const report = sampleReport();
  const bytes = encodeReport(report);
  t.ok(bytes.subarray(0, 4).equals(REPORT_MAGIC), 'report starts with the magic');
  t.equal(bytes.readUInt32BE(6), bytes.length, 'length field is the whole report');
  t.same(decodeReport(bytes), report, 'decoded report equals the original');
});

t.test('odd and unicode strings round-trip byte-exactly', async (t) => {
  const odd = ['', 'Ümlaut äöüß', '漢字テキスト', 'emoji 📞☎', 'nul\u0000inside', 'tab\tcr\rlf\n', '\u{10FFFF}', 'x'.repeat(1024)];
  const records = odd.map((text, i) => ({ id: i + 1, time: T0 + i, cls: 'C' as const, code: i, location: odd[(i + 3) % odd.length].slice(0, 60), text, pseudo: false }));
  const report = sampleReport({ records, systemId: 'a.b_c-D', pbxType: PbxType.OfficePoint, apsVersion: '', seq: 0xffff_ffff, time: 0 });
  t.same(decodeReport(encodeReport(report)), report, 'every odd string and the extreme header values come back as they went in');
});

t.test('an empty report (no records) is valid', async (t) => {
  const report = sampleReport({ records: [] });
  t.same(decodeReport(encodeReport(report)), report, 'zero records round-trip');
});

t.test('the encoder refuses what the format cannot carry', async (t) => {
  const bad: Array<[string, Parameters<typeof sampleReport>[0]]> = [
    ['empty system id', { systemId: '' }],
    ['17-char system id', { systemId: 'X'.repeat(17) }],
    ['system id with a slash', { systemId: '../etc' }],
    ['system id with leading dot', { systemId: '.hidden' }],
    ['non-ASCII APS version', { apsVersion: 'HE300Ü' }],
    ['negative seq', { seq: -1 }],
    ['seq above 32 bits', { seq: 2 ** 32 }],
    ['fractional time', { time: 1.5 }],
    ['lone surrogate in text', { records: [{ ...sampleReport().records[0], text: 'bad \ud800' }] }],
    ['text too long', { records: [{ ...sampleReport().records[0], text: 'é'.repeat(513) }] }],
    ['code above 16 bits', { records: [{ ...sampleReport().records[0], code: 0x10000 }] }],
    ['unknown class', { records: [{ ...sampleReport().records[0], cls: 'D' as 'A' }] }],
    ['unknown PBX type', { pbxType: 'OfficeMax' as PbxType }],
  ];
  for (const [what, override] of bad) {
    t.throws(() => encodeReport(sampleReport(override)), ReportEncodeError, `${what} is refused with ReportEncodeError`);
  }
});

t.test('only class-B errors and pseudo errors are signaled', async (t) => {
  const base = sampleReport().records[0];
  const records = [
    { ...base, id: 1, cls: 'A' as const },
    { ...base, id: 2, cls: 'B' as const },
    { ...base, id: 3, cls: 'C' as const },
    { ...base, id: 4, cls: 'B' as const, pseudo: true },
  ];
  t.same(signaledRecords(records).map((r) => r.id), [2, 4], 'classes A and C are left out');
});

t.test('every PBX type survives the round trip under its wire code, and no other code names one', async (t) => {
  for (const pbxType of Object.values(PbxType)) {
    const bytes = encodeReport(sampleReport({ pbxType }));
    t.equal(bytes[26], pbxTypeCode(pbxType), `${pbxType} is sent as ${pbxTypeCode(pbxType)}`);
    t.equal(decodeReport(bytes).pbxType, pbxType, `${pbxType} comes back`);
  }
  t.same([0, 1, 2, 3, 4, 255].map(pbxTypeFromCode), [undefined, PbxType.OfficePoint, PbxType.OfficeCom, PbxType.OfficePro, undefined, undefined], 'codes 1–3 only');
});
