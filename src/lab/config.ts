import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parsePbxType, PbxType } from '../../firmware-sim/pbx-type.js';
import { parsePbxVariant, PBX_VARIANTS, type PbxVariant } from '../../firmware-sim/pbx-variant.js';
import { DEFAULT_APS_VERSION } from '../../firmware-sim/pbx.js';
import { Kds } from '../../firmware-sim/kds.js';
import { parseLineSpec } from '../adapters/line-spec.js';
import { parseFaultSpec } from '../network/fault-plan.js';
import { DEFAULT_BRIDGE_RATE_BPS, parseTcpAddress } from '../network/internet-gateway.js';
import { parseBindAddress } from '../../core/datagram-port.js';
import { DEVICE_ID_PATTERN } from '../../core/check-in-telegram.js';
import { MAX_INTERVAL_S, MIN_INTERVAL_S } from '../../core/check-in-body.js';
import { parseDeviceKey, readDeviceKey } from '../storage/device-keys-file.js';
import { ioReason } from '../io-reason.js';
import { DEFAULT_TELESERVICE_PORT } from './lan-network.js';
import { serviceNetworkRules } from './service-network-rules.js';

/**
 * The lab a `hicom-sim lab` run builds: PBXs with their admin ports, the
 * external modems (technicians, centres) and the network's test lines.
 * Read from YAML or JSON; `hicom-sim config example` prints the embedded
 * default with comments. docs/configuration.md describes every field.
 */
export interface LabConfig {
  /** Where PBX state, FMC images and the centre's files live (relative to the config file). */
  stateDir: string;
  /** Pace modem data at the negotiated line rate (spec §4.5). */
  pacing: boolean;
  pbxs: PbxEntry[];
  modems: ModemEntry[];
  testLines: { echo: string; busy: string; noAnswer: string };
  centre?: CentreEntry;
  /** Key depots (seed 002) checking in with a centre over UDP. */
  depots: DepotEntry[];
  /**
   * Network faults set when the lab starts: line (public number or
   * `pbxId:internal`) → fault spec as `hicom-sim lab --fault` takes it,
   * e.g. `{ "0800100": "corrupt=0.001,seed=7" }` (docs/network.md).
   */
  faults?: Record<string, string>;
  /** Bridge mode (docs/bridge.md): what calls to and from real TCP hosts report, and the phone book. */
  bridge: BridgeEntry;
}

export interface BridgeEntry {
  /** The rate every bridged call reports in CONNECT and is paced at (tcpser's -S), bit/s. */
  rate: number;
  /** Number or name → host[:port] (tcpser's -n); port 23 when none is given. */
  phoneBook: Record<string, string>;
}

export interface PbxEntry {
  /** Unique system id (in every error report header). */
  id: string;
  type: PbxType;
  aps: string;
  /** A 10 MB flash memory card is plugged: without it there is no protocol log. */
  fmc: boolean;
  /** Public numbers of the PBX's trunks; DIDs are dialled as trunk number + extension. */
  trunks: string[];
  adminPorts: AdminPortEntry[];
  /** Stations whose keypad and display a person reaches on a line (docs/dtmf-admin.md, "At a station in the lab"). */
  keypads: KeypadEntry[];
  /** The LAN option: check-ins with the centre over UDP (docs/check-in-telegram.md §7). */
  lan?: LanEntry;
  /** hicom (default) or octopus-e: the Deutsche Telekom variant that takes chip cards at login (docs/octopus-e.md). */
  variant: PbxVariant;
}

/** Where and how a device checks in (docs/check-in-telegram.md). */
export interface CheckInEntry {
  /** HOST:PORT of the centre's UDP intake. */
  centre: string;
  /**
   * The device's 32-byte key, base64 — given inline (`key:`) or read from
   * `keyFile:`; none for a device that checks in with the lab's own centre
   * service (`centre.udp`), which registers it and makes its key.
   */
  key?: string;
}

