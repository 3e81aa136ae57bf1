import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { formatEntry } from '../../firmware-sim/protocol-log.js';
import type { Pbx } from '../../firmware-sim/pbx.js';
import { verifyArchive } from '../../src/revisor/archive-file.js';
import { ArchiveShelf } from '../../src/maintenance/archive-shelf.js';
import { PbxLink } from '../support/pbx-link.js';
import { logChanges, RecordingLog, REV, revisorPbx } from '../support/revisor-fixtures.js';

/**
 * The centre's yearly archives: one `.arc` per PBX and year, each run by the
 * revisor's rules; the first run of a year continues from the last year's
 * file, even when it was interrupted before its commit reached the PBX.
 */

const at = (y: number, m = 1, d = 2): number => Date.UTC(y, m - 1, d, 21, 0);

async function archiveRun(shelf: ArchiveShelf, pbx: Pbx, when: number, kill = false) {
  const link = new PbxLink(pbx);
  try {
    await link.client.login(REV.name, REV.password);
    return await shelf.archive(link.client, pbx.systemId, when, kill ? { beforeCommit: () => { link.cut(); throw new Error('centre killed'); } } : {});
  } catch (err) {
    return err as Error;
  } finally {
    link.cut();
  }
}

t.test('one file per year: each continues the last, nothing archived twice, nothing lost, even when a new year\'s first run is cut before its commit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hicom-shelf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = new RecordingLog();
  const { pbx } = revisorPbx({ log });
  const shelf = new ArchiveShelf(dir);
  const id = pbx.systemId;

  const first = await archiveRun(shelf, pbx, at(2026, 12, 30));
  t.notOk(first instanceof Error, `the first archive of 2026: ${String(first)}`);
  logChanges(pbx, 5);
  const cut = await archiveRun(shelf, pbx, at(2027), true);
  t.match(String(cut), /centre killed/, 'the first run of 2027 dies between its append and the commit');
  t.same(shelf.years(id), [2026, 2027], '2027\'s file exists, with entries the PBX still holds');
  logChanges(pbx, 3);
  const again = await archiveRun(shelf, pbx, at(2027, 1, 3));
  t.notOk(again instanceof Error, `the next night continues 2027's file against the mark in 2026's: ${String(again)}`);
  if (again instanceof Error) return;
  t.equal(again.previous, shelf.fileFor(id, 2026), 'checked against last year\'s file');
  t.ok(again.skipped > 0, `the entries of the cut run are recognised and not written again (${again.skipped})`);
  logChanges(pbx, 2);
  const later = await archiveRun(shelf, pbx, at(2027, 6, 1));
  t.notOk(later instanceof Error, `a run inside 2027 continues its file: ${String(later)}`);

  const files = [2026, 2027].map((y) => verifyArchive(shelf.fileFor(id, y)));
  t.ok(files.every((f) => f.ok), `both files verify: ${JSON.stringify(files.map((f) => f.problems))}`);
  const archived = files.flatMap((f) => f.entries);
  const seqs = archived.map((e) => e.seq);
  t.same(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'no entry in two files or twice in one, in order');
  t.ok(files[1].entries[0].seq > files[0].entries.at(-1)!.seq, '2027 starts after 2026 ends');
  const inPbx = new Map(pbx.log.read().map((e) => [e.seq, formatEntry(e)]));
  const inFiles = new Map(archived.map((e) => [e.seq, formatEntry(e)]));
  t.same([...log.ledger.keys()].filter((s) => !inFiles.has(s) && !inPbx.has(s)), [], 'no entry the PBX ever logged is lost');
  t.same([...inFiles].filter(([s, text]) => log.ledger.get(s) !== text).map(([s]) => s), [], 'archived entries are the PBX\'s, unchanged');
});

t.test('a year\'s first file is refused when last year\'s is not this PBX\'s previous archive', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hicom-shelf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { pbx } = revisorPbx();
  const shelf = new ArchiveShelf(dir);
  t.notOk((await archiveRun(shelf, pbx, at(2026, 12, 30))) instanceof Error, 'the first archive');
  logChanges(pbx, 2);
  // A second run into another year file, skipping the centre's shelf: the 2026 file no longer ends at the mark.
  const elsewhere = new ArchiveShelf(mkdtempSync(join(tmpdir(), 'hicom-shelf-other-')));
  t.teardown(() => rmSync(elsewhere.dir, { recursive: true, force: true }));
  const before = pbx.log.read().map((e) => e.seq);
  const r = await archiveRun(elsewhere, pbx, at(2027));
  t.match(String(r), /archived up to seq \d+ before/, `without last year's file a new year is refused: ${String(r)}`);
  const after = new Set(pbx.log.read().map((e) => e.seq));
  t.same(before.filter((s) => !after.has(s)), [], 'and nothing was deleted in the PBX');
});
