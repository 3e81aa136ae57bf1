import { EXIT, ExitError } from '../exit-codes.js';
import { ioReason } from '../io-reason.js';
import { CallTrace } from '../lab/call-trace.js';
import type { TraceFormat } from '../lab/trace-format.js';
import { checkWritable } from './user-files.js';

/** `--trace FILE [--trace-format F]`, checked before anything runs: one line and exit 2 when the file cannot be written. */
export function checkTraceOptions(opts: { trace?: string; traceFormat?: TraceFormat }): void {
  if (opts.traceFormat !== undefined && opts.trace === undefined) throw new ExitError('--trace-format needs --trace', EXIT.usage);
  if (opts.trace !== undefined) checkWritable(opts.trace, '--trace');
}

/** Open the capture (after `checkTraceOptions`); a file that still cannot be made is the same one-line refusal. */
export function openTrace(opts: { trace?: string; traceFormat?: TraceFormat }): CallTrace | undefined {
  if (opts.trace === undefined) return undefined;
  try {
    return CallTrace.open(opts.trace, opts.traceFormat);
  } catch (err) {
    throw new ExitError(`cannot write ${opts.trace} (--trace): ${ioReason(err)}`, EXIT.usage);
  }
}