/** The key a device checks in with; the lab fills in the keys its own centre makes before a device starts. */
export function checkInKey(entry: CheckInEntry, id: string): string {
  if (entry.key === undefined) throw new Error(`${id}: no check-in key (the lab's centre service gives one to the devices that check in with it)`);
  return entry.key;
}

/** LAN teleservice of a PBX (docs/lan-teleservice.md): the admin session on its LAN address, for the provider's service network only. */
export interface TeleserviceEntry {
  /** TCP port on the PBX's LAN address; 0: any free one (the banner shows it). */
  port: number;
  /** The service network written into lan.service-network at installation; absent: the lab's provider network. */
  serviceNetwork?: string;
}

export interface LanEntry extends CheckInEntry {
  /** LAN teleservice on the PBX's LAN address (absent: none). */
  teleservice?: TeleserviceEntry;
  /** Check-in interval in minutes, 1–60 (KDS lan.interval). */
  interval: number;
}

export interface DepotEntry extends CheckInEntry {
  /** Device id as registered at the centre. */
  id: string;
  /** Compartments 1…n, each with its key. */
  compartments: number;
  /** Where the keypad line is reachable (bind spec, as an admin port); none: only the control port reaches it. */
  keypad?: string;
  /** Check-in interval in seconds until the centre sets another (10–86,400). */
  interval: number;
}

export interface AdminPortEntry {
  /** tcp:[HOST:]PORT, telnet:[HOST:]PORT, serial:DEVICE[@BAUD] or pty:PATH */
  bind: string;
  /** Set for an Assistant T terminal on a station (only UP0E-1/UP0E-2 may administer); unset for the V.24 service port. */
  station?: string;
}

export interface KeypadEntry {
  /** The station (KDS `station.N`), e.g. "100". */
  station: string;
  /** tcp:[HOST:]PORT, telnet:[HOST:]PORT, serial:DEVICE[@BAUD] or pty:PATH, as an admin port. */
  bind: string;
}

export interface ModemEntry {
  name: string;
  /** The modem's public number in the network. */
  number: string;
  bind: string;
  /** analog: V.32bis/V.42bis data modem; isdn-ta: ISDN terminal adapter with X.75. */
  profile: 'analog' | 'isdn-ta';
  /** tcp:[HOST:]PORT where TCP callers ring this modem (bridge mode, tcpser's -p). */
  listen?: string;
}

export interface CentreEntry {
  /** Name of the modem (in `modems`) the centre receives on. */
  modem: string;
  /** Function test overdue after this many days without one. */
  functestOverdueDays: number;
  /** HOST:PORT of the centre service's UDP intake (spec §5.2): with it the lab runs the centre as a service (docs/centre-service.md). */
  udp?: string;
  /** HOST:PORT of that service's HTTP side (JSON API and portal); needs `udp`. */
  http?: string;
}

