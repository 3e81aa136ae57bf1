import { Ajv, type ErrorObject } from 'ajv';
import { parseDuration } from '../../core/duration.js';
import type { ErrorClass } from '../../firmware-sim/error-history.js';
import { resolveItem } from '../../firmware-sim/kds-schema.js';
import { RAISED_TEXT_MAX } from '../../firmware-sim/commands/error-raise-command.js';
import { FaultSpecError, NO_FAULTS, parseFaultSpec, type FaultPlan } from '../network/fault-plan.js';
import { NumberingError } from '../network/exchange.js';
import type { Lab } from '../lab/lab.js';
import { KEYPAD_KEYS, type LabDevice } from '../lab/lab-device.js';
import type { LabEvent } from '../lab/lab-events.js';
import type { DepotAssembly } from '../lab/depot-assembly.js';
import { CABINET_REFUSAL } from '../lab/depot-line.js';
import type { PbxAssembly } from '../lab/pbx-assembly.js';
import type { CabinetRefusal } from '../../firmware-sim/key-depot/depot-cabinet.js';
import type { ClockDriver } from './clock-driver.js';
import { ControlError } from './control-error.js';
import { checkEventPattern, eventMatches, EventFilterError } from './event-filter.js';

/** What a command may touch: the lab, its clock, the asking client's session, and the lab's stop switch. */
export interface CommandContext {
  lab: Lab;
  clock: ClockDriver;
  session: ControlSession;
  stopLab(reason: string): void;
}

/** The per-client state commands change. */
export interface ControlSession {
  /** Add subscriptions; returns all the client now has. */
  subscribe(patterns: string[]): string[];
  /** Remove some (or, without patterns, all) subscriptions; returns what is left. */
  unsubscribe(patterns: string[] | undefined): string[];
  /** Check the token; throws ControlError 'unauthorized' when it is wrong. */
  authenticate(token: string): void;
}

export interface ControlCommand {
  name: string;
  /** One line for `commands` and docs/control.md. */
  summary: string;
  /** JSON Schema of `args` (draft 7, checked by Ajv). */
  schema: Record<string, unknown>;
  /** Whether it runs before `auth` on a port that needs a token. */
  open?: boolean;
  run(ctx: CommandContext, args: unknown): unknown;
}

/** Longest `pbx.log` tail a request gets at once. */
export const MAX_LOG_TAIL = 1000;
/** Default wait of `run-until`. */
const DEFAULT_RUN_UNTIL = '1h';

// Union types ("string or integer") are how durations are written, so strict mode allows them.
const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: false, useDefaults: true });

/** A command whose `args` are checked against `schema` before `run` sees them as `A`. */
function command<A>(spec: { name: string; summary: string; schema: Record<string, unknown>; open?: boolean; run(ctx: CommandContext, args: A): unknown }): ControlCommand {
  const validate = ajv.compile<A>({ type: 'object', additionalProperties: false, properties: {}, ...spec.schema });
  return {
    ...spec,
    run: (ctx, args) => {
      if (!validate(args)) throw new ControlError('bad-args', argsError(validate.errors ?? []));
      return spec.run(ctx, args);
    },
  };
}

/** Ajv's first complaint, worded for a person: `args.pbx must be string`, `unknown argument "foo"`. */
function argsError(errors: ErrorObject[]): string {
  const e = errors[0];
  if (!e) return 'args are not valid';
  const where = `args${e.instancePath.replace(/\//g, '.')}`;
  if (e.keyword === 'additionalProperties') return `unknown argument "${String(e.params.additionalProperty)}" in ${where}`;
  if (e.keyword === 'required') return `${where}: missing "${String(e.params.missingProperty)}"`;
  if (e.keyword === 'enum') return `${where} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where} ${e.message ?? 'is not valid'}`;
}

const pbxArg = { type: 'string', minLength: 1, maxLength: 16 } as const;
const durationArg = { type: ['string', 'integer'], minimum: 0, maxLength: 32 } as const;

