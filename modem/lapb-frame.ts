/**
 * LAPB frame layout, modulo 8 (ISO 7776 §3–§4; ITU-T X.25 §2.3, which X.75
 * single link procedure refers to). The content handled here is what sits
 * between the flags minus the FCS: address octet, control octet, optional
 * information field. Octets are shown as the value of the byte in memory,
 * bit 1 of the standard's figures being the least significant bit.
 */

/** Address A (ISO 7776 §3.3; X.25 §2.4.2): 1100 0000 in transmission order. Belongs to the DTE. */
export const LAPB_ADDRESS_A = 0x03;
/** Address B: 1000 0000 in transmission order. Belongs to the DCE. */
export const LAPB_ADDRESS_B = 0x01;

/**
 * Station role, which only fixes the addresses (ISO 7776 §3.3): commands
 * carry the receiver's address, responses the sender's own address. In X.75
 * the two STEs agree on the roles bilaterally; hicom-sim gives the calling
 * side the DTE role (see docs/x75.md).
 */
export type LapbRole = 'dte' | 'dce';

/** Poll/final bit in the control field (ISO 7776 §4.2; bit 5). */
export const LAPB_PF = 0x10;

/** Control field values with P/F = 0 (ISO 7776 §4.3, Table 2; X.25 Table 3). */
export const LapbControl = {
  RR: 0x01,
  RNR: 0x05,
  REJ: 0x09,
  SABM: 0x2f,
  DISC: 0x43,
  DM: 0x0f,
  UA: 0x63,
  FRMR: 0x87,
} as const;

/** Sequence numbers count modulo 8 in basic (non-extended) operation (ISO 7776 §4.2.1). */
export const LAPB_MODULUS = 8;

/** FRMR information field bits, third octet (ISO 7776 §4.3.9; X.25 Figure 5). */
export const FrmrBits = {
  /** W: control field undefined or not implemented. */
  W: 0x01,
  /** X: information field not permitted with this frame, or wrong length (always with W). */
  X: 0x02,
  /** Y: information field longer than N1. */
  Y: 0x04,
  /** Z: invalid N(R). */
  Z: 0x08,
} as const;

export type SupervisoryType = 'RR' | 'RNR' | 'REJ';
export type UnnumberedType = 'SABM' | 'DISC' | 'DM' | 'UA' | 'FRMR';

interface FrameBase {
  /** True when the address says this is a command, false for a response. */
  command: boolean;
  pf: boolean;
  /** The raw control octet, quoted back in FRMR. */
  control: number;
}

export type LapbFrame =
  | (FrameBase & { kind: 'I'; ns: number; nr: number; info: Uint8Array })
  | (FrameBase & { kind: 'S'; type: SupervisoryType; nr: number })
  | (FrameBase & { kind: 'U'; type: UnnumberedType; info: Uint8Array })
  /** Addressed to this link but not acceptable: answered with FRMR in information transfer. */
  | (FrameBase & { kind: 'invalid'; frmr: number; why: string });

const SUPERVISORY: Record<number, SupervisoryType | undefined> = { 0x01: 'RR', 0x05: 'RNR', 0x09: 'REJ' };
const UNNUMBERED: Record<number, UnnumberedType | undefined> = { 0x2f: 'SABM', 0x43: 'DISC', 0x0f: 'DM', 0x63: 'UA', 0x87: 'FRMR' };
/** Which unnumbered frames are commands (the rest are responses), ISO 7776 §4.3. */
const U_IS_COMMAND: Record<UnnumberedType, boolean> = { SABM: true, DISC: true, DM: false, UA: false, FRMR: false };
/** Length of the FRMR information field in modulo-8 operation (ISO 7776 §4.3.9). */
export const FRMR_INFO_OCTETS = 3;

export function ownAddress(role: LapbRole): number {
  return role === 'dte' ? LAPB_ADDRESS_A : LAPB_ADDRESS_B;
}

export function peerAddress(role: LapbRole): number {
  return role === 'dte' ? LAPB_ADDRESS_B : LAPB_ADDRESS_A;
}

/**
 * Classify received frame content. Returns undefined for frames that are
 * not ours to answer (too short, foreign address): ISO 7776 §5.7.1 says such
 * frames are discarded without action. `n1` bounds the I-field.
 */