/** The type of a PBX whose entry names none. */
export const DEFAULT_PBX_TYPE = PbxType.OfficePro;
/** System ids of the lab's PBXs. */
export const PBX_ID_PATTERN = /^[A-Za-z0-9-]{1,16}$/;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_CONFIG_YAML = `# hicom-sim lab: a PBX reached by modem, a second one checking in over the
# LAN, a key depot, the network with its test lines, a technician's modem
# and the remote service centre, run as a service.
# Every field: docs/configuration.md.
stateDir: ./hicom-state        # PBX state, FMC images, centre files
pacing: true                   # pace modem data at the negotiated rate

pbxs:
  - id: HSIM-0001              # unique system id, sent in error reports
    type: OfficePro            # OfficePoint | OfficeCom | OfficePro
    aps: ${DEFAULT_APS_VERSION}
    fmc: true                  # 10 MB flash card: protocol log on
    trunks: ["0301234"]        # IMOD DID 791 is dialled as 0301234791
    adminPorts:
      - bind: tcp:127.0.0.1:7100      # V.24 service interface (Assistant E)
      - bind: tcp:127.0.0.1:7101      # Assistant T terminal on station 100 (UP0E-1)
        station: "100"
  - id: HSIM-0002              # a second PBX, with the LAN option: it checks in by UDP
    type: OfficePoint
    aps: ${DEFAULT_APS_VERSION}
    trunks: ["0302345"]
    lan:
      centre: 127.0.0.1:7300   # no key: the lab's centre registers the PBX and makes one
      interval: 1              # minutes; its class-B errors go by LAN, the rest by modem

modems:
  - name: technician           # the service technician's PC modem
    number: "0897000"
    bind: tcp:127.0.0.1:7200   # minicom/picocom via socat, or pyserial rfc2217://
    profile: analog
  - name: technician-isdn      # ISDN terminal adapter with X.75
    number: "0897001"
    bind: tcp:127.0.0.1:7201
    profile: isdn-ta
  - name: centre               # the remote centre's modem
    number: "0899000"
    bind: tcp:127.0.0.1:7202
    profile: analog

testLines:
  echo: "0800100"              # answers as a modem and echoes data
  busy: "0800200"              # always busy
  noAnswer: "0800300"          # rings for ever

depots:
  - id: DEPOT-0001             # a key depot (seed 002), registered at the lab's centre
    compartments: 4
    keypad: tcp:127.0.0.1:7102 # type "pin 4711", "take 3", "return 3" (docs/key-depot.md)
    centre: 127.0.0.1:7300

centre:
  modem: centre                # receive mode: error reports over the modem (spec §3.4)
  functestOverdueDays: 8
  udp: 127.0.0.1:7300          # the centre service: UDP intake of check-ins (spec §5.2)
  http: 127.0.0.1:7301         # its JSON API (docs/centre-api.md) and portal (docs/portal.md)
`;

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(where: string, v: unknown, fallback?: string): string {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${where}: expected a text value`);
  return v;
}

function digits(where: string, v: unknown): string {
  const s = str(where, v);
  if (!/^\d{1,22}$/.test(s)) throw new ConfigError(`${where}: "${s}" is not a phone number (digits only; quote it in YAML to keep leading zeros)`);
  return s;
}

function bindSpec(where: string, v: unknown): string {
  const s = str(where, v);
  try {
    parseLineSpec(s);
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message}`);
  }
  return s;
}

function list(where: string, v: unknown): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError(`${where}: expected a list`);
  return v;
}

/** A misspelt key would be ignored silently otherwise (the lab then starts without what was meant). */
function known(where: string, o: Raw, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ConfigError(`${where}: unknown field "${k}" (known: ${keys.join(', ')})`);
}

function bool(where: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ConfigError(`${where}: expected true or false`);
  return v;
}