/** A duration as the control takes it: a number of milliseconds, or text with a unit ("90s", "15min", "7d"). */
function duration(where: string, v: string | number): number {
  const ms = typeof v === 'number' ? v : parseDuration(v, 'ms');
  if (ms === undefined || !Number.isFinite(ms)) throw new ControlError('bad-args', `args.${where}: "${v}" is not a duration (milliseconds, or e.g. 500ms, 90s, 15min, 2h, 7d)`);
  return ms;
}

function pbxOf(lab: Lab, id: string): PbxAssembly {
  const p = lab.pbxs.get(id);
  if (!p) throw new ControlError('not-found', `no PBX ${id} (the lab has ${[...lab.pbxs.keys()].join(', ') || 'none'})`);
  return p;
}

function depotOf(lab: Lab, id: string): DepotAssembly {
  const d = lab.depots.get(id);
  if (!d) throw new ControlError('not-found', `no key depot ${id} (the lab has ${[...lab.depots.keys()].join(', ') || 'none'})`);
  return d;
}

/** A person's action at the cabinet, refused as the keypad line refuses it. */
function cabinetAction(refused: CabinetRefusal | undefined, compartment: number): void {
  if (!refused) return;
  const [, text] = CABINET_REFUSAL[refused];
  throw new ControlError(refused === 'no-such-compartment' ? 'not-found' : 'refused', text(compartment));
}

function deviceOf(lab: Lab, id: string): LabDevice {
  const d = lab.devices().find((x) => x.id === id);
  if (!d) throw new ControlError('not-found', `no device ${id} (device.list names them)`);
  return d;
}

/** A fault given as text (`busy=3,drop-bytes=200`) or as an object of the same keys (`{"busy": 3}`). */
function faultSpec(spec: string | Record<string, string | number | boolean>): Partial<FaultPlan> {
  const text = typeof spec === 'string'
    ? spec
    : Object.entries(spec).map(([k, v]) => (v === true ? k : v === false ? `${k}=off` : `${k}=${v}`)).join(',');
  try {
    return parseFaultSpec(text);
  } catch (err) {
    if (err instanceof FaultSpecError) throw new ControlError('bad-args', `args.spec: ${err.message}`);
    throw err;
  }
}

/** Only what differs from a clean line, so a listing stays readable. */
function changedFaults(plan: Readonly<FaultPlan>): Partial<FaultPlan> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plan)) if (v !== (NO_FAULTS as unknown as Record<string, unknown>)[k]) out[k] = v;
  return out as Partial<FaultPlan>;
}

function lineFaults(lab: Lab, line: string): Readonly<FaultPlan> {
  try {
    return lab.exchange.faultsOf(line);
  } catch (err) {
    if (err instanceof NumberingError) throw new ControlError('not-found', err.message);
    throw err;
  }
}

/** Every line of the numbering plan by the name faults take: a public number or `pbxId:internal`. */
function lineNames(lab: Lab): string[] {
  return lab.exchange.numberingPlan().map((r) => (r.kind === 'subscriber' ? r.number ?? '' : `${r.pbx}:${r.internal}`));
}

export const iso = (ms: number): string => new Date(ms).toISOString();

function pbxSummary(p: PbxAssembly): Record<string, unknown> {
  const { entry, pbx } = p;
  return {
    id: entry.id,
    type: entry.type,
    aps: pbx.apsVersion,
    trunks: entry.trunks,
    fmc: pbx.log.available,
    imod: { internal: pbx.kds.get('modem.imod.number'), did: pbx.kds.get('modem.imod.did') || null },
    x75: { internal: pbx.kds.get('modem.x75.number'), did: pbx.kds.get('modem.x75.did') || null },
    adminPorts: p.adminPorts.map((a, i) => ({ bind: a.description, station: entry.adminPorts[i].station ?? null })),
    signaling: { state: p.signaling.state, failures: p.signaling.failures },
    errors: pbx.errors.list().length,
  };
}

function capabilities(d: LabDevice): string[] {
  return [d.press && 'press', d.display && 'display', d.powerCycle && 'power-cycle'].filter((c): c is string => typeof c === 'string');
}

