import t from 'tap';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendEntries, createArchive } from '../../src/revisor/archive-file.js';
import { HEADER, sampleEntries } from '../support/archive-fixture.js';
import { runCli } from '../support/lab-child.js';

function goodArchive(dir: string, name = 'good.arc'): string {
  const p = join(dir, name);
  createArchive(p, HEADER);
  appendEntries(p, sampleEntries(1, 25));
  return p;
}

t.test('verify: a good archive passes, with and without the PBX check', async (t) => {
  const p = goodArchive(t.testdir());
  const r = runCli(['archive', 'verify', p]);
  t.equal(r.status, 0, `exit 0 (${r.stderr})`);
  t.match(r.stdout, /OK — system 4711-0815 \(Musterfirma GmbH, Hicom 150 E\), 25 entries, seq 1-25/, 'summary line');
  t.equal(runCli(['archive', 'verify', p, '--system-id', '4711-0815']).status, 0, 'matching system id passes');
});

t.test('verify: tampered, truncated and foreign archives fail with a clear message', async (t) => {
  const dir = t.testdir();
  const tampered = goodArchive(dir, 'tampered.arc');
  writeFileSync(tampered, readFileSync(tampered, 'utf8').replace('D1-1 #2', 'D1-1 #X'));
  let r = runCli(['archive', 'verify', tampered]);
  t.equal(r.status, 2, 'tampered: exit 2 (the file given is bad)');
  t.match(r.stdout, /tampered\.arc:8: hash chain broken at seq 2/, 'tampered: the line is named');
  t.match(r.stderr, /^hicom-sim: .*tampered\.arc FAILED verification: hash chain broken at seq 2: .*\n$/, 'tampered: one line naming the problem');

  const truncated = goodArchive(dir, 'truncated.arc');
  truncateSync(truncated, readFileSync(truncated).length - 30);
  r = runCli(['archive', 'verify', truncated]);
  t.equal(r.status, 2, 'truncated: exit 2');
  t.match(r.stdout, /incomplete line/, 'truncated: reported');

  const cut = goodArchive(dir, 'cut.arc');
  const whole = readFileSync(cut, 'utf8').split('\n');
  writeFileSync(cut, `${whole.slice(0, -4).join('\n')}\n`); // the last three entry lines, removed at line boundaries
  r = runCli(['archive', 'verify', cut]);
  t.equal(r.status, 2, 'cut at a line boundary: exit 2, not OK');
  t.match(r.stderr, /cut\.arc FAILED verification: archive was cut or its end changed: the seal says 25 entries up to seq 25, the file has 22 up to seq 22/, 'cut at a line boundary: the seal names what is missing');

  const foreign = goodArchive(dir, 'foreign.arc');
  r = runCli(['archive', 'verify', foreign, '--system-id', '1234']);
  t.equal(r.status, 2, 'foreign: exit 2');
  t.match(r.stdout, /belongs to system 4711-0815, not 1234/, 'foreign: reported');

  r = runCli(['archive', 'verify', join(dir, 'nope.arc')]);
  t.equal(r.status, 2, 'missing file: exit 2');
  t.match(r.stderr, /^hicom-sim: cannot read archive .*nope\.arc: no such file or directory\n$/, 'missing file: clear error, no stack');
});

t.test('view and verify of files that are not archives at all say so', async (t) => {
  const dir = t.testdir({ 'garbage.arc': Buffer.from([0x00, 0xff, 0x13, 0x37, 0x42]), 'image.aps': Buffer.concat([Buffer.from('HICOMAPS'), Buffer.alloc(200, 7)]), 'empty.arc': '' });
  for (const name of ['garbage.arc', 'image.aps', 'empty.arc']) {
    for (const verb of ['view', 'verify']) {
      const r = runCli(['archive', verb, join(dir, name)]);
      t.equal(r.status, 2, `${verb} ${name}: exit 2`);
      t.match(r.stderr, /not a hicom-sim protocol archive/, `${verb} ${name}: says it is not an archive`);
      t.notMatch(r.stderr + r.stdout, /incomplete line/, `${verb} ${name}: not mistaken for an interrupted append`);
    }
  }
});

t.test('view: printable text, date filters, and bad dates', async (t) => {
  const p = goodArchive(t.testdir());
  const r = runCli(['archive', 'view', p]);
  t.equal(r.status, 0, 'exit 0');
  const lines = r.stdout.trimEnd().split('\n');
  t.equal(lines[0], 'Protocol archive of Musterfirma GmbH, Hicom 150 E (system 4711-0815), created 2026-01-05T08:00:00.000Z', 'header line');
  t.equal(lines.length, 27, 'header, blank line and 25 entries');
  t.notMatch(r.stdout, /#[0-9a-f]{64}/, 'no hash noise in the printout');
  const filtered = runCli(['archive', 'view', p, '--from', '2026-01-06', '--to', '2026-01-06']).stdout.trimEnd().split('\n').slice(2);
  t.same(filtered.map((l) => l.slice(0, 6)), ['000010', '000011', '000012', '000013', '000014', '000015', '000016', '000017', '000018', '000019'], 'only 6 January');
  for (const [option, date] of [['--from', '2026-02-30'], ['--from', '2026-13-01'], ['--from', '2026-00-10'], ['--to', '2026-14-01'], ['--to', '26-01-01']]) {
    const bad = runCli(['archive', 'view', p, option, date]);
    t.equal(bad.status, 2, `${option} ${date}: exit 2`);
    t.match(bad.stderr, new RegExp(`^hicom-sim: archive view: option '${option} <date>' argument '${date}' is invalid\\. It must be a calendar day`), `${option} ${date}: one clear line`);
    t.equal(bad.stdout, '', `${option} ${date}: no listing`);
  }
});