/** Check a parsed document and fill in defaults; throws ConfigError naming the field. */
export function validateConfig(doc: unknown, baseDir = process.cwd()): LabConfig {
  if (!isObject(doc)) throw new ConfigError('the configuration must be a mapping (YAML) or an object (JSON)');
  const top = ['stateDir', 'pacing', 'pbxs', 'modems', 'testLines', 'centre', 'faults', 'depots', 'bridge'];
  for (const k of Object.keys(doc)) if (!top.includes(k)) throw new ConfigError(`unknown field "${k}" (known: ${top.join(', ')})`);
  const stateDir = str('stateDir', doc.stateDir, './hicom-state');
  const pbxs = list('pbxs', doc.pbxs).map((p, i): PbxEntry => {
    const w = `pbxs[${i}]`;
    if (!isObject(p)) throw new ConfigError(`${w}: expected a mapping`);
    known(w, p, ['id', 'type', 'aps', 'fmc', 'trunks', 'adminPorts', 'keypads', 'lan', 'variant']);
    const id = str(`${w}.id`, p.id);
    if (!PBX_ID_PATTERN.test(id)) throw new ConfigError(`${w}.id: "${id}" must be 1–16 letters, digits or dashes`);
    const type = parsePbxType(str(`${w}.type`, p.type, DEFAULT_PBX_TYPE));
    if (!type) throw new ConfigError(`${w}.type: must be one of ${Object.values(PbxType).join(', ')}`);
    const aps = str(`${w}.aps`, p.aps, DEFAULT_APS_VERSION);
    if (!/^[A-Z0-9]{2,8}\.\d{2}\.\d{3}\.\d{2}$/.test(aps)) throw new ConfigError(`${w}.aps: "${aps}" is not an APS version like ${DEFAULT_APS_VERSION}`);
    const trunks = list(`${w}.trunks`, p.trunks).map((t, j) => digits(`${w}.trunks[${j}]`, t));
    // The exchange refuses a PBX without a trunk; say so here, naming the field, not at start-up.
    if (trunks.length === 0) throw new ConfigError(`${w}.trunks: at least one trunk number is needed (the IMOD DID is dialled as trunk number + DID)`);
    const adminPorts = list(`${w}.adminPorts`, p.adminPorts).map((a, j): AdminPortEntry => {
      const aw = `${w}.adminPorts[${j}]`;
      if (!isObject(a)) throw new ConfigError(`${aw}: expected a mapping with "bind"`);
      known(aw, a, ['bind', 'station']);
      return { bind: bindSpec(`${aw}.bind`, a.bind), ...(a.station !== undefined ? { station: digits(`${aw}.station`, a.station) } : {}) };
    });
    const keypads = list(`${w}.keypads`, p.keypads).map((k, j): KeypadEntry => {
      const kw = `${w}.keypads[${j}]`;
      if (!isObject(k)) throw new ConfigError(`${kw}: expected a mapping with "station" and "bind"`);
      known(kw, k, ['station', 'bind']);
      return { station: digits(`${kw}.station`, k.station), bind: bindSpec(`${kw}.bind`, k.bind) };
    });
    const lan = p.lan === undefined ? undefined : lanEntry(`${w}.lan`, p.lan, id, baseDir);
    const variant = parsePbxVariant(str(`${w}.variant`, p.variant, 'hicom'));
    if (!variant) throw new ConfigError(`${w}.variant: must be one of ${PBX_VARIANTS.join(', ')}`);
    return { id, type, aps, fmc: bool(`${w}.fmc`, p.fmc, true), trunks, adminPorts, keypads, variant, ...(lan ? { lan } : {}) };
  });
  const ids = new Set<string>();
  for (const p of pbxs) {
    if (ids.has(p.id)) throw new ConfigError(`pbxs: system id ${p.id} is used twice; ids must be unique`);
    ids.add(p.id);
  }
  const modems = list('modems', doc.modems).map((m, i): ModemEntry => {
    const w = `modems[${i}]`;
    if (!isObject(m)) throw new ConfigError(`${w}: expected a mapping`);
    known(w, m, ['name', 'number', 'bind', 'profile', 'listen']);
    const profile = str(`${w}.profile`, m.profile, 'analog');
    if (profile !== 'analog' && profile !== 'isdn-ta') throw new ConfigError(`${w}.profile: analog or isdn-ta`);
    const listen = m.listen === undefined ? undefined : listenSpec(`${w}.listen`, m.listen);
    return { name: str(`${w}.name`, m.name), number: digits(`${w}.number`, m.number), bind: bindSpec(`${w}.bind`, m.bind), profile, ...(listen ? { listen } : {}) };
  });
  if (doc.testLines !== undefined && !isObject(doc.testLines)) throw new ConfigError('testLines: expected a mapping with echo, busy, noAnswer');
  const tl = isObject(doc.testLines) ? doc.testLines : {};
  known('testLines', tl, ['echo', 'busy', 'noAnswer']);
  const testLines = {
    echo: tl.echo === undefined ? '0800100' : digits('testLines.echo', tl.echo),
    busy: tl.busy === undefined ? '0800200' : digits('testLines.busy', tl.busy),
    noAnswer: tl.noAnswer === undefined ? '0800300' : digits('testLines.noAnswer', tl.noAnswer),
  };
  let centre: CentreEntry | undefined;
  if (doc.centre !== undefined) {
    if (!isObject(doc.centre)) throw new ConfigError('centre: expected a mapping');
    known('centre', doc.centre, ['modem', 'functestOverdueDays', 'udp', 'http']);
    const modem = str('centre.modem', doc.centre.modem);
    if (!modems.some((m) => m.name === modem)) throw new ConfigError(`centre.modem: no modem named "${modem}"`);
    const days = doc.centre.functestOverdueDays ?? 8;
    if (typeof days !== 'number' || days < 1) throw new ConfigError('centre.functestOverdueDays: a number of days ≥ 1');
    const udp = doc.centre.udp === undefined ? undefined : address('centre.udp', doc.centre.udp);
    const http = doc.centre.http === undefined ? undefined : address('centre.http', doc.centre.http);
    if (http && !udp) throw new ConfigError('centre.http: the HTTP side belongs to the centre service, which centre.udp starts; give centre.udp too');
    centre = { modem, functestOverdueDays: days, ...(udp ? { udp } : {}), ...(http ? { http } : {}) };
  }
  const depots = depotEntries(doc.depots, ids, baseDir);
  // Every device that checks in: port 0 only for the lab's own centre, and no key only there (it makes the key).
  const checkingIn = [...pbxs.flatMap((p, i) => (p.lan ? [{ where: `pbxs[${i}].lan`, e: p.lan }] : [])), ...depots.map((d, i) => ({ where: `depots[${i}]`, e: d }))];
  for (const { where, e } of checkingIn) {
    const own = centre?.udp !== undefined && sameAddress(e.centre, centre.udp);
    if (e.key === undefined && !own) throw new ConfigError(`${where}: give the device key as key: (base64) or keyFile: (a file); only a device that checks in with the lab's own centre service (centre.udp${centre?.udp ? ` ${centre.udp}` : ', not set'}) may leave it out`);
    if (e.key !== undefined && parseBindAddress(e.centre).port === 0) throw new ConfigError(`${where}.centre: port 0 is not 1–65535 (a free port only for the lab's own centre service, with devices that leave out the key)`);
  }
  const faults = doc.faults === undefined ? undefined : validateFaults(doc.faults);
  const bridge = bridgeEntry(doc.bridge);
  checkConsistency(pbxs, modems, depots, testLines);
  return {
    stateDir: isAbsolute(stateDir) ? stateDir : resolve(baseDir, stateDir),
    pacing: bool('pacing', doc.pacing, true),
    pbxs,
    modems,
    testLines,
    centre,
    depots,
    bridge,
    ...(faults ? { faults } : {}),
  };
}