const COMMANDS: ControlCommand[] = [
  command<Record<string, never>>({
    name: 'commands',
    summary: 'every command with its one-line summary',
    schema: {},
    open: true,
    run: () => COMMANDS.map((c) => ({ name: c.name, summary: c.summary })),
  }),
  command<{ token: string }>({
    name: 'auth',
    summary: 'present the control token (needed first on a port that is not on loopback, or with --control-token-file)',
    schema: { required: ['token'], properties: { token: { type: 'string', maxLength: 512 } } },
    open: true,
    run: (ctx, a) => {
      ctx.session.authenticate(a.token);
      return { authenticated: true };
    },
  }),
  command<Record<string, never>>({
    name: 'lab.describe',
    summary: 'the clock, the PBXs, modems, test lines and centre of the lab',
    schema: {},
    run: ({ lab, clock }) => ({
      clock: clock.mode,
      time: iso(clock.time()),
      pbxs: [...lab.pbxs.keys()],
      modems: [...lab.modems.keys()],
      testLines: lab.testLines,
      centre: lab.centre && lab.config.centre ? { modem: lab.config.centre.modem, database: lab.centreDatabase?.description ?? null } : null,
    }),
  }),
  command<Record<string, never>>({
    name: 'pbx.list',
    summary: 'the PBXs: type, APS, trunks, modem pseudo-ports, admin ports, signaling state, Error History size',
    schema: {},
    run: ({ lab }) => [...lab.pbxs.values()].map(pbxSummary),
  }),
  command<Record<string, never>>({
    name: 'device.list',
    summary: 'every device (PBXs, stations, modems, key depots) with what it can do',
    schema: {},
    run: ({ lab }) => lab.devices().map((d) => ({ id: d.id, kind: d.kind, can: capabilities(d), ...d.summary() })),
  }),
  command<Record<string, never>>({
    name: 'modem.list',
    summary: 'the external modems: number, profile, where bound, whether a terminal holds it, state',
    schema: {},
    run: ({ lab }) => [...lab.modems.values()].map((m) => ({ name: m.entry.name, number: m.entry.number, profile: m.entry.profile, bind: m.provider?.description ?? 'in-process', terminal: m.slot.plugged, state: m.modem.state })),
  }),
  command<Record<string, never>>({
    name: 'line.list',
    summary: 'every line of the numbering plan with its faults',
    schema: {},
    run: ({ lab }) => lab.exchange.numberingPlan().map((r) => {
      const line = r.kind === 'subscriber' ? r.number ?? '' : `${r.pbx}:${r.internal}`;
      return { line, kind: r.kind, number: r.number ?? null, faults: changedFaults(lab.exchange.faultsOf(line)) };
    }),
  }),
  command<Record<string, never>>({
    name: 'testline.list',
    summary: 'the test lines: echo, busy, no answer',
    schema: {},
    run: ({ lab }) => lab.testLines,
  }),
  command<{ pbx: string; class?: ErrorClass }>({
    name: 'pbx.errors',
    summary: "a PBX's Error History, oldest first (optionally one class)",
    schema: { required: ['pbx'], properties: { pbx: pbxArg, class: { enum: ['A', 'B', 'C'] } } },
    run: ({ lab }, a) => pbxOf(lab, a.pbx).pbx.errors.list(a.class).map((r) => ({ id: r.id, time: iso(r.time), class: r.cls, code: r.code, location: r.location, text: r.text, pseudo: r.pseudo })),
  }),
  command<{ pbx: string }>({
    name: 'pbx.display',
    summary: 'the two display lines of the PBX (what its admin stations show when idle)',
    schema: { required: ['pbx'], properties: { pbx: pbxArg } },
    run: ({ lab }, a) => ({ lines: pbxOf(lab, a.pbx).pbx.display().map((l) => l.trimEnd()) }),
  }),
  command<{ pbx: string; path: string }>({
    name: 'pbx.kds',
    summary: 'one KDS item; secrets (PINs, passwords) only as "set" or "default"',
    schema: { required: ['pbx', 'path'], properties: { pbx: pbxArg, path: { type: 'string', minLength: 1, maxLength: 64 } } },
    run: ({ lab }, a) => {
      const p = pbxOf(lab, a.pbx);
      const item = resolveItem(a.path);
      const value = p.pbx.kds.get(a.path);
      if (!item || value === undefined) throw new ControlError('not-found', `no KDS item ${a.path}`);
      return { path: a.path, value: item.spec.secret ? (value === '' ? 'default' : 'set') : value, secret: item.spec.secret === true };
    },
  }),
  command<{ pbx: string; path: string; value: string }>({
    name: 'pbx.kds-set',
    summary: 'change one KDS item as System maintenance (checked and logged, user "control")',
    schema: { required: ['pbx', 'path', 'value'], properties: { pbx: pbxArg, path: { type: 'string', minLength: 1, maxLength: 64 }, value: { type: 'string', maxLength: 64 } } },
    run: ({ lab }, a) => {
      const r = pbxOf(lab, a.pbx).setKds('control', a.path, a.value);
      if (!r.ok) throw new ControlError(r.code === 404 ? 'not-found' : r.code === 422 ? 'bad-args' : 'refused', r.error);
      return { path: a.path, old: r.value.old, value: r.value.value };
    },
  }),
  command<{ pbx: string; tail?: number }>({
    name: 'pbx.log',
    summary: `the last entries of a PBX's protocol log (tail, default 20, at most ${MAX_LOG_TAIL})`,
    schema: { required: ['pbx'], properties: { pbx: pbxArg, tail: { type: 'integer', minimum: 1, maximum: MAX_LOG_TAIL, default: 20 } } },
    run: ({ lab }, a) => {
      const log = pbxOf(lab, a.pbx).pbx.log;
      const from = Math.max(1, log.lastSeq() - (a.tail ?? 20) + 1);
      return log.read(from).map((e) => ({ seq: e.seq, time: iso(e.time), user: e.user, circle: e.circle, format: e.format, command: e.command }));
    },
  }),
  command<{ pbx: string; class: ErrorClass; code?: number; text?: string; location?: string }>({
    name: 'pbx.raise',
    summary: 'enter an error into the Error History (class B is signaled to the centre)',
    schema: {
      required: ['pbx', 'class'],
      properties: {
        pbx: pbxArg,
        class: { enum: ['A', 'B', 'C'] },
        code: { type: 'integer', minimum: 0, maximum: 0xffff, default: 0x210 },
        text: { type: 'string', maxLength: RAISED_TEXT_MAX, pattern: '^[^\\u0000-\\u001f\\u007f]*$', default: 'control error' },
        location: { type: 'string', maxLength: 32, pattern: '^[^\\u0000-\\u001f\\u007f]*$', default: 'control' },
      },
    },
    run: ({ lab }, a) => {
      const r = pbxOf(lab, a.pbx).raise({ cls: a.class, code: a.code ?? 0x210, text: a.text ?? 'control error', location: a.location ?? 'control' });
      return { id: r.id, time: iso(r.time) };
    },
  }),
  command<{ pbx: string; tornWrite?: { afterBytes: number } }>({
    name: 'pbx.power-cycle',
    summary: 'power a PBX off and on again; with tornWrite the power fails during its next FMC write instead',
    schema: { required: ['pbx'], properties: { pbx: pbxArg, tornWrite: tornWriteSchema() } },
    run: ({ lab }, a) => powerCycle(pbxDevice(lab, a.pbx), a.tornWrite),
  }),
  command<{ pbx: string }>({
    name: 'pbx.reload',
    summary: 'press the reload switch: the PBX restarts on its delivered database (protocol log and Error History stay)',
    schema: { required: ['pbx'], properties: { pbx: pbxArg } },
    run: ({ lab }, a) => {
      pbxOf(lab, a.pbx);
      return { sessionsDropped: lab.reload(a.pbx) };
    },
  }),
  command<{ pbx: string; index: number }>({
    name: 'pbx.request-callback',
    summary: 'register a callback request on a callback index as if the caller had given its code (spec §3.3: called back after 10 s)',
    schema: { required: ['pbx', 'index'], properties: { pbx: pbxArg, index: { type: 'integer', minimum: 1, maximum: 6 } } },
    run: ({ lab }, a) => {
      const r = pbxOf(lab, a.pbx).callback.request(a.index, 'control');
      if (!r.ok) throw new ControlError(r.code === 404 ? 'not-found' : 'refused', r.error);
      return { registered: true };
    },
  }),
  command<{ line: string; spec: string | Record<string, string | number | boolean> }>({
    name: 'fault.set',
    summary: 'inject faults on a line (public number or pbxId:internal): everything --fault takes, drop-bytes=N and drop-after=T cut it',
    schema: {
      required: ['line', 'spec'],
      properties: {
        line: { type: 'string', minLength: 1, maxLength: 40 },
        spec: { oneOf: [{ type: 'string', maxLength: 512 }, { type: 'object', maxProperties: 16, additionalProperties: { type: ['string', 'number', 'boolean'] } }] },
      },
    },
    run: ({ lab }, a) => {
      const plan = faultSpec(a.spec);
      lineFaults(lab, a.line);
      return { line: a.line, faults: changedFaults(lab.setFault(a.line, plan)) };
    },
  }),
  command<{ line: string; afterBytes?: number; afterTime?: string | number }>({
    name: 'line.cut',
    summary: 'cut a line once: its connected calls after N more bytes or T from now, else its next call',
    schema: { required: ['line'], properties: { line: { type: 'string', minLength: 1, maxLength: 40 }, afterBytes: { type: 'integer', minimum: 0, maximum: 1_000_000_000 }, afterTime: durationArg } },
    run: ({ lab }, a) => {
      if ((a.afterBytes === undefined) === (a.afterTime === undefined)) throw new ControlError('bad-args', 'args: give afterBytes or afterTime');
      lineFaults(lab, a.line);
      const calls = lab.cutLine(a.line, a.afterBytes !== undefined ? { afterBytes: a.afterBytes } : { afterMs: duration('afterTime', a.afterTime ?? 0) });
      return { line: a.line, calls, armed: calls === 0 };
    },
  }),
  command<{ line?: string }>({
    name: 'fault.list',
    summary: 'the lines that have faults now (or one line)',
    schema: { properties: { line: { type: 'string', minLength: 1, maxLength: 40 } } },
    run: ({ lab }, a) => {
      const lines = a.line === undefined ? lineNames(lab) : [a.line];
      return lines.map((line) => ({ line, faults: changedFaults(lineFaults(lab, line)) })).filter((r) => a.line !== undefined || Object.keys(r.faults).length > 0);
    },
  }),
  command<{ line?: string; all?: boolean }>({
    name: 'fault.clear',
    summary: 'remove every fault of a line, or of all lines with all: true',
    schema: { properties: { line: { type: 'string', minLength: 1, maxLength: 40 }, all: { const: true } } },
    run: ({ lab }, a) => {
      if ((a.line === undefined) === (a.all === undefined)) throw new ControlError('bad-args', 'args: give line, or all: true');
      const lines = a.all ? lineNames(lab).filter((l) => Object.keys(changedFaults(lab.exchange.faultsOf(l))).length > 0) : [a.line ?? ''];
      for (const line of lines) {
        lineFaults(lab, line);
        lab.clearFault(line);
      }
      return { cleared: lines };
    },
  }),
  command<{ device: string; keys: string }>({
    name: 'device.press',
    summary: "press keys (0-9 * #) on a station's or a key depot's keypad; returns its display",
    schema: { required: ['device', 'keys'], properties: { device: { type: 'string', minLength: 1, maxLength: 40 }, keys: { type: 'string', minLength: 1, maxLength: 64 } } },
    run: ({ lab }, a) => {
      const d = deviceOf(lab, a.device);
      if (!d.press) throw new ControlError('refused', `${d.id} (${d.kind}) has no keypad`);
      if (!KEYPAD_KEYS.test(a.keys)) throw new ControlError('bad-args', 'args.keys: only 0-9, * and #');
      d.press(a.keys);
      return { display: d.display?.() ?? null };
    },
  }),
  command<{ device: string }>({
    name: 'device.display',
    summary: 'the display of a PBX, a station or a key depot',
    schema: { required: ['device'], properties: { device: { type: 'string', minLength: 1, maxLength: 40 } } },
    run: ({ lab }, a) => {
      const d = deviceOf(lab, a.device);
      if (!d.display) throw new ControlError('refused', `${d.id} (${d.kind}) has no display`);
      return { lines: d.display() };
    },
  }),
  command<{ device: string; tornWrite?: { afterBytes: number } }>({
    name: 'device.power-cycle',
    summary: 'power-cycle a PBX or a key depot (optionally tearing its next flash write)',
    schema: { required: ['device'], properties: { device: { type: 'string', minLength: 1, maxLength: 40 }, tornWrite: tornWriteSchema() } },
    run: ({ lab }, a) => powerCycle(deviceOf(lab, a.device), a.tornWrite),
  }),
  command<Record<string, never>>({
    name: 'depot.list',
    summary: 'the key depots: compartments, keys in, door, mains, check-in state, queued events',
    schema: {},
    run: ({ lab }) => [...lab.depots.values()].map((d) => {
      const dev = d.device();
      return { id: dev.id, ...dev.summary(), display: dev.display?.() ?? null };
    }),
  }),
  command<{ depot: string; compartment: number; action: 'take' | 'return' }>({
    name: 'depot.key',
    summary: 'a person takes a key from, or returns it to, a compartment (its lock must be open: enter a PIN first)',
    schema: { required: ['depot', 'compartment', 'action'], properties: { depot: { type: 'string', minLength: 1, maxLength: 32 }, compartment: { type: 'integer', minimum: 1, maximum: 255 }, action: { enum: ['take', 'return'] } } },
    run: ({ lab }, a) => {
      const cabinet = depotOf(lab, a.depot).cabinet;
      cabinetAction(a.action === 'take' ? cabinet.take(a.compartment) : cabinet.putBack(a.compartment), a.compartment);
      return { keys: cabinet.keys() };
    },
  }),
  command<{ depot: string; open: boolean }>({
    name: 'depot.door',
    summary: "open or close a key depot's door",
    schema: { required: ['depot', 'open'], properties: { depot: { type: 'string', minLength: 1, maxLength: 32 }, open: { type: 'boolean' } } },
    run: ({ lab }, a) => {
      const cabinet = depotOf(lab, a.depot).cabinet;
      cabinet.setDoor(a.open);
      return { door: cabinet.doorOpen() ? 'open' : 'closed' };
    },
  }),
  command<{ depot: string }>({
    name: 'depot.tamper',
    summary: "trip a key depot's tamper switch (somebody forces the housing)",
    schema: { required: ['depot'], properties: { depot: { type: 'string', minLength: 1, maxLength: 32 } } },
    run: ({ lab }, a) => {
      depotOf(lab, a.depot).cabinet.tamper();
      return { tampered: true };
    },
  }),
  command<{ depot: string; present: boolean }>({
    name: 'depot.mains',
    summary: 'the mains of a key depot fails (present: false; it runs on its battery) or comes back',
    schema: { required: ['depot', 'present'], properties: { depot: { type: 'string', minLength: 1, maxLength: 32 }, present: { type: 'boolean' } } },
    run: ({ lab }, a) => {
      const cabinet = depotOf(lab, a.depot).cabinet;
      cabinet.setMains(a.present);
      return { mains: cabinet.mainsPresent() };
    },
  }),
  command<Record<string, never>>({
    name: 'clock.now',
    summary: "the lab's time and whether it is virtual",
    schema: {},
    run: ({ clock }) => ({ time: iso(clock.time()), ms: clock.time(), mode: clock.mode }),
  }),
  command<{ by: string | number }>({
    name: 'clock.advance',
    summary: 'move virtual time forward (ms, or "90s", "15min", "2h", "7d"), firing everything due on the way',
    schema: { required: ['by'], properties: { by: durationArg } },
    run: async ({ clock }, a) => {
      await clock.advance(duration('by', a.by));
      return { time: iso(clock.time()) };
    },
  }),
  command<{ event: string; match?: Record<string, unknown>; timeout?: string | number }>({
    name: 'run-until',
    summary: 'run (virtual time) or wait (real time) until an event matches or the time-out passes',
    schema: {
      required: ['event'],
      properties: {
        event: { type: 'string', minLength: 1, maxLength: 64 },
        match: { type: 'object', maxProperties: 16 },
        timeout: { ...durationArg, default: DEFAULT_RUN_UNTIL },
      },
    },
    run: async ({ clock }, a) => {
      pattern(a.event);
      const started = clock.time();
      const hit = await clock.runUntil((e) => eventMatches(e, a.event, a.match), duration('timeout', a.timeout ?? DEFAULT_RUN_UNTIL));
      return { matched: hit !== undefined, event: hit ? wireEvent(hit) : null, time: iso(clock.time()), elapsedMs: clock.time() - started };
    },
  }),
  command<{ events: string[] }>({
    name: 'events.subscribe',
    summary: 'receive events by name ("call.setup"), area ("signaling.*") or all ("*")',
    schema: { required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 64 } } } },
    run: ({ session }, a) => {
      for (const p of a.events) pattern(p);
      return { subscribed: session.subscribe(a.events) };
    },
  }),
  command<{ events?: string[] }>({
    name: 'events.unsubscribe',
    summary: 'stop some subscriptions, or all of them',
    schema: { properties: { events: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 64 } } } },
    run: ({ session }, a) => ({ subscribed: session.unsubscribe(a.events) }),
  }),
  command<{ name: string; passed: boolean; detail?: string }>({
    name: 'verdict',
    summary: "record the outcome of one of the rig's checks; it shows in the timeline report (lab --report)",
    schema: { required: ['name', 'passed'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, passed: { type: 'boolean' }, detail: { type: 'string', maxLength: 2000, default: '' } } },
    run: ({ lab }, a) => {
      lab.events.emit('verdict.recorded', { name: a.name, passed: a.passed, detail: a.detail ?? '' });
      return { recorded: true };
    },
  }),
  command<Record<string, never>>({
    name: 'lab.stop',
    summary: 'stop the lab (every client gets lab.stopping, then the port closes)',
    schema: {},
    run: (ctx) => {
      // After the reply is written: the caller learns its request was taken.
      setImmediate(() => ctx.stopLab('lab.stop'));
      return { stopping: true };
    },
  }),
];

