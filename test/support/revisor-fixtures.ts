import { FrameType } from '../../firmware-sim/armored-frame.js';
import { ArmorReader } from '../../firmware-sim/armored-frame.js';
import { decodeLogEntries } from '../../firmware-sim/log-entries-codec.js';
import type { Pbx } from '../../firmware-sim/pbx.js';
import { formatEntry, MemoryProtocolLog, type LogEntry, type ProtocolLog } from '../../firmware-sim/protocol-log.js';
import { ObservedProtocolLog } from '../../src/lab/observed-protocol-log.js';
import { ONE_PER_CIRCLE, loginAs, pbxWithUsers } from './firmware-fixtures.js';
import type { HarnessOptions, AdminTerminal } from './pbx-harness.js';

/** The revisor of the seed's printout example ("rev" in circle Revision). */
export const REV = ONE_PER_CIRCLE[1];

/** A PBX with a user administrator and the revisor, plus a logged-in revisor terminal. */
export function revisorPbx(options: HarnessOptions = {}): ReturnType<typeof pbxWithUsers> & { rev: AdminTerminal } {
  const made = pbxWithUsers([ONE_PER_CIRCLE[0], REV], options);
  return { ...made, rev: loginAs(made.pbx, REV) };
}

/** `n` customer changes straight into the log (format 1, like Assistant T commands). */
export function logChanges(pbx: Pbx, n: number, tag = 'STN-NAME'): void {
  for (let i = 0; i < n; i++) pbx.audit({ user: 'pnkm', circle: undefined }, 1, `${tag} ${100 + (i % 900)} "n${i}"`);
}

/** The entries of the LogEntries frame in a terminal reply's lines. */
export function framedEntries(lines: string[]): LogEntry[] {
  const begin = lines.findIndex((l) => l.startsWith('BEGIN '));
  const reader = ArmorReader.begin(lines[begin]);
  if (typeof reader === 'string') throw new Error(reader);
  for (const l of lines.slice(begin + 1)) {
    const r = reader.push(l);
    if (!r) continue;
    if (!r.ok || r.type !== FrameType.LogEntries) throw new Error(r.ok ? 'not a LogEntries frame' : r.error);
    return decodeLogEntries(r.payload);
  }
  throw new Error('no END line');
}

/** A log that remembers the canonical text of every entry ever appended, so tests can prove none was lost. */
export class RecordingLog extends ObservedProtocolLog {
  readonly ledger: Map<number, string>;

  constructor(inner: ProtocolLog = new MemoryProtocolLog()) {
    const ledger = new Map<number, string>();
    super(inner, (e) => ledger.set(e.seq, formatEntry(e)));
    this.ledger = ledger;
  }
}