function intIn(where: string, v: unknown, lo: number, hi: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new ConfigError(`${where}: a whole number ${lo}–${hi}`);
  return v;
}

/** A HOST:PORT field (UDP or TCP), checked now; port 0 (a free port, chosen at start) only for the lab's own centre. */
function address(where: string, v: unknown): string {
  const s = str(where, v);
  try {
    parseBindAddress(s);
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message}`);
  }
  return s;
}

function sameAddress(a: string, b: string): boolean {
  const x = parseBindAddress(a);
  const y = parseBindAddress(b);
  return x.host === y.host && x.port === y.port;
}

/** `centre:` and `key:` or `keyFile:` of a device that checks in; a key file is read now so a bad one is named at start. */
function checkInEntry(where: string, v: Raw, id: string, baseDir: string): CheckInEntry {
  const centre = address(`${where}.centre`, v.centre);
  if (v.key !== undefined && v.keyFile !== undefined) throw new ConfigError(`${where}: give the device key as key: (base64) or keyFile: (a file), one of the two`);
  // Neither: the lab's own centre makes the key (checked against centre.udp by the caller).
  if (v.key === undefined && v.keyFile === undefined) return { centre };
  let key: string;
  if (v.key !== undefined) {
    key = str(`${where}.key`, v.key);
    const parsed = parseDeviceKey(key);
    if (typeof parsed === 'string') throw new ConfigError(`${where}.key: ${parsed}`);
  } else {
    const path = str(`${where}.keyFile`, v.keyFile);
    try {
      key = Buffer.from(readDeviceKey(isAbsolute(path) ? path : resolve(baseDir, path), id)).toString('base64');
    } catch (err) {
      throw new ConfigError(`${where}.keyFile: ${(err as Error).message}`);
    }
  }
  return { centre, key };
}

function lanEntry(where: string, v: unknown, id: string, baseDir: string): LanEntry {
  if (!isObject(v)) throw new ConfigError(`${where}: expected a mapping with centre and key or keyFile`);
  known(where, v, ['centre', 'key', 'keyFile', 'interval', 'teleservice']);
  const teleservice = v.teleservice === undefined ? undefined : teleserviceEntry(`${where}.teleservice`, v.teleservice);
  return { ...checkInEntry(where, v, id, baseDir), interval: intIn(`${where}.interval`, v.interval, 1, 60, 1), ...(teleservice ? { teleservice } : {}) };
}

function teleserviceEntry(where: string, v: unknown): TeleserviceEntry {
  if (v === true) return { port: DEFAULT_TELESERVICE_PORT };
  if (!isObject(v)) throw new ConfigError(`${where}: expected true or a mapping with port and serviceNetwork`);
  known(where, v, ['port', 'serviceNetwork']);
  const port = intIn(`${where}.port`, v.port, 0, 65535, DEFAULT_TELESERVICE_PORT);
  if (v.serviceNetwork === undefined) return { port };
  const checked = serviceNetworkRules.canonicalList(str(`${where}.serviceNetwork`, v.serviceNetwork));
  if (!checked.ok) throw new ConfigError(`${where}.serviceNetwork: ${checked.error}`);
  return { port, serviceNetwork: checked.value };
}

function depotEntries(v: unknown, pbxIds: Set<string>, baseDir: string): DepotEntry[] {
  const ids = new Set(pbxIds);
  return list('depots', v).map((d, i): DepotEntry => {
    const w = `depots[${i}]`;
    if (!isObject(d)) throw new ConfigError(`${w}: expected a mapping`);
    known(w, d, ['id', 'compartments', 'keypad', 'centre', 'key', 'keyFile', 'interval']);
    const id = str(`${w}.id`, d.id);
    if (!DEVICE_ID_PATTERN.test(id)) throw new ConfigError(`${w}.id: "${id}" must be 1–32 of A–Z a–z 0–9 . _ -`);
    if (ids.has(id)) throw new ConfigError(`${w}.id: ${id} is used twice in the lab; device ids must be unique`);
    ids.add(id);
    const keypad = d.keypad === undefined ? undefined : bindSpec(`${w}.keypad`, d.keypad);
    return {
      id,
      compartments: intIn(`${w}.compartments`, d.compartments, 1, 255, 4),
      ...(keypad ? { keypad } : {}),
      ...checkInEntry(w, d, id, baseDir),
      interval: intIn(`${w}.interval`, d.interval, MIN_INTERVAL_S, MAX_INTERVAL_S, 60),
    };
  });
}

/**
 * What each entry cannot see alone, and the lab would trip over at start or,
 * worse, start with: every public number reachable as meant (a modem's
 * number neither a test line nor inside a PBX's trunk, trunks not shadowing
 * each other), every port bound once, every Assistant T station and
 * station keypad one the PBX has, modem names unique, and something to connect to.
 */
function checkConsistency(pbxs: PbxEntry[], modems: ModemEntry[], depots: DepotEntry[], testLines: LabConfig['testLines']): void {
  const numbers = new Map<string, string>();
  const claim = (number: string, where: string): void => {
    const other = numbers.get(number);
    if (other) throw new ConfigError(`${where}: number ${number} is already ${other}`);
    numbers.set(number, where);
  };
  claim(testLines.echo, 'testLines.echo');
  claim(testLines.busy, 'testLines.busy');
  claim(testLines.noAnswer, 'testLines.noAnswer');
  const names = new Map<string, number>();
  modems.forEach((m, i) => {
    if (names.has(m.name)) throw new ConfigError(`modems[${i}].name: "${m.name}" is also the name of modems[${names.get(m.name)}]; names must be unique`);
    names.set(m.name, i);
    claim(m.number, `modems[${i}].number`);
  });
  // Trunks by number, and every prefix of a trunk to the first trunk that starts with it: a fleet of 100,000 PBXs is checked in linear time, not by comparing every pair.
  type Trunk = { trunk: string; where: string };
  const trunks = new Map<string, Trunk>();
  const firstUnder = new Map<string, Trunk>();
  const trunkStarting = (number: string): Trunk | undefined => {
    for (let k = 1; k <= number.length; k++) {
      const t = trunks.get(number.slice(0, k));
      if (t) return t;
    }
    return undefined;
  };
  pbxs.forEach((p, i) => p.trunks.forEach((trunk, j) => {
    const where = `pbxs[${i}].trunks[${j}]`;
    // The exchange routes a number to the PBX whose trunk starts it: one trunk inside another would take the other's calls.
    // The trunks so far share no prefix, so at most one of the two lookups can find one.
    const clash = firstUnder.get(trunk) ?? trunkStarting(trunk);
    if (clash) throw new ConfigError(`${where}: trunk ${trunk} ${clash.trunk === trunk ? 'is also' : 'overlaps'} ${clash.where} (${clash.trunk}): calls could not tell the PBXs apart`);
    const entry = { trunk, where };
    trunks.set(trunk, entry);
    for (let k = 1; k <= trunk.length; k++) if (!firstUnder.has(trunk.slice(0, k))) firstUnder.set(trunk.slice(0, k), entry);
  }));
  for (const [number, where] of numbers) {
    const t = trunkStarting(number);
    if (t) throw new ConfigError(`${where}: number ${number} lies in ${t.where} (${t.trunk}): it would hide the PBX's DID ${number.slice(t.trunk.length) || '(the trunk itself)'}`);
  }
  const binds = new Map<string, string>();
  const bind = (spec: string, where: string): void => {
    const key = bindKey(spec);
    if (key === undefined) return;
    const other = binds.get(key);
    if (other) throw new ConfigError(`${where}: ${spec} is already bound by ${other}; each port can be bound once`);
    binds.set(key, where);
  };
  pbxs.forEach((p, i) => p.adminPorts.forEach((a, j) => {
    const where = `pbxs[${i}].adminPorts[${j}]`;
    bind(a.bind, `${where}.bind`);
    if (a.station !== undefined && !Kds.defaults(p.type).has(`station.${a.station}.port`)) {
      throw new ConfigError(`${where}.station: ${p.type} has no station ${a.station} (it has ${stationRange(p.type)})`);
    }
  }));
  pbxs.forEach((p, i) => p.keypads.forEach((k, j) => {
    const where = `pbxs[${i}].keypads[${j}]`;
    bind(k.bind, `${where}.bind`);
    if (!Kds.defaults(p.type).has(`station.${k.station}.port`)) throw new ConfigError(`${where}.station: ${p.type} has no station ${k.station} (it has ${stationRange(p.type)})`);
  }));
  modems.forEach((m, i) => {
    bind(m.bind, `modems[${i}].bind`);
    if (m.listen !== undefined) bind(m.listen, `modems[${i}].listen`);
  });
  depots.forEach((d, i) => d.keypad !== undefined && bind(d.keypad, `depots[${i}].keypad`));
  if (modems.length === 0 && depots.length === 0 && pbxs.every((p) => p.adminPorts.length === 0 && p.keypads.length === 0 && p.lan === undefined)) {
    throw new ConfigError('the lab has nothing to connect to: give a PBX adminPorts, keypads or a LAN centre, or add a modem or a key depot');
  }
}

