import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Pbx } from '../../firmware-sim/pbx.js';
import { appendEntries, createArchive, verifyArchive } from '../../src/revisor/archive-file.js';
import { archiveToFile, RevisorError, type ArchiveOptions, type ArchiveResult } from '../../src/revisor/revisor-client.js';
import { PbxLink } from '../support/pbx-link.js';
import { logChanges, RecordingLog, REV, revisorPbx } from '../support/revisor-fixtures.js';

/**
 * `revisor archive` first checks that the file exists, belongs to this PBX
 * and is its previous archive; tampered, truncated, foreign or outdated
 * files are refused before anything is deleted, and `archive verify`
 * flags what it can see in the file alone.
 */

const dir = mkdtempSync(join(tmpdir(), 'hicom-refuse-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function run(pbx: Pbx, file: string, options: ArchiveOptions = {}): Promise<ArchiveResult> {
  const link = new PbxLink(pbx);
  try {
    await link.client.login(REV.name, REV.password);
    return await archiveToFile(link.client, file, options);
  } finally {
    link.cut();
  }
}

/** A PBX archived twice into one file, with new entries waiting. */
async function archived(): Promise<{ pbx: Pbx; log: RecordingLog; file: string }> {
  const log = new RecordingLog();
  const { pbx } = revisorPbx({ log });
  const file = join(dir, `pbx${n++}.arc`);
  logChanges(pbx, 5);
  await run(pbx, file, { create: true });
  logChanges(pbx, 5);
  await run(pbx, file);
  logChanges(pbx, 5);
  return { pbx, log, file };
}

async function refused(t: Test, what: string, pbx: Pbx, log: RecordingLog, file: string, pattern: RegExp, options: ArchiveOptions = {}): Promise<void> {
  const mark = log.archiveMark();
  const count = log.read().length;
  const last = log.lastSeq();
  const before = existsSync(file) ? readFileSync(file) : undefined;
  await t.rejects(run(pbx, file, options), pattern, `${what}: refused`);
  t.same(log.archiveMark(), mark, `${what}: the PBX's mark is unchanged`);
  t.ok(log.read().length >= count, `${what}: nothing deleted in the PBX`);
  t.notOk(log.read(last + 1).some((e) => e.command.startsWith('D1-1')), `${what}: no D1-1 logged`);
  if (before) t.same(readFileSync(file), before, `${what}: the file is untouched`);
}

t.test('missing file, --new on an existing file, --new after earlier archiving', async (t) => {
  const { pbx, log, file } = await archived();
  await refused(t, 'missing file', pbx, log, join(dir, 'nope.arc'), /does not exist; give --new/);
  await refused(t, '--new on an existing file', pbx, log, file, /exists; leave out --new/, { create: true });
  await refused(t, '--new when the PBX archived before', pbx, log, join(dir, 'fresh.arc'), /archived up to seq \d+ before: continue that archive file/, { create: true });
  t.notOk(existsSync(join(dir, 'fresh.arc')), 'no new file was created');
});

t.test('a foreign archive (another PBX) is refused', async (t) => {
  const { pbx, log } = await archived();
  const foreign = join(dir, `foreign${n++}.arc`);
  createArchive(foreign, { systemId: 'HSIM-9999', pbxName: 'elsewhere', created: '2026-01-01T00:00:00.000Z' });
  await refused(t, 'foreign archive', pbx, log, foreign, /belongs to PBX HSIM-9999, not to HSIM-0001/);
});

t.test('a tampered archive is refused and flagged by verify', async (t) => {
  const { pbx, log, file } = await archived();
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/"n1"/, '"n9"'));
  t.notOk(verifyArchive(file).ok, 'verify flags the edit');
  t.match(verifyArchive(file).problems[0].message, /hash chain broken/, 'as a broken chain');
  await refused(t, 'tampered archive', pbx, log, file, /refused: line \d+: hash chain broken/);
});

t.test('a truncated or outdated archive is refused', async (t) => {
  const log = new RecordingLog();
  const { pbx } = revisorPbx({ log });
  const file = join(dir, `pbx${n++}.arc`);
  const old = `${file}.old`;
  logChanges(pbx, 5);
  await run(pbx, file, { create: true });
  copyFileSync(file, old); // the archive as it was after the first run
  logChanges(pbx, 5);
  await run(pbx, file);
  logChanges(pbx, 5);
  t.ok(verifyArchive(old).ok, 'an outdated copy verifies on its own: it is a whole, sealed archive');
  await refused(t, 'outdated copy', pbx, log, old, /ends at seq \d+, but the PBX archived up to \d+: it is not the latest archive/);
  const cut = `${file}.cut`;
  const lines = readFileSync(file, 'utf8').split('\n');
  writeFileSync(cut, `${lines.slice(0, -3).join('\n')}\n`);
  t.match(verifyArchive(cut).problems, [{ line: 5, message: /archive was cut/ }], 'a copy cut at a line boundary is flagged by its seal');
  await refused(t, 'truncated at a line', pbx, log, cut, /refused: line 5: archive was cut/);
  const torn = `${file}.torn`;
  copyFileSync(file, torn);
  truncateSync(torn, readFileSync(file).length - 30);
  t.notOk(verifyArchive(torn).ok, 'verify flags a file cut inside a line');
  t.match(verifyArchive(torn).problems[0].message, /incomplete line/, 'as an incomplete last line');
  await refused(t, 'truncated inside the last line', pbx, log, torn, /refused: line 5: archive was cut/);
  const headless = `${file}.headless`;
  writeFileSync(headless, readFileSync(file, 'utf8').split('\n').slice(2).join('\n'));
  await refused(t, 'header cut off', pbx, log, headless, /not a hicom-sim protocol archive/);
});

t.test('a torn line from an append whose commit never happened is cut and re-archived', async (t) => {
  const { pbx, log, file } = await archived();
  appendFileSync(file, '000099 01.01.2026 00:00:00 pnkm  ');
  const r = await run(pbx, file);
  t.ok(r.repairedTornBytes > 0, 'the torn bytes were reported and cut');
  t.ok(verifyArchive(file).ok, 'the archive verifies again');
  t.equal(log.archiveMark()?.seq, r.committedSeq, 'and the run committed');
});

t.test('a file whose entries after the mark differ from the PBX\'s is refused', async (t) => {
  const { pbx, log, file } = await archived();
  // Another PBX state: entries written after the mark that this PBX never handed out.
  const fake = `${file}.fake`;
  copyFileSync(file, fake);
  const next = log.lastSeq() + 1 - log.read().length;
  appendEntries(fake, [{ seq: next, time: 0, user: 'intruder', circle: 'S', format: 1, command: 'X' }]);
  await refused(t, 'foreign entries ahead of the mark', pbx, log, fake, /differ from the PBX's/);
});
