import type { DceLines, LineEndpoint } from '../../core/line-endpoint.js';

/**
 * The result code a modem sends when the carrier is lost in a call (V.250
 * §6.3.1, code 3 in numeric form): the visit's modem is reset to verbose
 * result codes (`ATE0V1Q0`, modem-dialer.ts), so it arrives as this line.
 */
const NO_CARRIER = '\r\nNO CARRIER\r\n';

/** A DTE line that can also read the modem's circuit 109 (DCD): the terminal side of an in-process pair. */
interface DcdReadable {
  readonly dceLines: DceLines;
}

function readsDcd(line: LineEndpoint): line is LineEndpoint & DcdReadable {
  return typeof (line as Partial<DcdReadable>).dceLines === 'object';
}

/**
 * Watches a centre modem's DTE side in a call for the end of the carrier:
 * the modem's `NO CARRIER` (found however the bytes are split) or, where
 * the line shows the modem's control lines, DCD falling after it was up.
 * Once the modem has dropped back to command mode nothing more reaches
 * the PBX, so the visit must take it as a lost line at once — not wait for
 * an answer that will never come, and not type session commands into the
 * modem's command interpreter. Arm it after the login: before, NO CARRIER
 * is a dial result or the callback's planned hang-up.
 *
 * `lost` is called once, in a microtask after the bytes that carried the
 * news were delivered to the other listeners.
 */
export function watchCarrier(line: LineEndpoint, lost: (why: string) => void): void {
  let tail = '';
  let dcdSeen = readsDcd(line) && line.dceLines.dcd;
  let done = false;
  const fire = (why: string) => {
    done = true;
    // Not setImmediate: a virtual-time driver could let the session's timeout fire first.
    queueMicrotask(() => lost(why));
  };
  line.onData((data) => {
    if (done) return;
    if (readsDcd(line)) {
      if (line.dceLines.dcd) dcdSeen = true;
      else if (dcdSeen) return fire('the modem lost the carrier (DCD dropped)');
    }
    tail = (tail + Buffer.from(data).toString('latin1')).slice(-(NO_CARRIER.length + 64));
    if (tail.includes(NO_CARRIER)) fire('the modem lost the carrier (NO CARRIER)');
  });
}