/** The resource a bind spec takes, so that tcp:7100 and tcp:127.0.0.1:7100 count as one; undefined for a port the system picks (0). */
function bindKey(spec: string): string | undefined {
  const s = parseLineSpec(spec);
  if (s.kind === 'tcp') return s.port === 0 ? undefined : `tcp ${s.host}:${s.port}`;
  return `${s.kind} ${resolve(s.path)}`;
}

function stationRange(type: PbxType): string {
  const stations = Kds.defaults(type).paths().filter((p) => /^station\.\d+\.port$/.test(p)).map((p) => Number(p.split('.')[1]));
  return `${Math.min(...stations)}–${Math.max(...stations)}`;
}

/** Rates a DTE port runs at, from 300 bit/s to 921,600 (tcpser's CONNECT table). */
const MIN_BRIDGE_RATE = 300;
const MAX_BRIDGE_RATE = 921_600;

/** `bridge:` — rate and phone book; every entry's target is checked now, so a typo is named at start. */
function bridgeEntry(v: unknown): BridgeEntry {
  if (v === undefined) return { rate: DEFAULT_BRIDGE_RATE_BPS, phoneBook: {} };
  if (!isObject(v)) throw new ConfigError('bridge: expected a mapping with rate and phoneBook');
  known('bridge', v, ['rate', 'phoneBook']);
  const rate = intIn('bridge.rate', v.rate, MIN_BRIDGE_RATE, MAX_BRIDGE_RATE, DEFAULT_BRIDGE_RATE_BPS);
  const phoneBook: Record<string, string> = {};
  if (v.phoneBook !== undefined) {
    if (!isObject(v.phoneBook)) throw new ConfigError('bridge.phoneBook: expected a mapping of number or name to host[:port]');
    for (const [key, target] of Object.entries(v.phoneBook)) {
      if (!/^(?:[0-9*#]+|[A-Za-z][A-Za-z0-9_-]*)$/.test(key)) throw new ConfigError(`bridge.phoneBook: "${key}" is neither a number (0-9, *, #) nor a name (a letter, then letters, digits, - or _)`);
      const text = str(`bridge.phoneBook.${key}`, target);
      if (!parseTcpAddress(text)) throw new ConfigError(`bridge.phoneBook.${key}: "${text}" is not host[:port] (port 1–65535)`);
      phoneBook[key] = text;
    }
  }
  return { rate, phoneBook };
}

/** A modem's `listen:` — only a TCP listener can take callers. */
function listenSpec(where: string, v: unknown): string {
  const s = bindSpec(where, v);
  if (parseLineSpec(s).kind !== 'tcp') throw new ConfigError(`${where}: "${s}" must be tcp:[HOST:]PORT (TCP callers ring the modem)`);
  return s;
}

/** `faults:` — a mapping of line → fault spec; specs are checked here, lines when the lab starts. */
function validateFaults(v: unknown): Record<string, string> {
  if (!isObject(v)) throw new ConfigError('faults: expected a mapping of line (number or pbxId:internal) to a fault spec');
  const out: Record<string, string> = {};
  for (const [target, spec] of Object.entries(v)) {
    const text = str(`faults.${target}`, spec);
    try {
      parseFaultSpec(text);
    } catch (err) {
      throw new ConfigError(`faults.${target}: ${(err as Error).message}`);
    }
    out[target] = text;
  }
  return out;
}

export function parseConfigText(text: string, baseDir?: string): LabConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return validateConfig(doc, baseDir);
}

export function loadConfig(path: string | undefined): LabConfig {
  if (path === undefined) return parseConfigText(DEFAULT_CONFIG_YAML);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${ioReason(err)}`);
  }
  try {
    return parseConfigText(text, dirname(resolve(path)));
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
}
