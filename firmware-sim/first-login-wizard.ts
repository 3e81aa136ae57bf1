import { StateMachine, type TransitionTable } from '../core/state-machine.js';
import { UserTable } from './user-table.js';

/** The questions of the first login, in order. */
export enum FirstLoginStep {
  Identity = 'identity',
  Password = 'password',
  Repeat = 'repeat',
}

const STEP_MOVES: TransitionTable<FirstLoginStep> = {
  [FirstLoginStep.Identity]: [FirstLoginStep.Identity, FirstLoginStep.Password],
  [FirstLoginStep.Password]: [FirstLoginStep.Password, FirstLoginStep.Repeat, FirstLoginStep.Identity],
  [FirstLoginStep.Repeat]: [FirstLoginStep.Password, FirstLoginStep.Identity],
};

const PROMPTS: Record<FirstLoginStep, [prompt: string, mask: boolean]> = {
  [FirstLoginStep.Identity]: ['Identity (new user name):', false],
  [FirstLoginStep.Password]: ['New password:', true],
  [FirstLoginStep.Repeat]: ['Repeat new password:', true],
};

export interface FirstLoginIo {
  print(...lines: string[]): void;
  ask(prompt: string, mask: boolean): void;
}

/**
 * The first login with the delivered SERVICE account (seed: "Damit werden
 * Standardname und Standardkennwort überschrieben"): the user gives an
 * identity, then a new password twice. A refused answer asks that question
 * again (a mismatch asks the password again); when both agree, `done`
 * gets identity and password. `start()` asks for the identity, at first and again after a refused creation.
 *
 * ```
 *   Identity ──valid name──▶ Password ──valid──▶ Repeat ──same──▶ done
 *     ▲  └─ bad ─┘            ▲  └─ bad ─┘         │
 *     │                       └──── differs ───────┘
 *     └──────────────── start() ─────────────────────
 * ```
 */
export class FirstLoginWizard {
  readonly #io: FirstLoginIo;
  readonly #done: (identity: string, password: string) => void;
  readonly #step = new StateMachine('first login', STEP_MOVES, FirstLoginStep.Identity);
  #identity = '';
  #password = '';

  constructor(io: FirstLoginIo, done: (identity: string, password: string) => void) {
    this.#io = io;
    this.#done = done;
  }

  get step(): FirstLoginStep {
    return this.#step.state;
  }

  /** Ask for the identity: at first, and again after a refused creation. */
  start(): void {
    this.#ask(FirstLoginStep.Identity);
  }

  line(text: string): void {
    switch (this.#step.state) {
      case FirstLoginStep.Identity: {
        const identity = text.trim();
        if (this.#refused(UserTable.checkName(identity), FirstLoginStep.Identity)) return;
        this.#identity = identity;
        return this.#ask(FirstLoginStep.Password);
      }
      case FirstLoginStep.Password:
        if (this.#refused(UserTable.checkPassword(text), FirstLoginStep.Password)) return;
        this.#password = text;
        return this.#ask(FirstLoginStep.Repeat);
      case FirstLoginStep.Repeat:
        if (this.#refused(text === this.#password ? undefined : 'the passwords differ', FirstLoginStep.Password)) return;
        return this.#done(this.#identity, this.#password);
    }
  }

  /** Print the refusal and ask `step` again; false if there is nothing to refuse. */
  #refused(error: string | undefined, step: FirstLoginStep): boolean {
    if (error === undefined) return false;
    this.#io.print(`ERROR 422 ${error}`);
    this.#ask(step);
    return true;
  }

  #ask(step: FirstLoginStep): void {
    this.#step.transition(step);
    const [prompt, mask] = PROMPTS[step];
    this.#io.ask(prompt, mask);
  }
}
