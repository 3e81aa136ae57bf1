import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import type { CardIdentity } from './chip-card.js';
import { ALL_CIRCLES, Circle, CIRCLE_NAME, parseCircle } from './circles.js';
import { hasUserAdmin } from './rights.js';
import { UserTable } from './user-table.js';

/** The questions of the first login, in order. */
export enum FirstLoginStep {
  Identity = 'identity',
  Circle = 'circle',
  Password = 'password',
  Repeat = 'repeat',
}

const STEP_MOVES: TransitionTable<FirstLoginStep> = {
  [FirstLoginStep.Identity]: [FirstLoginStep.Identity, FirstLoginStep.Circle, FirstLoginStep.Password],
  [FirstLoginStep.Circle]: [FirstLoginStep.Circle, FirstLoginStep.Password, FirstLoginStep.Identity],
  [FirstLoginStep.Password]: [FirstLoginStep.Password, FirstLoginStep.Repeat, FirstLoginStep.Identity],
  [FirstLoginStep.Repeat]: [FirstLoginStep.Password, FirstLoginStep.Identity],
};

const PROMPTS: Record<Exclude<FirstLoginStep, FirstLoginStep.Identity>, [prompt: string, mask: boolean]> = {
  [FirstLoginStep.Circle]: ['Circle (1-6 or its name):', false],
  [FirstLoginStep.Password]: ['New password:', true],
  [FirstLoginStep.Repeat]: ['Repeat new password:', true],
};

/** Circles a first user may take: those in which it can go on to create the others. */
const FIRST_CIRCLES = ALL_CIRCLES.filter((c) => hasUserAdmin([{ circle: c }]));

export interface FirstLoginPlan {
  /** Octopus E: the first user chooses its circle (on a Hicom it goes to System maintenance). */
  chooseCircle: boolean;
  /** Octopus E with a chip card: the identity is the card's group or individual id. */
  card?: { individual: string; group: string };
}

export interface FirstUser {
  identity: string;
  password: string;
  circle: Circle;
  /** Set when the identity is the card's. */
  card?: CardIdentity;
}

export interface FirstLoginIo {
  print(...lines: string[]): void;
  ask(prompt: string, mask: boolean): void;
}

/**
 * The first login with the delivered account. Hicom (seed: "Beim ersten
 * Login fragt das System nach der Identität des Benutzers und verlangt die
 * Festlegung eines neuen Passwortes"): identity, then a new password twice.
 * Octopus E ("In beiden Fällen muss sich der Erstanmelder in die
 * Benutzerverwaltung eintragen: Benutzername, Nutzerkreis, Kennwort"):
 * identity — the card's group or individual id when a chip card came —
 * circle, then the password twice; `line()` returns the first user after
 * the last answer. A refused answer asks that question
 * again (a mismatch asks the password again); `start()` asks for the
 * identity, at first and again after a refused creation.
 *
 * ```
 *   Identity ──valid──▶ [Circle ──may administer users──▶] Password ──valid──▶ Repeat ──same──▶ done
 *     ▲  └bad┘             └─ bad / locks users out ─┘        ▲  └bad┘          │
 *     │                                                       └──── differs ────┘
 *     └──────────────────────────── start() ───────────────────────────────────────
 * ```
 */
export class FirstLoginWizard {
  readonly #io: FirstLoginIo;
  readonly #plan: FirstLoginPlan;
  readonly #step = new StateMachine('first login', STEP_MOVES, FirstLoginStep.Identity);
  #user: FirstUser = { identity: '', password: '', circle: Circle.SystemMaintenance };

  constructor(io: FirstLoginIo, plan: FirstLoginPlan) {
    this.#io = io;
    this.#plan = plan;
  }

  /** The card the first user's identity comes from, if any. */
  get card(): FirstLoginPlan['card'] {
    return this.#plan.card;
  }

  get step(): FirstLoginStep {
    return this.#step.state;
  }

  /** Ask for the identity: at first, and again after a refused creation. */
  start(): void {
    this.#step.transition(FirstLoginStep.Identity);
    const card = this.#plan.card;
    this.#io.ask(card ? `Identity (group ${card.group} | individual ${card.individual}):` : 'Identity (new user name):', false);
  }

  /** An answer; the first user once the last question is answered. */
  line(text: string): FirstUser | undefined {
    switch (this.#step.state) {
      case FirstLoginStep.Identity:
        this.#identity(text.trim());
        return undefined;
      case FirstLoginStep.Circle:
        this.#circle(text.trim());
        return undefined;
      case FirstLoginStep.Password:
        if (!this.#refused(UserTable.checkPassword(text), FirstLoginStep.Password)) {
          this.#user.password = text;
          this.#ask(FirstLoginStep.Repeat);
        }
        return undefined;
      case FirstLoginStep.Repeat:
        if (this.#refused(text === this.#user.password ? undefined : 'the passwords differ', FirstLoginStep.Password)) return undefined;
        return { ...this.#user };
    }
  }

  #identity(answer: string): void {
    const card = this.#plan.card;
    if (card) {
      const kind = cardIdentityOf(answer, card);
      if (!kind) return this.#again(`answer group or individual (${card.group} or ${card.individual})`);
      this.#user = { ...this.#user, identity: card[kind], card: kind };
    } else {
      const bad = UserTable.checkName(answer);
      if (bad) return this.#again(bad);
      this.#user = { ...this.#user, identity: answer, card: undefined };
    }
    this.#ask(this.#plan.chooseCircle ? FirstLoginStep.Circle : FirstLoginStep.Password);
  }

  #circle(answer: string): void {
    const circle = parseCircle(answer);
    if (circle === undefined) return void this.#refused(`unknown circle "${answer}"; use 1–6 or ${Object.values(CIRCLE_NAME).join(', ')}`, FirstLoginStep.Circle);
    if (!FIRST_CIRCLES.includes(circle)) {
      return void this.#refused(`a first user in ${CIRCLE_NAME[circle]} would leave nobody who can administer users; choose ${FIRST_CIRCLES.map((c) => CIRCLE_NAME[c]).join(' or ')}`, FirstLoginStep.Circle);
    }
    this.#user.circle = circle;
    this.#ask(FirstLoginStep.Password);
  }

  #again(error: string): void {
    this.#io.print(`ERROR 422 ${error}`);
    this.start();
  }

  /** Print the refusal and ask `step` again; false if there is nothing to refuse. */
  #refused(error: string | undefined, step: Exclude<FirstLoginStep, FirstLoginStep.Identity>): boolean {
    if (error === undefined) return false;
    this.#io.print(`ERROR 422 ${error}`);
    this.#ask(step);
    return true;
  }

  #ask(step: Exclude<FirstLoginStep, FirstLoginStep.Identity>): void {
    this.#step.transition(step);
    const [prompt, mask] = PROMPTS[step];
    this.#io.ask(prompt, mask);
  }
}

/** `group` / `individual` (or the id itself) → which identity of the card; undefined for anything else. */
export function cardIdentityOf(answer: string, card: { individual: string; group: string }): CardIdentity | undefined {
  const a = answer.trim().toLowerCase();
  if (a === 'group' || a === card.group.toLowerCase()) return 'group';
  if (a === 'individual' || a === card.individual.toLowerCase()) return 'individual';
  return undefined;
}
