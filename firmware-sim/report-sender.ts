import type { Clock, TimerHandle } from '../core/clock.js';
import type { LineEndpoint } from '../core/line-endpoint.js';
import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import { FrameDecoder, encodeFrame } from './report-frame.js';
import {
  MAX_FRAME_TRIES, NakReason, READY_TIMEOUT_MS, RESEND_REASONS, ackTimeoutMs, helloLine, parseExchangeLine,
} from './report-exchange.js';

/** Why one signaling call did not end in a matching ACK. */
export type SendFailure = 'line-break' | 'ready-timeout' | 'ack-timeout' | `nak-${string}`;

export type SendOutcome = { ok: true } | { ok: false; failure: SendFailure };

/**
 * PBX side of one signaling call (docs/error-report.md §3).
 *
 * ```
 *   Hello ──READY──▶ Frame ──ACK seq──▶ Done(ok)
 *     │               │ NAK CRC/TIMEOUT, tries < 3: re-send frame
 *     └──NAK / 10 s───┴──other NAK / ack timeout / line break──▶ Done(fail)
 * ```
 */
export enum SenderState {
  Hello = 'hello',
  Frame = 'frame',
  Done = 'done',
}

const SENDER_MOVES: TransitionTable<SenderState> = {
  [SenderState.Hello]: [SenderState.Frame, SenderState.Done],
  [SenderState.Frame]: [SenderState.Frame, SenderState.Done],
  [SenderState.Done]: [],
};

export interface ReportSend {
  readonly state: SenderState;
  /** End the call without reporting (power cut): the line is dropped, `done` never fires. */
  abort(): void;
}

/**
 * Run the exchange on a connected data line: HELLO, wait READY, send the
 * framed report, wait for `ACK <seq>`. `done` fires exactly once; the line
 * is closed (the PBX hangs up) before it fires.
 */
export function sendReport(line: LineEndpoint, clock: Clock, systemId: string, seq: number, report: Uint8Array, done: (outcome: SendOutcome) => void): ReportSend {
  const frame = encodeFrame(report);
  const decoder = new FrameDecoder();
  const machine = new StateMachine(`report sender ${systemId}`, SENDER_MOVES, SenderState.Hello);
  let tries = 0;
  let timer: TimerHandle | undefined;
  let silent = false;

  const finish = (outcome: SendOutcome): void => {
    if (machine.is(SenderState.Done)) return;
    machine.transition(SenderState.Done);
    timer?.cancel();
    line.close();
    if (!silent) done(outcome);
  };
  const arm = (ms: number, failure: SendFailure): void => {
    timer?.cancel();
    timer = clock.setTimer(ms, () => finish({ ok: false, failure }));
  };
  const sendFrame = (): void => {
    tries++;
    machine.transition(SenderState.Frame);
    // Timer first: on an unpaced line the answer can arrive inside write().
    arm(ackTimeoutMs(frame.length), 'ack-timeout');
    line.write(frame);
  };

  line.onClose(() => finish({ ok: false, failure: 'line-break' }));
  line.onData((bytes) => {
    for (const event of decoder.push(bytes)) {
      if (machine.is(SenderState.Done)) return;
      if (event.kind !== 'line') continue;
      const msg = parseExchangeLine(event.text);
      if (msg.type === 'ready' && machine.is(SenderState.Hello)) sendFrame();
      else if (msg.type === 'ack' && machine.is(SenderState.Frame)) {
        // An ACK for another seq acknowledges nothing of this report.
        finish(msg.seq === seq ? { ok: true } : { ok: false, failure: `nak-SEQ` });
      } else if (msg.type === 'nak') {
        if (machine.is(SenderState.Frame) && RESEND_REASONS.has(msg.reason as NakReason) && tries < MAX_FRAME_TRIES) sendFrame();
        else finish({ ok: false, failure: `nak-${msg.reason}` });
      }
    }
  });
  arm(READY_TIMEOUT_MS, 'ready-timeout');
  line.write(helloLine(systemId));
  return {
    get state() {
      return machine.state;
    },
    abort() {
      silent = true;
      finish({ ok: false, failure: 'line-break' });
    },
  };
}
