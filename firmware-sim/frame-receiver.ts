import { ArmorReader, FrameType } from './armored-frame.js';

/** What one line brings to a frame being received. */
export type FrameStep =
  /** More lines are expected. */
  | { kind: 'wait' }
  /** The frame was broken or of another type: nothing was received. */
  | { kind: 'refused'; error: string }
  /** The frame is complete. */
  | { kind: 'frame'; payload: Buffer };

/**
 * Receives one armored frame of an expected type, line by line: the
 * `BEGIN <TYPE> <bytes>` line, base64 lines, `END` (docs/session-protocol.md,
 * "Frames"). Used by command dialogues and by the chip card at `User:`.
 */
export class FrameReceiver {
  readonly type: FrameType;
  #reader: ArmorReader | undefined;

  constructor(type: FrameType) {
    this.type = type;
  }

  line(text: string): FrameStep {
    if (!this.#reader) {
      const begun = ArmorReader.begin(text);
      if (typeof begun === 'string') return { kind: 'refused', error: begun };
      this.#reader = begun;
      return { kind: 'wait' };
    }
    const result = this.#reader.push(text);
    if (!result) return { kind: 'wait' };
    if (!result.ok) return { kind: 'refused', error: result.error };
    if (result.type !== this.type) return { kind: 'refused', error: 'unexpected frame type' };
    return { kind: 'frame', payload: result.payload };
  }
}
