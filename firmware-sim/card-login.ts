import type { Clock } from '../core/clock.js';
import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import { FrameType } from './armored-frame.js';
import { checkChipCard, type CardIdentity, type CardRefusal, type ChipCard } from './chip-card.js';
import { cardIdentityOf } from './first-login-wizard.js';
import { FrameReceiver } from './frame-receiver.js';

export interface CardLoginIo {
  print(...lines: string[]): void;
  ask(prompt: string, mask: boolean): void;
}

/** How presenting a card ended. */
export type CardOutcome =
  /** A card the PBX refuses (logged by the caller with the card's individual id when it could be read). */
  | { kind: 'refused'; reason: CardRefusal; card?: ChipCard }
  /** The frame itself was broken: nothing was presented. */
  | { kind: 'broken'; error: string }
  /** A valid card; `identity` is what the holder chose, or undefined when it was not asked (first login). */
  | { kind: 'accepted'; card: ChipCard; identity?: CardIdentity };

/**
 * Steps of presenting a card.
 *
 * ```
 *   FRAME ──valid card, identity asked──► IDENTITY ──group | individual──► DONE
 *     │                                     └─ anything else: asked again ─┘
 *     └── refused / broken / valid card, identity not asked ──► DONE
 * ```
 */
export enum CardStep {
  Frame = 'frame',
  Identity = 'identity',
  Done = 'done',
}

const CARD_MOVES: TransitionTable<CardStep> = {
  [CardStep.Frame]: [CardStep.Identity, CardStep.Done],
  [CardStep.Identity]: [CardStep.Identity, CardStep.Done],
  [CardStep.Done]: [],
};

/**
 * The chip card at `User:` on an Octopus E (docs/octopus-e.md): the client
 * sends the card as an armored CARD frame, the PBX checks it (issuer
 * signature, validity, Octopus E access) and, unless told not to (the first
 * login asks it itself), asks whether the holder logs in with the card's
 * group id or its individual id. `line()` returns the outcome once there is one.
 */
export class CardLogin {
  readonly #io: CardLoginIo;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #askIdentity: boolean;
  readonly #step = new StateMachine('chip card', CARD_MOVES, CardStep.Frame);
  readonly #frame = new FrameReceiver(FrameType.Card);
  #card: ChipCard | undefined;

  /** Asks for the frame (`SEND FRAME`); `askIdentity` false skips the identity question. */
  constructor(io: CardLoginIo, clock: Pick<Clock, 'now'>, askIdentity: boolean) {
    this.#io = io;
    this.#clock = clock;
    this.#askIdentity = askIdentity;
    io.print('SEND FRAME');
  }

  get step(): CardStep {
    return this.#step.state;
  }

  /** A line of the frame or the answer to the identity question; the outcome once there is one. */
  line(text: string): CardOutcome | undefined {
    switch (this.#step.state) {
      case CardStep.Frame:
        return this.#frameLine(text);
      case CardStep.Identity:
        return this.#identityLine(text);
      case CardStep.Done:
        return undefined;
    }
  }

  #frameLine(text: string): CardOutcome | undefined {
    const step = this.#frame.line(text);
    if (step.kind === 'wait') return undefined;
    if (step.kind === 'refused') return this.#done({ kind: 'broken', error: step.error });
    const check = checkChipCard(step.payload, this.#clock.now());
    if (!check.ok) return this.#done({ kind: 'refused', reason: check.reason, card: check.card });
    const { card } = check;
    this.#io.print(`Card ${card.individual} (group ${card.group}) accepted.`);
    if (!this.#askIdentity) return this.#done({ kind: 'accepted', card });
    this.#card = card;
    this.#ask(card);
    return undefined;
  }

  #identityLine(text: string): CardOutcome | undefined {
    const card = this.#card!;
    const identity = cardIdentityOf(text, card);
    if (identity) return this.#done({ kind: 'accepted', card, identity });
    this.#io.print(`ERROR 422 answer group or individual (${card.group} or ${card.individual})`);
    this.#ask(card);
    return undefined;
  }

  #ask(card: ChipCard): void {
    this.#step.transition(CardStep.Identity);
    this.#io.ask(`Log in as (group ${card.group} | individual ${card.individual}):`, false);
  }

  #done(outcome: CardOutcome): CardOutcome {
    this.#step.transition(CardStep.Done);
    return outcome;
  }
}
