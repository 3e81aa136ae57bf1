import { FrameType } from './armored-frame.js';
import { checkChipCard, type CardIdentity, type CardRefusal, type ChipCard } from './chip-card.js';
import { cardIdentityOf } from './first-login-wizard.js';
import { SessionDialogue } from './session-dialogue.js';

export interface CardLoginIo {
  print(...lines: string[]): void;
  ask(prompt: string, mask: boolean): void;
  now(): number;
}

/** How presenting a card ended. */
export type CardOutcome =
  /** A card the PBX refuses (logged by the caller with the card's individual id when it could be read). */
  | { kind: 'refused'; reason: CardRefusal; card?: ChipCard }
  /** The frame itself was broken: nothing was presented. */
  | { kind: 'broken'; error: string }
  /** A valid card; `identity` is what the holder chose, or undefined when the caller does not ask (first login). */
  | { kind: 'accepted'; card: ChipCard; identity?: CardIdentity };

/**
 * The chip card at `User:` on an Octopus E (docs/octopus-e.md): the client
 * sends the card as an armored CARD frame, the PBX checks it (issuer
 * signature, validity, Octopus E access) and asks whether the holder logs
 * in with the card's group id or its individual id.
 */
export class CardLogin {
  readonly #io: CardLoginIo;
  readonly #dialogue = new SessionDialogue();
  readonly #done: (outcome: CardOutcome) => void;

  /**
   * Start: `SEND FRAME`, then every line goes to `line()` until `done`.
   * `askIdentity` false skips the question (the first login asks it itself).
   */
  constructor(io: CardLoginIo, askIdentity: (card: ChipCard) => boolean, done: (outcome: CardOutcome) => void) {
    this.#io = io;
    this.#done = done;
    this.#dialogue.receiveFrame(FrameType.Card, (payload) => {
      const check = checkChipCard(payload, io.now());
      if (!check.ok) return done({ kind: 'refused', reason: check.reason, card: check.card });
      const { card } = check;
      io.print(`Card ${card.individual} (group ${card.group}) accepted.`);
      if (!askIdentity(card)) return done({ kind: 'accepted', card });
      this.#askIdentity(card);
    });
    io.print('SEND FRAME');
  }

  line(text: string): void {
    const step = this.#dialogue.line(text);
    if (step.kind === 'refused') this.#done({ kind: 'broken', error: step.error });
    else if (step.kind === 'continue') step.run();
  }

  #askIdentity(card: ChipCard): void {
    this.#io.ask(`Log in as (group ${card.group} | individual ${card.individual}):`, false);
    this.#dialogue.ask((answer) => {
      const identity = cardIdentityOf(answer, card);
      if (identity) return this.#done({ kind: 'accepted', card, identity });
      this.#io.print(`ERROR 422 answer group or individual (${card.group} or ${card.individual})`);
      this.#askIdentity(card);
    });
  }
}
