import { StateMachine, type TransitionTable } from '../../core/state-machine.js';
import type { Device } from '../database/device-registry.js';
import type { Presence, TestState } from '../database/schema.js';
import type { SupervisionState } from '../database/supervision-states.js';

/**
 * Supervision of one device (spec §5.3), pure: given its settings, its state
 * and the time, what it is now, which events that makes, and when it must be
 * looked at again (`nextCheckAt`: the deadline index the supervisor and the
 * intake keep in the database, so no step scans the fleet).
 *
 * Presence, from the last time the device was heard (or, before that, the
 * registration) — by its UDP check-ins (`supervise: checkin`: interval and
 * grace of the device), or, for a PBX without the LAN option (`supervise:
 * reports`), by its reports by modem: it is heard at least with every
 * function test, so late after the function-test period and the test grace
 * (the PBX's signaling interval and its retries), missing after k periods:
 * ```
 *   unknown ─┬─ check-in ─────────────────────▶ ok
 *            └─ interval + grace ─▶ late ─▶ k intervals ─▶ missing
 *   ok ──interval + grace──▶ late ──k intervals──▶ missing     (a slow step may go ok → missing)
 *   late / missing ──check-in──▶ ok
 * ```
 * Function test, where the device has a period:
 * ```
 *   unknown / ok / outside-window ──period + test grace without a test──▶ overdue
 *   any ──test inside the window (or no window)──▶ ok
 *   any ──test outside the expected window──▶ outside-window
 * ```
 */
const PRESENCE_MOVES: TransitionTable<Presence> = {
  unknown: ['unknown', 'ok', 'late', 'missing'],
  ok: ['ok', 'late', 'missing'],
  late: ['late', 'ok', 'missing'],
  missing: ['missing', 'ok'],
};

const TEST_MOVES: TransitionTable<TestState> = {
  unknown: ['unknown', 'ok', 'overdue', 'outside-window'],
  ok: ['ok', 'overdue', 'outside-window'],
  overdue: ['overdue', 'ok', 'outside-window'],
  'outside-window': ['outside-window', 'ok', 'overdue'],
};

/** Event types supervision raises; each presence/test state has one, and `ok` clears them. */
export const SUPERVISION_EVENT: Record<Exclude<Presence | TestState, 'unknown' | 'ok'>, string> = {
  late: 'late',
  missing: 'missing',
  overdue: 'function-test-overdue',
  'outside-window': 'outside-test-window',
};
/** Raised (born cleared) when a late or missing device is heard again. */
export const PRESENT_EVENT = 'present';

/** No deadline left (missing and overdue: only an arrival changes anything). */
export const NEVER = Number.MAX_SAFE_INTEGER;
const DAY_MIN = 24 * 60;

/**
 * A PBX sends its function test every 1 … 7 days (spec §3.4): one supervised
 * by its reports whose period the centre was not told is heard at least this
 * often.
 */
export const LONGEST_FUNCTION_TEST_PERIOD_MS = 7 * 86_400_000;

export type SupervisedDevice = Pick<Device, 'id' | 'checkInIntervalMs' | 'graceMs' | 'missingAfter' | 'functionTestPeriodMs' | 'testGraceMs' | 'testWindow' | 'createdAt' | 'supervise'>;

/** How often the device must be heard and the slack before it is late: its check-in interval, or its function-test period. */
export function heardEvery(device: SupervisedDevice): { intervalMs: number; graceMs: number } {
  if (device.supervise === 'reports') return { intervalMs: device.functionTestPeriodMs ?? LONGEST_FUNCTION_TEST_PERIOD_MS, graceMs: device.testGraceMs };
  return { intervalMs: device.checkInIntervalMs, graceMs: device.graceMs };
}

export interface SupervisionEvent {
  type: string;
  /** Conditions start active; what only informs is born cleared. */
  life: 'active' | 'cleared';
  data: Record<string, unknown>;
}

export interface SupervisionOutcome {
  state: SupervisionState;
  events: SupervisionEvent[];
  /** Event types whose active events this change clears. */
  clear: string[];
}

/** A device's first state, before supervision has looked at it. */
export function initialState(device: SupervisedDevice, now: number): SupervisionState {
  return { deviceId: device.id, presence: 'unknown', presenceSince: now, test: 'unknown', testSince: now, lastCheckInAt: null, lastFunctionTestAt: null, testDueAt: null, nextCheckAt: now };
}

/** When presence turns late and missing, counted from the last time heard (or the registration). */
export function presenceDeadlines(device: SupervisedDevice, s: SupervisionState): { lateAt: number; missingAt: number } {
  const base = s.lastCheckInAt ?? device.createdAt;
  const { intervalMs, graceMs } = heardEvery(device);
  const lateAt = base + intervalMs + graceMs;
  return { lateAt, missingAt: Math.max(base + device.missingAfter * intervalMs, lateAt) };
}

function testDueAt(device: SupervisedDevice, s: SupervisionState): number | null {
  if (device.functionTestPeriodMs === null) return null;
  return (s.lastFunctionTestAt ?? device.createdAt) + device.functionTestPeriodMs + device.testGraceMs;
}

