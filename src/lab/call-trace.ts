import { HdlcFramer } from '../../modem/hdlc-framer.js';
import type { LineBytes } from '../network/exchange.js';
import { PcapngFile } from '../storage/pcapng-file.js';
import type { TraceFormat } from './trace-format.js';

/**
 * `--trace FILE.pcap`: every data call of a lab as Wireshark reads it
 * (docs/traces.md). Each call is an interface of its own, named after the
 * call; its packets carry the lab's clock (virtual in a scenario, real in a
 * lab). X.75 calls (digital bearer) are unframed from their HDLC octets and
 * written as LAPB frames with their direction; analog and bridged calls as
 * the bytes that crossed the line, each chunk a packet with its direction.
 * The viewpoint is the caller's, who is the DTE of an X.75 link (docs/x75.md).
 *
 * How X.75 frames are written is the trace's `TraceFormat`:
 * - `wireshark` (the default): Wireshark's "upper PDU" link type
 *   (LINKTYPE_WIRESHARK_UPPER_PDU, 252), each packet naming its dissector
 *   (`lapb`) and its direction, which Wireshark and tshark since 1.12 decode
 *   with no settings;
 * - `lapb-with-dir`: LINKTYPE_LAPB_WITH_DIR (207) of the tcpdump.org
 *   link-type registry, each frame after one direction octet (non-zero: sent
 *   by the DTE). Wireshark up to at least 4.0 (Debian 12) does not read 207
 *   ("network type 207 unknown or unsupported"), hence not the default.
 * Analog and bridged calls are upper-PDU `data` packets in either format.
 */
export const LINKTYPE_WIRESHARK_UPPER_PDU = 252;
/** tcpdump.org link-type registry: LAPB (X.25) after a one-octet direction pseudo-header, 0 received by the DTE, non-zero sent by it. */
export const LINKTYPE_LAPB_WITH_DIR = 207;
const LAPB_DIR_RECEIVED = 0;
const LAPB_DIR_SENT = 1;

/** Exported-PDU tags (Wireshark epan/exported_pdu.h); values big-endian, padded to 4 octets. */
const TAG_END = 0;
const TAG_DISSECTOR_NAME = 12;
const TAG_P2P_DIRECTION = 35;
/** Wireshark's P2P_DIR_SENT / P2P_DIR_RECV, from the caller's side: sent by the caller, received by it. */
const SENT_BY_CALLER = 0;
const RECEIVED_BY_CALLER = 1;

/** One exported PDU: dissector name, direction, end of tags, then the payload. */
function exportedPdu(dissector: string, direction: number, payload: Uint8Array): Uint8Array {
  const name = Buffer.from(dissector, 'ascii');
  const namePadded = (name.length + 3) & ~3;
  const out = Buffer.alloc(4 + namePadded + 8 + 4 + payload.length);
  let at = out.writeUInt16BE(TAG_DISSECTOR_NAME, 0);
  at = out.writeUInt16BE(name.length, at);
  name.copy(out, at);
  at += namePadded;
  at = out.writeUInt16BE(TAG_P2P_DIRECTION, at);
  at = out.writeUInt16BE(4, at);
  at = out.writeUInt32BE(direction, at);
  at = out.writeUInt16BE(TAG_END, at);
  at = out.writeUInt16BE(0, at);
  out.set(payload, at);
  return out;
}

interface TracedCall {
  iface: number;
  /** Per direction, for X.75 calls. */
  framers?: [HdlcFramer, HdlcFramer];
}

export class CallTrace {
  readonly #file: PcapngFile;
  readonly #format: TraceFormat;

  private constructor(file: PcapngFile, format: TraceFormat) {
    this.#file = file;
    this.#format = format;
  }

  static open(path: string, format: TraceFormat = 'wireshark'): CallTrace {
    return new CallTrace(new PcapngFile(path, 'hicom-sim'), format);
  }

  get path(): string {
    return this.#file.path;
  }

  /**
   * The tap for one lab's exchange (`ExchangeOptions.onLineBytes`): calls are
   * named `<label> call <id> <caller>→<called>`, stamped with `now()`.
   */
  recorder(label: string, now: () => number): (e: LineBytes) => void {
    const calls = new Map<number, TracedCall | null>();
    return (e) => {
      let call = calls.get(e.call);
      if (call === undefined) {
        call = this.#open(label, e, now);
        calls.set(e.call, call);
      }
      if (!call) return;
      if (call.framers) call.framers[e.direction].push(e.bytes);
      else this.#file.packet(call.iface, now(), exportedPdu('data', e.direction === 0 ? SENT_BY_CALLER : RECEIVED_BY_CALLER, e.bytes));
    };
  }

  close(): void {
    this.#file.close();
  }

  /** A new call's interface; null for what is not traced (voice: audio samples, not data). */
  #open(label: string, e: LineBytes, now: () => number): TracedCall | null {
    if (e.bearer === 'voice') return null;
    const name = `${label ? `${label} ` : ''}call ${e.call} ${e.caller || '(withheld)'}→${e.called}`;
    if (e.bearer !== 'digital') {
      return { iface: this.#file.addInterface(LINKTYPE_WIRESHARK_UPPER_PDU, name, `${e.bearer} call: the bytes on the line, per direction`) };
    }
    const withDir = this.#format === 'lapb-with-dir';
    const iface = this.#file.addInterface(withDir ? LINKTYPE_LAPB_WITH_DIR : LINKTYPE_WIRESHARK_UPPER_PDU, name, 'X.75 (LAPB) on the B channel; the caller is the DTE');
    const packet = (sentByCaller: boolean) => (frame: Uint8Array): void => {
      const data = withDir
        ? Buffer.concat([Buffer.of(sentByCaller ? LAPB_DIR_SENT : LAPB_DIR_RECEIVED), frame])
        : exportedPdu('lapb', sentByCaller ? SENT_BY_CALLER : RECEIVED_BY_CALLER, frame);
      this.#file.packet(iface, now(), data);
    };
    const framers: [HdlcFramer, HdlcFramer] = [new HdlcFramer(), new HdlcFramer()];
    framers[0].onFrame(packet(true));
    framers[1].onFrame(packet(false));
    return { iface, framers };
  }
}
