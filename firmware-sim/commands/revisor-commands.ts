import { FrameType } from '../armored-frame.js';
import { ArchiveTransaction } from '../archive-transaction.js';
import { encodeLogEntries } from '../log-entries-codec.js';
import type { Actor } from '../pbx.js';
import type { CommandContext, SessionCommand } from '../session-command.js';

/**
 * The revisor's commands (spec §3.8): fetch entries (they stay in the PBX)
 * and archive them (hand out in CRC frames, delete only after the client's
 * commit). Protocol: docs/session-protocol.md, "Protocol log: fetch and archive".
 */

/**
 * Open archiving runs, one per login. session.ts makes a new Actor at each
 * login and drops it at logout or line loss, so a run keyed by it can never
 * be committed from another login or after the line broke: it just dies.
 */
const runs = new WeakMap<Actor, ArchiveTransaction>();

const HEX64 = /^[0-9a-fA-F]{64}$/;

function noLog(ctx: CommandContext): boolean {
  if (ctx.pbx.log.available) return false;
  ctx.fail(503, 'no protocol log: no 10 MB FMC present');
  return true;
}

const NO_RUN = 'no archiving in progress; start with "log archive begin"';

/** End the run with an error: nothing was deleted. */
function drop(ctx: CommandContext, code: number, text: string): void {
  runs.delete(ctx.actor);
  ctx.fail(code, `${text}; archiving aborted, nothing deleted`);
}

/** A usage error during a run ends the run; without one there is nothing to get wrong. */
function usageDuringRun(ctx: CommandContext, message: string): void {
  if (runs.has(ctx.actor)) drop(ctx, 400, message);
  else ctx.fail(409, NO_RUN);
}

export const revisorCommands: SessionCommand[] = [
  {
    words: ['log', 'fetch'],
    params: '[from <seq>]',
    help: 'protocol-log entries as a LogEntries frame; they stay in the PBX (Revision)',
    action: 'log-read',
    run(ctx, args) {
      if (noLog(ctx)) return;
      let from = 0;
      if (args.length > 0) {
        from = Number(args[1]);
        if (args[0].toLowerCase() !== 'from' || !Number.isInteger(from) || from < 0) return ctx.usage();
      }
      const entries = ctx.pbx.log.read(from);
      ctx.sendFrame(FrameType.LogEntries, encodeLogEntries(entries));
      ctx.ok(`${entries.length} entries`);
    },
  },
  {
    words: ['log', 'archive', 'begin'],
    help: 'start archiving: system id, archive mark and the range handed out (Revision)',
    action: 'log-archive',
    run(ctx) {
      if (noLog(ctx)) return;
      const run = new ArchiveTransaction(ctx.pbx.log);
      const { range, mark } = run;
      if (range.count > 0) runs.set(ctx.actor, run);
      else runs.delete(ctx.actor);
      ctx.print(
        `system-id: ${ctx.pbx.systemId}`,
        `pbx-name: ${ctx.pbx.kds.get('c1.system-name') || ctx.pbx.type}`,
        `mark: ${mark ? `${mark.seq} ${mark.hash}` : 'none'}`,
        `range: ${range.count ? `${range.from}-${range.to}` : 'none'}`,
        `count: ${range.count}`,
        `chunks: ${range.chunks}`,
      );
      ctx.ok(range.count ? `archiving ${range.count} entries in ${range.chunks} chunks` : 'nothing to archive');
    },
  },
  {
    words: ['log', 'archive', 'next'],
    help: 'the next chunk of entries being archived, as a LogEntries frame',
    action: 'log-archive',
    usageError: usageDuringRun,
    run(ctx) {
      const run = runs.get(ctx.actor);
      if (!run) return ctx.fail(409, NO_RUN);
      const chunk = run.next();
      if (!chunk) return drop(ctx, 409, `all ${run.range.chunks} chunks were handed out already`);
      ctx.sendFrame(FrameType.LogEntries, encodeLogEntries(chunk));
      ctx.ok(`chunk ${run.chunksSent}/${run.range.chunks} seq ${chunk[0].seq}-${chunk[chunk.length - 1].seq}`);
    },
  },
  {
    words: ['log', 'archive', 'commit'],
    params: '<lastSeq> <hashOfLast>',
    help: 'the archive file holds everything up to lastSeq: log D1-1, then delete those entries',
    action: 'log-archive',
    usageError: usageDuringRun,
    run(ctx, args) {
      const run = runs.get(ctx.actor);
      if (!run) return ctx.fail(409, NO_RUN);
      const seq = Number(args[0]);
      if (!Number.isInteger(seq) || seq < 1 || !HEX64.test(args[1])) return ctx.usage('lastSeq is a sequence number, hashOfLast 64 hex digits');
      const checked = run.checkCommit(ctx.pbx.log, seq, args[1]);
      if (!checked.ok) return drop(ctx, checked.code, checked.error);
      runs.delete(ctx.actor);
      // Logged before the action (seed: "Erst nach der Protokollierung …");
      // a log that cannot take it throws and nothing is deleted.
      ctx.pbx.audit(ctx.actor, 8, `D1-1 ${run.range.from}-${run.range.to}`);
      const deleted = ctx.pbx.log.deleteUpTo(seq, checked.mark);
      run.committed();
      ctx.pbx.checkLogFill();
      ctx.ok(`${deleted} entries archived and deleted up to ${seq}`);
    },
  },
  {
    words: ['log', 'archive', 'abort'],
    help: 'give up the archiving run; nothing is deleted',
    action: 'log-archive',
    run(ctx) {
      const had = runs.delete(ctx.actor);
      ctx.ok(had ? 'archiving aborted, nothing deleted' : 'no archiving in progress');
    },
  },
];