/** Is `at` (ms) inside the device's expected test window (minutes after midnight UTC; end < start wraps)? */
export function inTestWindow(device: SupervisedDevice, at: number): boolean {
  const w = device.testWindow;
  if (!w) return true;
  const min = Math.floor((((at % 86_400_000) + 86_400_000) % 86_400_000) / 60_000) % DAY_MIN;
  return w.startMin <= w.endMin ? min >= w.startMin && min < w.endMin : min >= w.startMin || min < w.endMin;
}

class Change {
  readonly events: SupervisionEvent[] = [];
  readonly clear: string[] = [];
  readonly state: SupervisionState;
  readonly #presence: StateMachine<Presence>;
  readonly #test: StateMachine<TestState>;

  constructor(device: SupervisedDevice, s: SupervisionState) {
    this.state = { ...s };
    this.#presence = new StateMachine(`presence of ${device.id}`, PRESENCE_MOVES, s.presence);
    this.#test = new StateMachine(`function test of ${device.id}`, TEST_MOVES, s.test);
  }

  presence(to: Presence, now: number, data: Record<string, unknown>): void {
    const from = this.#presence.transition(to);
    if (from === to) return;
    this.state.presence = to;
    this.state.presenceSince = now;
    if (to === 'ok') {
      if (from === 'late' || from === 'missing') {
        this.clear.push(SUPERVISION_EVENT.late, SUPERVISION_EVENT.missing);
        this.events.push({ type: PRESENT_EVENT, life: 'cleared', data: { after: from, ...data } });
      }
      return;
    }
    if (to === 'late' || to === 'missing') {
      if (to === 'missing') this.clear.push(SUPERVISION_EVENT.late);
      this.events.push({ type: SUPERVISION_EVENT[to], life: 'active', data });
    }
  }

  test(to: TestState, now: number, data: Record<string, unknown>): void {
    const from = this.#test.transition(to);
    if (from === to) return;
    this.state.test = to;
    this.state.testSince = now;
    if (to === 'ok') this.clear.push(SUPERVISION_EVENT.overdue, SUPERVISION_EVENT['outside-window']);
    if (to === 'overdue' || to === 'outside-window') {
      this.clear.push(SUPERVISION_EVENT[to === 'overdue' ? 'outside-window' : 'overdue']);
      this.events.push({ type: SUPERVISION_EVENT[to], life: 'active', data });
    }
  }

  done(device: SupervisedDevice): SupervisionOutcome {
    const s = this.state;
    s.testDueAt = s.test === 'overdue' ? null : testDueAt(device, s);
    const { lateAt, missingAt } = presenceDeadlines(device, s);
    const presenceNext = s.presence === 'missing' ? NEVER : s.presence === 'late' ? missingAt : lateAt;
    s.nextCheckAt = Math.min(presenceNext, s.testDueAt ?? NEVER);
    return { state: s, events: this.events, clear: [...new Set(this.clear)] };
  }
}

/** What the device is at `now` with nothing new heard: the supervisor's step for a due device. */
export function evaluate(device: SupervisedDevice, s: SupervisionState, now: number): SupervisionOutcome {
  const c = new Change(device, s);
  const { lateAt, missingAt } = presenceDeadlines(device, s);
  const silentSince = s.lastCheckInAt ?? device.createdAt;
  const expected = heardEvery(device);
  const heard = { lastCheckInAt: s.lastCheckInAt, silentMs: now - silentSince, by: device.supervise };
  if (now >= missingAt) c.presence('missing', now, { ...heard, missingAfter: device.missingAfter, intervalMs: expected.intervalMs });
  else if (now >= lateAt && s.presence !== 'missing') c.presence('late', now, { ...heard, ...expected });
  const due = testDueAt(device, s);
  if (due !== null && now >= due && s.test !== 'overdue') c.test('overdue', now, { lastFunctionTestAt: s.lastFunctionTestAt, periodMs: device.functionTestPeriodMs });
  return c.done(device);
}

/** A check-in (or, for a device supervised by its reports, one of them) arrived at `now`. */
export function checkedIn(device: SupervisedDevice, s: SupervisionState, now: number): SupervisionOutcome {
  const c = new Change(device, s);
  const silentMs = now - (s.lastCheckInAt ?? device.createdAt);
  c.state.lastCheckInAt = now;
  c.presence('ok', now, { silentMs });
  return c.done(device);
}

/** A report by modem arrived at `now`: the device was heard if that is what it is supervised by; a check-in-supervised PBX's presence stays with its check-ins. */
export function reportArrived(device: SupervisedDevice, s: SupervisionState, now: number): SupervisionOutcome {
  return device.supervise === 'reports' ? checkedIn(device, s, now) : new Change(device, s).done(device);
}

/** A function test (a PBX's pseudo error, a depot's self test) that happened at `at` arrived at `now`. */
export function functionTested(device: SupervisedDevice, s: SupervisionState, at: number, now: number): SupervisionOutcome {
  const c = new Change(device, s);
  c.state.lastFunctionTestAt = Math.max(at, s.lastFunctionTestAt ?? at);
  if (inTestWindow(device, at)) c.test('ok', now, {});
  else c.test('outside-window', now, { testAt: at, window: device.testWindow });
  return c.done(device);
}