export function decodeLapbFrame(content: Uint8Array, role: LapbRole, n1: number): LapbFrame | undefined {
  if (content.length < 2) return undefined;
  const address = content[0];
  let command: boolean;
  if (address === ownAddress(role)) command = true;
  else if (address === peerAddress(role)) command = false;
  else return undefined;
  const control = content[1];
  const pf = (control & LAPB_PF) !== 0;
  const info = content.subarray(2);
  const invalid = (frmr: number, why: string): LapbFrame => ({ kind: 'invalid', command, pf, control, frmr, why });
  if ((control & 0x01) === 0) {
    if (!command) return invalid(FrmrBits.W, 'I frame sent as a response');
    if (info.length > n1) return invalid(FrmrBits.Y, `I field of ${info.length} octets exceeds N1=${n1}`);
    return { kind: 'I', command, pf, control, ns: (control >> 1) & 7, nr: control >> 5, info };
  }
  if ((control & 0x03) === 0x01) {
    const type = SUPERVISORY[control & 0x0f];
    if (!type) return invalid(FrmrBits.W, `undefined supervisory control 0x${control.toString(16)}`);
    if (info.length > 0) return invalid(FrmrBits.W | FrmrBits.X, `${type} with an information field`);
    return { kind: 'S', command, pf, control, type, nr: control >> 5 };
  }
  const type = UNNUMBERED[control & ~LAPB_PF];
  if (!type) return invalid(FrmrBits.W, `undefined unnumbered control 0x${control.toString(16)}`);
  if (U_IS_COMMAND[type] !== command) return invalid(FrmrBits.W, `${type} with the wrong address for a ${command ? 'command' : 'response'}`);
  if (type !== 'FRMR' && info.length > 0) return invalid(FrmrBits.W | FrmrBits.X, `${type} with an information field`);
  return { kind: 'U', command, pf, control, type, info };
}

export function encodeIFrame(role: LapbRole, ns: number, nr: number, info: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + info.length);
  out[0] = peerAddress(role); // I frames are always commands
  out[1] = (nr << 5) | (ns << 1);
  out.set(info, 2);
  return out;
}

export function encodeSFrame(role: LapbRole, type: SupervisoryType, nr: number, command: boolean, pf: boolean): Uint8Array {
  return Uint8Array.of(command ? peerAddress(role) : ownAddress(role), LapbControl[type] | (nr << 5) | (pf ? LAPB_PF : 0));
}

export function encodeUFrame(role: LapbRole, type: UnnumberedType, pf: boolean, info: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(2 + info.length);
  out[0] = U_IS_COMMAND[type] ? peerAddress(role) : ownAddress(role);
  out[1] = LapbControl[type] | (pf ? LAPB_PF : 0);
  out.set(info, 2);
  return out;
}

/**
 * FRMR information field (ISO 7776 §4.3.9, modulo 8): the rejected control
 * octet; then V(S), the C/R bit (1 if the rejected frame was a response) and
 * V(R); then the W X Y Z reason bits.
 */
export function encodeFrmrInfo(rejectedControl: number, vs: number, vr: number, rejectedWasResponse: boolean, bits: number): Uint8Array {
  return Uint8Array.of(rejectedControl, (vs << 1) | (rejectedWasResponse ? 0x10 : 0) | (vr << 5), bits);
}

/** Short text for logs and traces, e.g. `I ns=1 nr=2 P cmd (128 B)`. */
export function describeLapbFrame(frame: LapbFrame): string {
  const pf = frame.pf ? (frame.command ? ' P' : ' F') : '';
  const cr = frame.command ? 'cmd' : 'rsp';
  switch (frame.kind) {
    case 'I': return `I ns=${frame.ns} nr=${frame.nr}${pf} ${cr} (${frame.info.length} B)`;
    case 'S': return `${frame.type} nr=${frame.nr}${pf} ${cr}`;
    case 'U': return `${frame.type}${pf} ${cr}${frame.info.length ? ` [${Buffer.from(frame.info).toString('hex')}]` : ''}`;
    case 'invalid': return `invalid control 0x${frame.control.toString(16)} ${cr}: ${frame.why}`;
  }
}
