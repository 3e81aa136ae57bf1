import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { IncomingCallInfo, ModemCallSink } from '../../core/modem-port.js';

/** Stands in for the PBX: records connected calls and echoes "PIN?" so tests see data flow. */
export class RecordingSink implements ModemCallSink {
  readonly calls: Array<{ line: LineEndpoint; info: IncomingCallInfo; received: string }> = [];

  acceptModemCall(line: LineEndpoint, info: IncomingCallInfo): void {
    const call = { line, info, received: '' };
    this.calls.push(call);
    line.onData((b) => { call.received += Buffer.from(b).toString('latin1'); });
    line.write('PIN?\r\n');
  }
}
