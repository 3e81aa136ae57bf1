/**
 * The legal moves of a state machine: for every state, the states it may go
 * to next. A state that may stay where it is lists itself; a final state
 * lists nothing. Declared once per machine, next to its enum and diagram.
 */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/** A move the machine's table does not allow: a bug in the machine, never a peer's fault. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';

  constructor(
    readonly machine: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${machine}: illegal transition ${from} → ${to}`);
  }
}

/**
 * The current state of one machine (a session, a call, a callback …),
 * changed only through `transition()`, which checks each move against the
 * machine's table. Machines keep their own reasons and events: this holds
 * the state and the rule, nothing else.
 */
export class StateMachine<S extends string> {
  readonly #name: string;
  readonly #instance: number | undefined;
  readonly #table: TransitionTable<S>;
  #state: S;

  /**
   * `name` names the machine in errors, e.g. "session V.24"; `instance`,
   * when given, follows it ("call 7"). The two are joined only for an
   * error: a fleet makes a call machine per busy retry, millions of them.
   */
  constructor(name: string, table: TransitionTable<S>, initial: S, instance?: number) {
    this.#name = name;
    this.#instance = instance;
    this.#table = table;
    this.#state = initial;
  }

  get state(): S {
    return this.#state;
  }

  /** Is the machine in `state`? */
  is(state: S): boolean {
    return this.#state === state;
  }

  /** Is the machine in one of `states` (a list declared once, beside the table: nothing is built per look)? */
  isOneOf(states: readonly S[]): boolean {
    return states.includes(this.#state);
  }

  /** Would the table allow a move to `to` now? */
  can(to: S): boolean {
    return this.#table[this.#state].includes(to);
  }

  /** Move to `to`; returns the state it left. Throws IllegalTransitionError for a move the table does not list. */
  transition(to: S): S {
    const from = this.#state;
    if (!this.#table[from].includes(to)) throw new IllegalTransitionError(this.#instance === undefined ? this.#name : `${this.#name} ${this.#instance}`, from, to);
    this.#state = to;
    return from;
  }
}
