import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { FUNCTION_TEST_MARK } from '../../src/centre/report-text.js';
import { writeCentreFile } from '../support/centre-file-fixture.js';
import { CLI, runCliAsync } from '../support/lab-child.js';
import { sampleReport, T0 } from '../support/sample-report.js';

/** End to end through the built CLI; `npx tsc -p .` (or `npm test`'s pretest) builds dist/ first. */
t.before(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run "npx tsc -p ." first`);
});

t.test('a single report prints as text and as JSON', async (t) => {
  const file = join(t.testdir(), 'report.bin');
  writeFileSync(file, encodeReport(sampleReport()));
  const [text, json] = await Promise.all([runCliAsync(['report', 'decode', file]), runCliAsync(['report', 'decode', file, '--json'])]);
  t.equal(text.status, 0, 'exit 0');
  const lines = text.stdout.trimEnd().split('\n');
  t.equal(lines[0], 'report 42 from PBX0001 (OfficePro, APS HE300M.00.001.01), built 2026-01-05 08:03:00 UTC, 2 errors', 'header line');
  t.equal(lines[1], '  2026-01-05 08:01:00  B  0x0210  S1/P3  Trunk 3 no dial tone', 'error line: date time class code location text');
  t.equal(lines[2], `  2026-01-05 08:02:00  B  0xfff0  -  Function test  ${FUNCTION_TEST_MARK}`, 'the pseudo error is marked as function test');
  t.equal(json.status, 0, 'exit 0 with --json');
  const parsed = JSON.parse(json.stdout) as { kind: string; reports: Array<{ seq: number; records: Array<{ pseudo: boolean; timeIso: string }> }> };
  t.equal(parsed.kind, 'report', 'kind is report');
  t.same(parsed.reports[0].records.map((r) => r.pseudo), [false, true], 'pseudo flags in JSON');
  t.equal(parsed.reports[0].records[0].timeIso, '2026-01-05T08:01:00.000Z', 'ISO times in JSON');
});

t.test('a centre file prints every report with its reception time', async (t) => {
  const file = writeCentreFile(t.testdir(), 'PBX0001', [{ report: sampleReport({ seq: 1 }), receivedAt: T0 + 3600_000 }, { report: sampleReport({ seq: 2, records: [] }), receivedAt: T0 + 7200_000 }]);
  const [text, jsonRun] = await Promise.all([runCliAsync(['report', 'decode', file]), runCliAsync(['report', 'decode', file, '--json'])]);
  t.equal(text.status, 0, 'exit 0');
  t.match(text.stdout, /^report 1 from PBX0001 .*received 2026-01-05 09:00:00, 2 errors\n/, 'first block with reception time');
  t.match(text.stdout, /\n\nreport 2 from PBX0001 .*, 0 errors\n$/, 'second block after a blank line');
  const json = JSON.parse(jsonRun.stdout) as { kind: string; reports: Array<{ seq: number; receivedAt: number }> };
  t.equal(json.kind, 'centre-file', 'kind is centre-file');
  t.same(json.reports.map((r) => [r.seq, r.receivedAt]), [[1, T0 + 3600_000], [2, T0 + 7200_000]], 'both reports with reception times');
});

t.test('corrupt, truncated and foreign files fail clearly with a non-zero exit', async (t) => {
  const dir = t.testdir();
  const good = encodeReport(sampleReport());
  const flipped = Buffer.from(good);
  flipped[50] ^= 1;
  const cases: Array<[string, Buffer | null, RegExp]> = [
    ['truncated.bin', good.subarray(0, good.length - 3), /truncated report: \d+ of \d+ bytes/],
    ['corrupt.bin', flipped, /report CRC mismatch/],
    ['foreign.txt', Buffer.from('hello world\n'), /not an error report: magic/],
    ['empty.bin', Buffer.alloc(0), /truncated report: 0 bytes/],
    ['missing.bin', null, /cannot read .*missing\.bin: no such file or directory/],
  ];
  for (const [name, content] of cases) if (content) writeFileSync(join(dir, name), content);
  // One --json run is enough to show the flag does not change failure handling; the rest run in parallel to keep the file fast.
  const runs = cases.map(([name, , message], i) => ({ name, message, flags: i === 1 ? ['--json'] : [] }));
  const results = await Promise.all(runs.map(({ name, flags }) => runCliAsync(['report', 'decode', join(dir, name), ...flags])));
  runs.forEach(({ name, message, flags }, i) => {
    const r = results[i];
    const what = `${name}${flags.length ? ' --json' : ''}`;
    t.not(r.status, 0, `${what}: non-zero exit`);
    t.match(r.stderr, message, `${what}: clear message`);
    t.equal(r.stdout, '', `${what}: nothing on stdout`);
    t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
  });
});

t.test('a centre file with a torn tail prints the whole reports, then fails', async (t) => {
  const file = writeCentreFile(t.testdir(), 'PBX0001', [{ report: sampleReport(), receivedAt: T0 }]);
  writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from([0, 0, 0, 80, 1, 2])]));
  const r = await runCliAsync(['report', 'decode', file]);
  t.equal(r.status, 2, 'exit 2 (bad input)');
  t.match(r.stdout, /^report 42 from PBX0001/, 'the whole report is still printed');
  t.match(r.stderr, /torn last record at byte \d+ \(6 bytes, partial record/, 'the torn tail is named');
});
