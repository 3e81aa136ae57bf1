import { FrameType } from '../../firmware-sim/armored-frame.js';
import type { KdsImage } from '../../firmware-sim/kds.js';
import type { UserRecord } from '../../firmware-sim/user-table.js';
import { SessionClient } from '../clients/session-client.js';
import type { ErrorMemoryEntry } from '../database/maintenance-reports.js';
import type { ArchiveShelf } from './archive-shelf.js';
import type { ByteMeter } from './byte-meter.js';
import { parseErrorMemory } from './error-memory-listing.js';
import type { KdsBackupVault } from './kds-backup-vault.js';
import { functionTestWaitMs } from './function-test-wait.js';
import type { MaintenanceStep } from './maintenance-plan.js';
import type { StepResult, VisitChannel, VisitContext, VisitLink } from './maintenance-runner.js';

/** Where a visit files what it read, and learns whether a function test it raised has reached the centre. */
export interface VisitReports {
  file(r: { deviceId: string; visitId: number | null; readAt: number; entries: ErrorMemoryEntry[]; text: string }): Promise<number>;
  reported(deviceId: string, errorId: number, since: number): Promise<boolean>;
  /** A function test of the PBX entered at or after `enteredSince` whose report has reached the centre (its id), if any. */
  functionTestReported(deviceId: string, enteredSince: number): Promise<number | undefined>;
}

/** What the steps of a visit work with at the centre. */
export interface VisitWork {
  now(): number;
  reports: VisitReports;
  vault: KdsBackupVault;
  shelf: ArchiveShelf;
  /** The centre's APS images by version; undefined when it has none of that version. */
  apsImage(version: string): Buffer | undefined;
  /** How often the function-test step looks for the report (it waits as long as the plan says: `functionTestWaitMs`). */
  functionTestPollMs: number;
}

/** A step that ran and did not do its job, with why; the line is still up. */
class StepFailure extends Error {}

/** The function test's report may be stamped by a centre clock a little behind the visitor's, and the PBX's clock may be as far off. */
const REPORT_CLOCK_SLACK_MS = 60_000;

/**
 * Function tests a visit asked for without hearing the PBX's answer (the
 * line broke in between), by visit: when the PBX was asked, by the
 * visitor's clock. The next attempt of the step looks in the PBX's error
 * memory before it asks again, so a line break never raises a second test.
 */
export type UnansweredTests = Map<number, number>;

/**
 * One logged-in admin session during a visit, over the LAN or a modem line:
 * each step is the session commands a technician would type, so the PBX's
 * protocol log shows them under the plan's service user (spec §5.4). A
 * broken line makes the step fail with `lineLost`; the runner reconnects
 * and runs it again, and every step is safe to run again: the error memory
 * is only read, a backup is a new version, the archive follows the
 * revisor's rules, the APS is loaded only while it differs.
 */
export class SessionVisitLink implements VisitLink {
  constructor(
    private readonly client: SessionClient,
    private readonly meter: ByteMeter,
    private readonly channel: VisitChannel,
    private readonly work: VisitWork,
    private readonly unanswered: UnansweredTests,
  ) {}

  /** Why the line was lost, when the visitor learnt it from below the session (the modem's carrier). */
  #lost: string | undefined;

  /** The line under the session is gone (the modem lost the carrier): close the session, so the step in progress ends with `lineLost`. */
  lineLost(why: string): void {
    this.#lost ??= why;
    this.client.close();
  }

