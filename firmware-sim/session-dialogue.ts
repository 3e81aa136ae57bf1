import type { FrameType } from './armored-frame.js';
import { FrameReceiver } from './frame-receiver.js';

/** What a line in a dialogue leads to. */
export type DialogueStep =
  /** More lines are expected (an armored frame in progress). */
  | { kind: 'wait' }
  /** The frame was broken or of the wrong type: the command ends with 422. */
  | { kind: 'refused'; error: string }
  /** The command goes on with what it waited for. */
  | { kind: 'continue'; run: () => void };

interface AwaitedFrame {
  receiver: FrameReceiver;
  then: (payload: Buffer) => void;
}

/**
 * What a command waits for while the session is in its Dialogue state: one
 * answer line (`ask`), or an armored frame of BEGIN … END lines
 * (`receiveFrame`). A new question replaces the old one.
 */
export class SessionDialogue {
  #answer: ((text: string) => void) | undefined;
  #frame: AwaitedFrame | undefined;

  ask(then: (answer: string) => void): void {
    this.#frame = undefined;
    this.#answer = then;
  }

  receiveFrame(type: FrameType, then: (payload: Buffer) => void): void {
    this.#answer = undefined;
    this.#frame = { receiver: new FrameReceiver(type), then };
  }

  /** Forget what was awaited (Ctrl-C, a refused step). */
  cancel(): void {
    this.#answer = undefined;
    this.#frame = undefined;
  }

  line(text: string): DialogueStep {
    const answer = this.#answer;
    if (answer) {
      this.#answer = undefined;
      return { kind: 'continue', run: () => answer(text) };
    }
    const frame = this.#frame;
    if (!frame) return { kind: 'wait' };
    const step = frame.receiver.line(text);
    if (step.kind === 'wait') return step;
    this.#frame = undefined;
    if (step.kind === 'refused') return this.#refuse(step.error);
    return { kind: 'continue', run: () => frame.then(step.payload) };
  }

  #refuse(error: string): DialogueStep {
    this.cancel();
    return { kind: 'refused', error };
  }
}
