import type { LineEndpoint } from '../core/line-endpoint.js';
import type { CallFailure, ExchangeLine, LinkInfo } from '../core/call.js';
import type { CallAttempt } from './call-attempt.js';
import type { DataPump } from './data-pump.js';
import { ResultCode } from './result-codes.js';

/** How the network's reason for a failed call reads as a result code (V.250 §5.7.1; ATX narrows it at output). */
export const FAILURE_RESULTS: Readonly<Record<Exclude<CallFailure, 'cancelled'>, ResultCode>> = {
  busy: ResultCode.Busy,
  'no-answer': ResultCode.NoAnswer,
  unobtainable: ResultCode.NoCarrier,
  unreachable: ResultCode.NoCarrier,
  'handshake-failed': ResultCode.NoCarrier,
  'no-dialtone': ResultCode.NoDialtone,
};

export interface DataCallEvents {
  /** The far pump answered and trained: the byte stream the DTE now talks to. */
  connected(data: LineEndpoint, link: LinkInfo): void;
  /** The call did not connect; `code` is what the DTE is told. */
  failed(code: ResultCode): void;
}

/**
 * Place an outgoing data call inside `attempt`, offering what `pump` can do.
 * S7 (`connectTimeoutMs`) counts from the end of dialing: a ringback heard
 * by then means NO ANSWER, none means NO CARRIER (Hayes call progress).
 * An attempt that ends first cancels the call, and nothing is reported.
 */
export function placeDataCall(attempt: CallAttempt, line: ExchangeLine, pump: DataPump, digits: string, connectTimeoutMs: number, events: DataCallEvents): void {
  let ringback = false;
  attempt.hold(line.dial(digits, pump.offer(), {
    onAlerting: () => { ringback = true; },
    onConnect: (path, link) => {
      attempt.letGo();
      events.connected(pump.attach(path, link, 'originate'), link);
    },
    onFail: (reason) => {
      attempt.letGo();
      if (reason !== 'cancelled' && !attempt.ended) events.failed(FAILURE_RESULTS[reason]);
    },
  }));
  attempt.after(connectTimeoutMs, () => events.failed(ringback ? ResultCode.NoAnswer : ResultCode.NoCarrier));
}