  async run(step: MaintenanceStep, ctx: VisitContext): Promise<StepResult> {
    const before = this.meter.bytes;
    if (this.client.closed) return { ok: false, output: `the line is down${this.#lost ? `: ${this.#lost}` : ''}`, bytes: 0, lineLost: true };
    try {
      const output = await this.#step(step, ctx);
      return { ok: true, output, bytes: this.meter.bytes - before };
    } catch (err) {
      const lineLost = this.client.closed && !(err instanceof StepFailure);
      if (lineLost) this.client.close();
      return { ok: false, output: lineLost ? `the line broke: ${this.#lost ?? (err as Error).message}` : (err as Error).message, bytes: this.meter.bytes - before, ...(lineLost ? { lineLost } : {}) };
    }
  }

  async close(): Promise<StepResult> {
    const before = this.meter.bytes;
    if (this.client.closed) return { ok: true, output: 'the line was down already', bytes: 0 };
    const said = await this.#logout();
    return { ok: true, output: said, bytes: this.meter.bytes - before };
  }

  async #logout(): Promise<string> {
    this.client.write('logout\r');
    const said = await this.client.expect(/BYE[^\r\n]*\r?\n|User: /, 10_000).then((t) => /BYE[^\r\n]*/.exec(t)?.[0] ?? t.trim(), () => 'no goodbye; hung up');
    this.client.close();
    return said;
  }

  #step(step: MaintenanceStep, ctx: VisitContext): Promise<string> {
    switch (step) {
      case 'errors': return this.#errors(ctx);
      case 'kds-backup': return this.#kdsBackup(ctx);
      case 'archive': return this.#archive(ctx);
      case 'aps': return this.#aps(ctx);
      case 'function-test': return this.#functionTest(ctx);
    }
  }