function tornWriteSchema(): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, required: ['afterBytes'], properties: { afterBytes: { type: 'integer', minimum: 0, maximum: 65_536 } } };
}

function pbxDevice(lab: Lab, id: string): LabDevice {
  pbxOf(lab, id);
  return deviceOf(lab, id);
}

async function powerCycle(d: LabDevice, tornWrite: { afterBytes: number } | undefined): Promise<unknown> {
  if (!d.powerCycle) throw new ControlError('refused', `${d.id} (${d.kind}) has no power switch of its own`);
  try {
    return await d.powerCycle(tornWrite ? { tornWrite } : {});
  } catch (err) {
    if (err instanceof ControlError) throw err;
    throw new ControlError('refused', (err as Error).message);
  }
}

function pattern(p: string): void {
  try {
    checkEventPattern(p);
  } catch (err) {
    if (err instanceof EventFilterError) throw new ControlError('bad-args', err.message);
    throw err;
  }
}

/** An event as it goes over the wire: time in ISO 8601 (the lab's clock). */
export function wireEvent(e: LabEvent): { event: string; time: string; data: unknown } {
  return { event: e.event, time: iso(e.time), data: e.data };
}

export const CONTROL_COMMANDS: ReadonlyMap<string, ControlCommand> = new Map(COMMANDS.map((c) => [c.name, c]));
