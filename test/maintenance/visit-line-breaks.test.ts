import t from 'tap';
import { formatEntry } from '../../firmware-sim/protocol-log.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { verifyArchive } from '../../src/revisor/archive-file.js';
import { engineFixture, onBothEngines } from '../support/both-engines.js';
import { visitRig, type VisitRig } from '../support/visit-rig.js';

/**
 * A line break at every line a visit sends — before the PBX sees it, and
 * after the PBX acted on it but before its reply arrived — on real PBX
 * firmware: each visit resumes at its first unfinished step, ends done,
 * files the error memory once, keeps one KDS version, archives every
 * protocol-log entry exactly once (nothing lost, nothing twice), and asks
 * the PBX for one function test only.
 */

type CutMode = 'before' | 'reply-lost';

/** Break the first line to `id` when the visitor sends its `n`-th line. */
function cutFirstLine(rig: VisitRig, cuts: Map<string, { n: number; mode: CutMode }>): void {
  const seen = new Set<string>();
  rig.onLine = (id, line) => {
    const cut = cuts.get(id);
    if (!cut || seen.has(id)) return;
    seen.add(id);
    let sent = 0;
    let muted = false;
    const write = line.write.bind(line);
    const onData = line.onData.bind(line);
    (line as { onData: LineEndpoint['onData'] }).onData = (listener) => onData((d) => {
      if (!muted) listener(d);
    });
    (line as { write: LineEndpoint['write'] }).write = (data) => {
      const text = Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('utf8');
      const crs = [...text].filter((c) => c === '\r').length;
      if (sent < cut.n && sent + crs >= cut.n) {
        sent += crs;
        if (cut.mode === 'reply-lost') {
          muted = true;
          write(data);
        }
        line.close();
        return;
      }
      sent += crs;
      write(data);
    };
  };
}

/** How many lines a whole undisturbed visit sends. */
async function linesOfOneVisit(rig: VisitRig): Promise<number> {
  let count = 0;
  rig.onLine = (_id, line) => {
    const write = line.write.bind(line);
    (line as { write: LineEndpoint['write'] }).write = (data) => {
      count += [...Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('utf8')].filter((c) => c === '\r').length;
      write(data);
    };
  };
  const summary = await rig.night(await rig.plan());
  if (summary?.done !== 1) throw new Error(`reference visit not done: ${JSON.stringify(summary)}`);
  return count;
}

onBothEngines(t, 'a line break at every line of a visit: resumed at the first unfinished step, nothing twice, nothing lost', async (t, f) => {
  const n = await linesOfOneVisit(await visitRig(f));
  t.ok(n >= 12, `a visit sends ${n} lines`);
  const ids: string[] = [];
  const cuts = new Map<string, { n: number; mode: CutMode }>();
  for (const mode of ['before', 'reply-lost'] as const) {
    for (let k = 1; k <= n; k++) {
      const id = `CUT-${mode === 'before' ? 'B' : 'R'}${String(k).padStart(2, '0')}`;
      ids.push(id);
      cuts.set(id, { n: k, mode });
    }
  }
  const rig = await visitRig(await engineFixture(t, f.engine), ids);
  cutFirstLine(rig, cuts);
  const summary = await rig.night(await rig.plan());
  t.equal(summary?.done, ids.length, `every visit done despite its break: ${JSON.stringify(summary)}`);
  for (const [id, cut] of cuts) {
    const [visit] = await rig.records.history({ deviceId: id });
    const okSteps = visit.steps.filter((s) => s.outcome === 'ok').map((s) => s.step);
    const what = `${id} (cut at line ${cut.n}, ${cut.mode})`;
    t.same(okSteps.filter((s) => s !== 'connect'), ['errors', 'kds-backup', 'archive', 'aps', 'function-test', 'disconnect'], `${what}: each step done once, in order: ${visit.steps.map((s) => `${s.step}:${s.outcome}`).join(' ')}`);
    t.equal((await rig.reports.list(id)).length, 1, `${what}: the error memory filed once`);
    t.same(rig.vault.versions(id), [1], `${what}: one KDS version`);
    const archived = verifyArchive(rig.shelf.fileFor(id, 2026));
    t.ok(archived.ok, `${what}: the archive verifies`);
    const seqs = archived.entries.map((e) => e.seq);
    t.equal(new Set(seqs).size, seqs.length, `${what}: nothing archived twice`);
    const inPbx = new Set(rig.pbxs.get(id)!.log.read().map((e) => e.seq));
    const ledger = rig.pbxs.get(id)!.log.ledger;
    const lost = [...ledger.keys()].filter((s) => !inPbx.has(s) && !seqs.includes(s));
    t.same(lost, [], `${what}: no protocol-log entry lost`);
    t.same(archived.entries.filter((e) => ledger.get(e.seq) !== formatEntry(e)).map((e) => e.seq), [], `${what}: archived as logged`);
    // A break after "signaling test" reached the PBX: the next attempt finds the test in the PBX and waits for its report.
    t.equal([...ledger.values()].filter((l) => l.endsWith(' signaling test')).length, 1, `${what}: one function test asked of the PBX`);
    t.equal(rig.pbxs.get(id)!.pbx.errors.list().filter((e) => e.pseudo).length, 1, `${what}: one function test in the PBX's error memory`);
  }
});
