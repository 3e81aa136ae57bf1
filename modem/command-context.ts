import type { LineEndpoint } from '../core/line-endpoint.js';
import type { LinkInfo } from '../core/call.js';
import type { AtCommand } from './at-parser.js';
import type { ModemSettings, ProfileStore } from './profile-store.js';
import type { SRegisters } from './s-registers.js';

/**
 * 'ok': next command on the line; 'error': ERROR, rest of the line dropped;
 * 'pending': the command reports its own final result later (D, A, O, +VTS, +VTX, +VRX).
 */
export type CommandOutcome = 'ok' | 'error' | 'pending';

/** 'analog' (a V.32bis modem) or 'isdn-ta' (an ISDN terminal adapter that also speaks X.75). */
export type ModemProfileKind = 'analog' | 'isdn-ta';

/** What ATI3 and +GMI/+GMM/+GMR report. */
export interface ModemIdentity {
  manufacturer: string;
  model: string;
  revision: string;
}

/**
 * What a command handler sees of the modem: its settings and registers to
 * read and change, and the few actions commands start. Handlers never get
 * the modem itself, so the modem's states change only inside the modem.
 */
export interface CommandContext {
  /** The active settings; handlers change their fields (E, V, &C, +MS …). */
  readonly settings: ModemSettings;
  readonly sRegisters: SRegisters;
  readonly profile: ModemProfileKind;
  readonly identity: Readonly<ModemIdentity>;
  /** The connected link (ATI6), while a call is up. */
  readonly link: LinkInfo | undefined;
  /** Where &W writes and &V looks. */
  readonly store: ProfileStore;
  /** Write information text framed per ATV (V.250 Table 1). */
  info(text: string): void;
  dial(dialString: string): CommandOutcome;
  answer(): CommandOutcome;
  hangUp(): void;
  /** ATH1; false when a call is up. */
  offHook(): boolean;
  /** ATO: back online from online command state. */
  goOnline(): CommandOutcome;
  /** ATZ: hang up and load a stored profile. */
  reset(slot: number): void;
  /** AT&F. */
  factory(): void;
  hasPump(name: string): boolean;
  /** Settings that drive DCD changed (&C). */
  linesChanged(): void;

  // Voice mode (V.253) streams audio between the DTE and a voice call.
  /** The audio path of a connected voice call. */
  readonly voicePath: LineEndpoint | undefined;
  /** Run `fn` after `ms` of the modem's clock. */
  after(ms: number, fn: () => void): void;
  /** The final result of a command that returned 'pending': OK or ERROR. */
  finalResult(ok: boolean): void;
  /** A result code outside V.250's table (V.253 VCON, CONNECT of a voice stream), framed like one; silent under ATQ1. */
  writeResult(text: string): void;
  /** Raw bytes to the DTE (a voice stream). */
  writeDte(bytes: Uint8Array): void;
  /** While a tap is set, every byte from the DTE goes to it instead of the command line reader; `undefined` ends it. */
  tapDte(handler: ((bytes: Uint8Array) => void) | undefined): void;
}

/** One AT command of the table. */
export interface CommandDef {
  /** 'E', '&D', '+MS'; 'D' for dial strings and 'S' for S-parameters. */
  name: string;
  handler(ctx: CommandContext, cmd: AtCommand): CommandOutcome;
}
