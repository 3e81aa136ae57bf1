import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { formatEntry, type ProtocolLog } from '../../firmware-sim/protocol-log.js';
import type { Pbx } from '../../firmware-sim/pbx.js';
import { verifyArchive } from '../../src/revisor/archive-file.js';
import { archiveToFile, type ArchiveOptions } from '../../src/revisor/revisor-client.js';
import { PbxLink, type LinkFaults } from '../support/pbx-link.js';
import { logChanges, RecordingLog, REV, revisorPbx } from '../support/revisor-fixtures.js';

/**
 * Archiving broken at every step — the line cut at each line the client
 * sends (before the PBX sees it, or after it acted but before the reply
 * arrives), each chunk frame corrupted, the client killed between its
 * durable append and the commit — never loses or duplicates an entry, and
 * a clean run afterwards archives the rest.
 */

const dir = mkdtempSync(join(tmpdir(), 'hicom-revisor-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** The canonical text of every entry the PBX ever logged, by seq (RecordingLog). */
type Ledger = ReadonlyMap<number, string>;

async function archiveRun(pbx: Pbx, file: string, faults: LinkFaults = {}, options: ArchiveOptions = {}, kill = false): Promise<Error | undefined> {
  const link = new PbxLink(pbx, faults);
  try {
    await link.client.login(REV.name, REV.password);
    await archiveToFile(link.client, file, {
      create: !existsSync(file),
      ...options,
      beforeCommit: kill
        ? () => {
            link.cut();
            throw new Error('client killed');
          }
        : undefined,
    });
    await link.client.command('logout');
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    link.cut();
  }
}

/** Nothing lost (every seq in the file or the PBX, same text), nothing twice in the file, the mark inside the file. */
function checkInvariant(t: Test, what: string, ledger: Ledger, log: ProtocolLog, file: string): void {
  const r = existsSync(file) ? verifyArchive(file) : undefined;
  const inFile = new Map((r?.entries ?? []).map((e) => [e.seq, formatEntry(e)]));
  t.ok(!r || r.problems.every((p) => p.line === 0), `${what}: the archive verifies (a torn tail at most)`);
  t.equal(inFile.size, r?.entries.length ?? 0, `${what}: no entry twice in the archive`);
  const inPbx = new Map(log.read().map((e) => [e.seq, formatEntry(e)]));
  const lost = [...ledger.keys()].filter((s) => !inFile.has(s) && !inPbx.has(s));
  t.same(lost, [], `${what}: no entry lost`);
  const differ = [...inFile].filter(([s, text]) => ledger.get(s) !== text).map(([s]) => s);
  t.same(differ, [], `${what}: archived entries are the PBX's, unchanged`);
  const mark = log.archiveMark();
  t.ok(!mark || inFile.has(mark.seq), `${what}: the PBX's mark (${mark?.seq ?? 'none'}) is in the archive`);
}

/** A PBX with a first archive done and 600 more entries (3 chunks) to archive. */
async function prepared(): Promise<{ pbx: Pbx; log: ProtocolLog; file: string; ledger: Ledger }> {
  const log = new RecordingLog();
  const { pbx } = revisorPbx({ log });
  const file = join(dir, `a${files++}.arc`);
  const ledger = log.ledger;
  logChanges(pbx, 20, 'FIRST');
  const first = await archiveRun(pbx, file);
  if (first) throw first;
  logChanges(pbx, 600);
  return { pbx, log, file, ledger };
}

async function restartCompletes(t: Test, what: string, pbx: Pbx, log: ProtocolLog, file: string, ledger: Ledger): Promise<void> {
  const before = log.lastSeq();
  const err = await archiveRun(pbx, file);
  t.equal(err?.message, undefined, `${what}: a clean restart succeeds`);
  checkInvariant(t, `${what}, after the restart`, ledger, log, file);
  const archived = verifyArchive(file).entries.map((e) => e.seq);
  const want = [...ledger.keys()].filter((s) => s <= before).sort((a, b) => a - b);
  t.same(archived.filter((s) => s <= before), want, `${what}: the archive now holds every entry up to ${before}, once each, in order`);
  t.ok(log.read().every((e) => e.seq > before), `${what}: the PBX kept only entries logged after the restart began`);
}

t.test('a clean run sends a known number of lines', async (t) => {
  const { pbx, file } = await prepared();
  const link = new PbxLink(pbx);
  await link.client.login(REV.name, REV.password);
  await archiveToFile(link.client, file);
  await link.client.command('logout');
  t.equal(link.linesSent, 9, 'name, password, mode machine, begin, 3 × next, commit, logout');
});

for (const cutMode of ['before', 'reply-lost'] as const) {
  t.test(`line cut at every client line (${cutMode === 'before' ? 'line lost on the way in' : 'reply lost on the way out'})`, async (t) => {
    for (let line = 1; line <= 9; line++) {
      const { pbx, log, file, ledger } = await prepared();
      const what = `cut at line ${line}`;
      const err = await archiveRun(pbx, file, { cutAtLine: line, cutMode });
      if (line < 9 || cutMode === 'before') t.ok(err, `${what}: the run fails`);
      checkInvariant(t, what, ledger, log, file);
      const committed = log.archiveMark()!.seq > 20 + 10;
      if (line < 8 || (line === 8 && cutMode === 'before')) t.notOk(committed, `${what}: nothing deleted in the PBX`);
      else t.ok(committed, `${what}: the commit was made before the line broke`);
      await restartCompletes(t, what, pbx, log, file, ledger);
    }
  });
}

t.test('a corrupted chunk frame aborts the run', async (t) => {
  for (let k = 1; k <= 3; k++) {
    const { pbx, log, file, ledger } = await prepared();
    let frames = 0;
    let corruptNext = false;
    const output = (text: string): string => {
      if (corruptNext && /^[A-Za-z0-9+/=]{20,}\r\n$/.test(text)) {
        corruptNext = false;
        return `${text.slice(0, 10)}${text[10] === 'A' ? 'B' : 'A'}${text.slice(11)}`;
      }
      if (text.startsWith('BEGIN LOGENTRIES') && ++frames === k) corruptNext = true;
      return text;
    };
    const markBefore = log.archiveMark();
    const err = await archiveRun(pbx, file, { output });
    t.match(err?.message ?? '', /CRC mismatch|bad magic|length mismatch/, `frame ${k} corrupted: the client notices (${err?.message})`);
    t.same(log.archiveMark(), markBefore, `frame ${k} corrupted: nothing deleted`);
    checkInvariant(t, `frame ${k} corrupted`, ledger, log, file);
    await restartCompletes(t, `frame ${k} corrupted`, pbx, log, file, ledger);
  }
});

t.test('client killed between its durable append and the commit: the restart skips what it already wrote', async (t) => {
  const { pbx, log, file, ledger } = await prepared();
  const markBefore = log.archiveMark();
  const err = await archiveRun(pbx, file, {}, {}, true);
  t.equal(err?.message, 'client killed', 'the run dies after appending');
  t.same(log.archiveMark(), markBefore, 'the PBX deleted nothing');
  t.ok(verifyArchive(file).tail!.seq > markBefore!.seq, 'the file is ahead of the PBX\'s mark');
  checkInvariant(t, 'killed before commit', ledger, log, file);
  await restartCompletes(t, 'killed before commit', pbx, log, file, ledger);
});

t.test('killed before the commit of the very first archive (no mark yet): the restart resumes the new file', async (t) => {
  const log = new RecordingLog();
  const { pbx } = revisorPbx({ log });
  const file = join(dir, `first${files++}.arc`);
  const ledger = log.ledger;
  logChanges(pbx, 300);
  const err = await archiveRun(pbx, file, {}, {}, true);
  t.equal(err?.message, 'client killed', 'the first run dies after appending');
  t.equal(log.archiveMark(), undefined, 'no mark in the PBX');
  checkInvariant(t, 'first archive killed', ledger, log, file);
  await restartCompletes(t, 'first archive killed', pbx, log, file, ledger);
});
