import type { Lab } from '../lab/lab.js';
import type { LabEvent, LabEvents } from '../lab/lab-events.js';

/** One expectation's outcome, as a scenario or a rig (control command `verdict`) reports it. */
export interface Verdict {
  name: string;
  /** Lab time of the check, ms since the epoch. */
  time: number;
  passed: boolean;
  detail: string;
}

/** What one run of a lab leaves for its report: the events in order and the verdicts. */
export interface Timeline {
  title: string;
  /** Lab time the recording started. */
  start: number;
  /** Lab time it ended. */
  end: number;
  events: LabEvent[];
  /** Events not kept once the recorder was full. */
  dropped: number;
  verdicts: Verdict[];
  /** Which device a number or line belongs to (for the chart's rows). */
  devices: Record<string, string>;
}

/** Events one report keeps; a lab left running for months must not fill the memory. */
export const MAX_RECORDED_EVENTS = 200_000;

/**
 * Records a lab's events for the timeline report (`--report FILE.html`).
 * Protocol-log entries are kept too (the report lists them), verdicts come
 * from `verdict.recorded` events or `addVerdict`.
 */
export class TimelineRecorder {
  readonly #events: LabEvent[] = [];
  readonly #verdicts: Verdict[] = [];
  readonly #start: number;
  #dropped = 0;
  readonly #off: () => void;

  constructor(events: LabEvents, private readonly now: () => number, private readonly title: string, private readonly devices: Record<string, string> = {}) {
    this.#start = now();
    this.#off = events.on((e) => {
      if (e.event === 'verdict.recorded') this.#verdicts.push({ name: e.data.name, time: e.time, passed: e.data.passed, detail: e.data.detail });
      if (this.#events.length >= MAX_RECORDED_EVENTS) this.#dropped++;
      else this.#events.push(e);
    });
  }

  /** Record `lab` from now on; its modems, test lines and PBX trunks name the chart's rows. */
  static forLab(lab: Lab, title: string): TimelineRecorder {
    const devices: Record<string, string> = {};
    for (const m of lab.modems.values()) devices[m.entry.number] = m.entry.name;
    for (const [name, number] of Object.entries(lab.testLines)) devices[number] = `test line ${name}`;
    for (const p of lab.pbxs.values()) for (const trunk of p.entry.trunks) devices[trunk] = p.entry.id;
    for (const m of lab.modems.values()) devices[m.entry.name] = m.entry.name;
    return new TimelineRecorder(lab.events, () => lab.clock.now(), title, devices);
  }

  addVerdict(v: Verdict): void {
    this.#verdicts.push(v);
  }

  /** Stop recording; the timeline so far. */
  finish(): Timeline {
    this.#off();
    return { title: this.title, start: this.#start, end: this.now(), events: [...this.#events], dropped: this.#dropped, verdicts: [...this.#verdicts], devices: this.devices };
  }
}