  /** Read the error memory (the PBX logs B1-1) and file it at the centre. */
  async #errors(ctx: VisitContext): Promise<string> {
    const reply = await this.client.run('errors show');
    // The last line is the count note ("3 entries"), not an entry.
    const listing = /^\d+ entries$/.test(reply.lines.at(-1) ?? '') ? reply.lines.slice(0, -1) : reply.lines;
    const entries = parseErrorMemory(listing);
    const id = await this.work.reports.file({ deviceId: ctx.deviceId, visitId: ctx.visitId, readAt: this.work.now(), entries, text: listing.join('\n') });
    return [`${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} read (B1-1), filed as error report ${id}`, ...listing].join('\n');
  }

  async #kdsBackup(ctx: VisitContext): Promise<string> {
    const read = await this.client.run('kds read');
    const image = JSON.parse(SessionClient.frameFrom(read, FrameType.Kds).toString('utf8')) as KdsImage;
    const users = JSON.parse(SessionClient.frameFrom(await this.client.run('kds users'), FrameType.Kds).toString('utf8')) as UserRecord[];
    const b = this.work.vault.store(ctx.deviceId, { takenAt: this.work.now(), image, users }, ctx.plan.backupRetention);
    return `KDS of ${image.systemId} (${Object.keys(image.items).length} items, generation ${image.baseGeneration}, ${users.length} users): version ${b.version} sealed into ${b.file} (${b.bytes} bytes); kept ${b.kept.join(', ')}` +
      `${b.pruned.length ? `; pruned ${b.pruned.join(', ')}` : ''}${b.cleaned ? `; removed ${b.cleaned} temp files of an interrupted backup` : ''}`;
  }

  async #archive(ctx: VisitContext): Promise<string> {
    const r = await this.work.shelf.archive(this.client, ctx.deviceId, this.work.now());
    const lines = [`archive ${r.file}${r.previous ? ` (continues ${r.previous})` : ''}: previous archive ended at ${r.begin.mark ? `seq ${r.begin.mark.seq}` : '(none)'}`];
    if (r.repairedTornBytes) lines.push(`cut ${r.repairedTornBytes} bytes of an interrupted append`);
    if (r.skipped) lines.push(`${r.skipped} entries were in the file from an interrupted run; not written again`);
    lines.push(r.committedSeq === undefined ? 'nothing to archive' : `${r.appended} entries appended; PBX: ${r.note}`);
    return lines.join('\n');
  }

  async #apsVersion(): Promise<string> {
    const show = await this.client.run('aps show');
    const v = show.lines.map((l) => /^aps-version: (.+)$/.exec(l)?.[1]).find((x) => x !== undefined);
    if (!v) throw new StepFailure(`"aps show" named no aps-version: ${show.lines.join(' | ')}`);
    return v;
  }

  /** Check the APS against the plan's target; load it when the plan says so and it differs. */
  async #aps(ctx: VisitContext): Promise<string> {
    const running = await this.#apsVersion();
    const target = ctx.plan.targetAps;
    if (!target) return `runs APS ${running}; the plan names no target`;
    if (running === target) return `runs APS ${running}, the plan's target`;
    if (!ctx.plan.loadAps) return `runs APS ${running}, the plan's target is ${target}: not loaded (the plan only checks)`;
    const image = this.work.apsImage(target);
    if (!image) throw new StepFailure(`runs APS ${running}; no image of the target ${target} in the centre's APS library`);
    const r = await this.client.sendFrame('aps load', FrameType.Aps, image);
    if (!r.ok) throw new StepFailure(`aps load ${target}: ERROR ${r.code} ${r.message}`);
    return `APS ${target} loaded (${image.length} bytes; was ${running}): ${r.message}`;
  }

  /**
   * Raise the function test and wait for its report at the centre. Over a
   * modem the session holds the PBX's modem, so the visit hangs up first
   * and lets the PBX call the centre; the disconnect step then has nothing
   * left to do. When an earlier attempt of this visit asked for the test
   * and the line broke before the answer, the PBX may have run it: its
   * error memory says, and then the visit waits for that test's report
   * instead of raising a second one.
   */
  async #functionTest(ctx: VisitContext): Promise<string> {
    const notes: string[] = [];
    const askedBefore = this.unanswered.get(ctx.visitId);
    if (askedBefore !== undefined) {
      const reported = await this.work.reports.functionTestReported(ctx.deviceId, askedBefore - REPORT_CLOCK_SLACK_MS);
      if (reported !== undefined) {
        this.unanswered.delete(ctx.visitId);
        return `function test ${reported} was raised by the attempt whose line broke before the PBX's answer, and its report has reached the centre: not raised again`;
      }
    }
    let id = askedBefore === undefined ? undefined : await this.#testRaisedSince(askedBefore);
    let asked = askedBefore ?? this.work.now();
    if (id !== undefined) {
      this.unanswered.delete(ctx.visitId);
      notes.push(`function test ${id} was raised by the attempt whose line broke before the PBX's answer (its error memory has it): not raised again`);
    } else {
      asked = this.work.now();
      this.unanswered.set(ctx.visitId, asked);
      const reply = await this.client.run('signaling test');
      this.unanswered.delete(ctx.visitId);
      id = Number(/function test (\d+) entered/.exec(reply.message)?.[1] ?? Number.NaN);
      if (!Number.isInteger(id)) throw new StepFailure(`"signaling test" did not name its function test: ${reply.message}`);
      notes.push(`function test ${id} raised`);
    }
    const started = this.work.now();
    const wait = functionTestWaitMs(ctx.plan);
    if (this.channel === 'modem') notes.push(`hung up so the PBX can signal over its modem (${await this.#logout()})`);
    for (;;) {
      if (await this.work.reports.reported(ctx.deviceId, id, asked - REPORT_CLOCK_SLACK_MS)) {
        notes.push(`its report reached the centre after ${Math.round((this.work.now() - started) / 1000)} s`);
        return notes.join('; ');
      }
      if (this.work.now() - started >= wait) {
        throw new StepFailure(`${notes.join('; ')}; no report of it at the centre within ${Math.round(wait / 1000)} s (the plan's function-test wait)`);
      }
      await ctx.wait(this.work.functionTestPollMs);
    }
  }

  /**
   * The newest function test in the PBX's error memory entered at or after
   * `since` (the visitor's clock, with the slack the PBX's clock may be
   * off), or undefined when the PBX never ran the test that was asked for.
   */
  async #testRaisedSince(since: number): Promise<number | undefined> {
    const reply = await this.client.run('errors show B');
    const tests = parseErrorMemory(reply.lines).filter((e) => e.functionTest && Date.parse(`${e.time.replace(' ', 'T')}Z`) >= since - REPORT_CLOCK_SLACK_MS);
    return tests.at(-1)?.id;
  }
}
