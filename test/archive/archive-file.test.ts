import t from 'tap';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendEntries, ArchiveError, createArchive, entryHash, openArchiveForAppend, verifyArchive } from '../../src/revisor/archive-file.js';
import { HEADER, sampleEntries } from '../support/archive-fixture.js';

t.test('create, append twice, verify: entries and tail match the PBX mark', async (t) => {
  const path = join(t.testdir(), 'pbx.arc');
  const empty = createArchive(path, HEADER);
  t.equal(empty.seq, 0, 'a new archive has no entries');
  t.throws(() => createArchive(path, HEADER), ArchiveError, 'an existing archive is never overwritten');
  const first = sampleEntries(1, 5);
  appendEntries(path, first);
  const tail = openArchiveForAppend(path, HEADER.systemId);
  t.same(tail.mark, { seq: 5, hash: entryHash(first[4]) }, 'tail is in ArchiveMark form');
  const second = sampleEntries(8, 3); // seq 6, 7 were overwritten in the PBX: gaps are allowed
  const after = appendEntries(path, second);
  t.same(after.mark, { seq: 10, hash: entryHash(second[2]) }, 'append returns the new tail');
  const r = verifyArchive(path, { systemId: HEADER.systemId });
  t.ok(r.ok, `verifies: ${JSON.stringify(r.problems)}`);
  t.same(r.entries, [...first, ...second].map((e) => ({ ...e, time: Math.floor(e.time / 1000) * 1000 })), 'every entry read back');
  t.match(readFileSync(path, 'utf8'), /\n000001 05\.01\.2026 08:00:01 pnkm {13}A \(1\) AMO-PERSI STNO=201 NAME="Müller" #1 #[0-9a-f]{64}\n/, 'plain-text printout lines');
  t.throws(() => appendEntries(path, sampleEntries(9, 1)), /does not continue the archive/, 'an entry already archived is refused');
});

t.test('edits, deletions and reordering break the chain', async (t) => {
  const dir = t.testdir();
  const make = (name: string) => {
    const p = join(dir, name);
    createArchive(p, HEADER);
    appendEntries(p, sampleEntries(1, 6));
    return p;
  };
  const lines = (p: string) => readFileSync(p, 'utf8').split('\n');
  const edited = make('edited.arc');
  writeFileSync(edited, readFileSync(edited, 'utf8').replace('NAME="Müller" #1', 'NAME="Meier" #1'));
  t.match(verifyArchive(edited).problems, [{ line: 7, message: /hash chain broken at seq 1/ }], 'edited command found');
  const deleted = make('deleted.arc');
  const d = lines(deleted);
  d.splice(8, 1); // seq 3
  writeFileSync(deleted, d.join('\n'));
  const deletedProblems = verifyArchive(deleted).problems;
  t.match(deletedProblems, [{ line: 9, message: /hash chain broken at seq 4/ }], 'deleted line found');
  t.equal(deletedProblems.length, 1, 'and reported once: the seal still matches the end');
  const swapped = make('swapped.arc');
  const s = lines(swapped);
  [s[6], s[7]] = [s[7], s[6]];
  writeFileSync(swapped, s.join('\n'));
  t.notOk(verifyArchive(swapped).ok, 'reordered lines found');
  const renamed = make('renamed.arc');
  writeFileSync(renamed, readFileSync(renamed, 'utf8').replace('# pbx: Musterfirma', '# pbx: Other'));
  t.match(verifyArchive(renamed).problems, [{ message: /hash chain broken at seq 1/ }], 'a changed header breaks the chain too');
  t.throws(() => openArchiveForAppend(edited, HEADER.systemId), /refused: line 7/, 'a tampered archive is refused for archiving');
});

t.test('foreign, non-archive and unreadable files', async (t) => {
  const dir = t.testdir({ 'notes.txt': 'hello\n' });
  const p = join(dir, 'a.arc');
  createArchive(p, HEADER);
  t.throws(() => openArchiveForAppend(p, '9999'), /belongs to system 4711-0815, not 9999/, 'foreign PBX refused');
  t.match(verifyArchive(join(dir, 'notes.txt')).problems, [{ message: /not a hicom-sim protocol archive/ }], 'other files flagged');
  t.throws(() => verifyArchive(join(dir, 'missing.arc')), /cannot read archive .*missing\.arc: no such file or directory/, 'missing file is a clear error');
  t.throws(() => createArchive(join(dir, 'b.arc'), { ...HEADER, pbxName: 'a\nb' }), ArchiveError, 'header fields are one line');
});

t.test('an interrupted append leaves a torn tail that is detected, refused, and repairable', async (t) => {
  const p = join(t.testdir(), 'torn.arc');
  createArchive(p, HEADER);
  appendEntries(p, sampleEntries(1, 3));
  appendFileSync(p, '000004 05.01.2026 08:00:04 rev   ');
  const r = verifyArchive(p);
  t.equal(r.tornBytes, 33, 'torn bytes counted');
  t.match(r.problems, [{ line: 0, message: /incomplete line/ }], 'verify reports it');
  t.throws(() => appendEntries(p, sampleEntries(4, 1)), /incomplete line/, 'appending refuses a torn archive');
  t.throws(() => openArchiveForAppend(p, HEADER.systemId), /repair it to continue/, 'opening without repair refuses');
  const tail = openArchiveForAppend(p, HEADER.systemId, { repairTornTail: true });
  t.equal(tail.seq, 3, 'repair keeps the confirmed entries');
  appendEntries(p, sampleEntries(4, 2));
  t.ok(verifyArchive(p).ok, 'the repaired archive continues cleanly');
});

t.test('the seal: a cut at a line boundary is noticed; a format 1 archive still reads and is sealed at its next append', async (t) => {
  const dir = t.testdir();
  const p = join(dir, 'sealed.arc');
  createArchive(p, HEADER);
  appendEntries(p, sampleEntries(1, 4));
  appendEntries(p, sampleEntries(5, 3));
  const text = readFileSync(p, 'utf8');
  t.match(text, /^# sealed: 7 entries up to seq 7, chain [0-9a-f]{64}$/m, 'the header carries the seal of the last append');
  const lines = text.split('\n');
  for (const keep of [6, 9, 12]) {
    // Cut after the header, after the first run's 3rd entry, after the first run: each ends on a whole line.
    writeFileSync(p, `${lines.slice(0, keep).join('\n')}\n`);
    const r = verifyArchive(p);
    t.notOk(r.ok, `cut to ${keep} lines: does not verify`);
    t.match(r.problems, [{ line: 5, message: /archive was cut or its end changed: the seal says 7 entries up to seq 7/ }], `cut to ${keep} lines: the seal line names it`);
    t.throws(() => appendEntries(p, sampleEntries(8, 1)), /refused: line 5: archive was cut/, `cut to ${keep} lines: archiving into it is refused`);
  }
  writeFileSync(p, text);
  t.ok(verifyArchive(p).ok, 'the whole file verifies again');

  // A format 1 archive: the same lines without the seal (as written before it existed).
  const old = join(dir, 'format1.arc');
  const format1 = text.replace('format 2', 'format 1').replace(/^# sealed: .*\n/m, '');
  writeFileSync(old, format1);
  const r1 = verifyArchive(old);
  t.ok(r1.ok, `a format 1 archive verifies as before: ${JSON.stringify(r1.problems)}`);
  t.equal(r1.tail?.format, 1, 'and is known as format 1');
  appendEntries(old, sampleEntries(8, 2));
  const r2 = verifyArchive(old);
  t.ok(r2.ok && r2.tail?.format === 2 && r2.entries.length === 9, 'the next append seals it as format 2 with every entry');
  t.match(readFileSync(old, 'utf8'), /^# hicom-sim protocol archive, format 2\n(.*\n){3}# sealed: 9 entries up to seq 9, /, 'magic and seal are rewritten');
  t.same(readdirSync(dir).sort(), ['format1.arc', 'sealed.arc'], 'no temp file is left beside the archives');
});
