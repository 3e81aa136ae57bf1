import type { AddressRules } from './address-rules.js';
import { COUNTRIES, DATE_FORMATS, LANGUAGES } from './country-profile.js';

/**
 * What every item of the customer database (KDS) is: its data class (who may
 * read and write it), whether it is customer-confidential or a secret, how
 * a value is checked, and how a change is written into the protocol log.
 *
 * Items are addressed by dotted paths ("station.101.name"); `#` in a pattern
 * matches one number, which becomes an addressing parameter of the logged
 * command (seed: "zusammen mit den wichtigsten Parametern (z.B.
 * Teilnehmer-Rufnummer), die zum Adressieren benutzt werden").
 */

/** Data classes map onto the circles' rights (rights.ts). */
export type DataClass = 'customer' | 'charge' | 'charge-interface' | 'system' | 'development';

export type ValueKind =
  | { type: 'text'; max: number }
  | { type: 'digits'; min: number; max: number; empty?: boolean }
  | { type: 'int'; min: number; max: number; outOfRange?: 'error' | number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  /** `HOST:PORT` of a UDP peer (IPv6 in brackets), or empty. */
  | { type: 'host-port' }
  /** A key of `bytes` bytes in standard base64, as `centre device add` prints it. */
  | { type: 'key'; bytes: number }
  /** IP addresses and networks (CIDR), separated by spaces or commas, or empty; checked through the injected AddressRules. */
  | { type: 'address-list' };

export interface KdsItemSpec {
  pattern: string;
  cls: DataClass;
  /** Customer-confidential: hidden from Revision and from a reduced System maintenance. */
  confidential?: boolean;
  /** Stored only as a salted hash; never readable by anybody. */
  secret?: boolean;
  /**
   * New plus products may change it through AMHOST (seed: "bestimmte
   * Systemdaten zu lesen und zu ändern"): the hotel functions — guest name,
   * room phone's code lock, its charge counter. docs/session-protocol.md, "AMHOST".
   */
  amhost?: boolean;
  /**
   * With `secret`: a secret the PBX must use itself (a device key), so it is
   * kept sealed under the PBX's own key instead of hashed — still never
   * shown, logged or readable from outside (sealed-secret.ts).
   */
  sealed?: boolean;
  kind: ValueKind;
  /**
   * Log mnemonic. Items with a T command use a T-style name ("STN-NAME");
   * items only Assistant E Office can change belong to a pseudo object
   * C1…C10 (seed table "Übersicht dieser Objekte") and use "Cn-xx".
   */
  mnemonic: string;
  help: string;
}

const text = (max: number): ValueKind => ({ type: 'text', max });
const digits = (min: number, max: number, empty = true): ValueKind => ({ type: 'digits', min, max, empty });
const int = (min: number, max: number, outOfRange: 'error' | number = 'error'): ValueKind => ({ type: 'int', min, max, outOfRange });
const bool: ValueKind = { type: 'bool' };
const oneOf = (...values: string[]): ValueKind => ({ type: 'enum', values });

/** Pseudo objects of the seed manual, format 7 ("Pseudo Hicom Assistant T Format"). */
/** The most B channels one digital trunk brings, a primary-rate S2M interface's 30 (ITU-T I.431): the X.75 modem cannot serve more calls. */
export const X75_MAX_CHANNELS = 30;

export const PSEUDO_OBJECTS: Record<string, string> = {
  C1: 'Systemparameter',
  C2: 'Systemtimer',
  C3: 'S0-Konfiguration',
  C4: 'Leitungen',
  C5: 'Wahlbewertung',
  C6: 'Sommerzeit',
  C7: 'Richtungen',
  C8: 'Tür-Einrichtung',
  C9: 'UCD-Flags',
  C10: 'Systemzähler löschen',
};

export const KDS_SCHEMA: readonly KdsItemSpec[] = [
  // Stations: name is customer data (Assistant TC), port and device are the service's.
  { pattern: 'station.#.name', cls: 'customer', amhost: true, kind: text(16), mnemonic: 'STN-NAME', help: 'display name of the station' },
  { pattern: 'station.#.port', cls: 'system', kind: text(16), mnemonic: 'STN-PORT', help: 'physical port (UP0E-n, S0-n, a/b-n)' },
  // Codeschloss: a locked station cannot make external calls; administration logs in regardless (seed).
  { pattern: 'station.#.code-lock', cls: 'customer', amhost: true, kind: bool, mnemonic: 'STN-LOCK', help: 'code lock: the station cannot dial out (administration login works regardless)' },
  { pattern: 'station.#.device', cls: 'system', kind: oneOf('optiset-e-entry', 'optiset-e-basic', 'optiset-e-standard', 'optiset-e-advance', 'analog', 'isdn', 'none'), mnemonic: 'STN-DEV', help: 'device type' },
  { pattern: 'speeddial.central.#', cls: 'customer', confidential: true, kind: digits(0, 22), mnemonic: 'SPD-CENT', help: 'central speed-dial number' },
  { pattern: 'speeddial.station.#.#', cls: 'customer', confidential: true, kind: digits(0, 22), mnemonic: 'SPD-IND', help: 'individual speed-dial number (station, index)' },
  { pattern: 'namekey.#.#', cls: 'customer', confidential: true, kind: digits(0, 22), mnemonic: 'NAME-KEY', help: 'name-key destination (station, key)' },
  { pattern: 'pin', cls: 'customer', confidential: true, secret: true, kind: digits(5, 5), mnemonic: 'PIN', help: '5-digit customer PIN for modem access (default blocks access)' },
  // Trunks are "Leitungen" (C4) but have T commands for state.
  { pattern: 'trunk.#.number', cls: 'system', kind: digits(0, 20), mnemonic: 'C4-01', help: 'trunk line number' },
  { pattern: 'trunk.#.type', cls: 'system', kind: oneOf('isdn-s0', 'isdn-s2m', 'analog'), mnemonic: 'C4-02', help: 'trunk type' },
  { pattern: 'trunk.#.in-service', cls: 'system', kind: bool, mnemonic: 'TRK-SERV', help: 'trunk in service' },
  { pattern: 'trunk.#.rolling', cls: 'system', kind: bool, mnemonic: 'TRK-ROLL', help: 'trunk rolling' },
  { pattern: 'trunk.#.loopback', cls: 'system', kind: bool, mnemonic: 'TRK-LOOP', help: 'digital loopback' },
  { pattern: 'modem.imod.number', cls: 'system', kind: digits(2, 6), mnemonic: 'MOD-IMOD', help: 'internal number of the IMOD pseudo-port' },
  { pattern: 'modem.imod.did', cls: 'system', kind: digits(0, 6), mnemonic: 'MOD-IMOD-DID', help: 'DID of the IMOD (empty: no external access)' },
  { pattern: 'modem.x75.number', cls: 'system', kind: digits(2, 6), mnemonic: 'MOD-X75', help: 'internal number of the X.75 pseudo-port' },
  { pattern: 'modem.x75.did', cls: 'system', kind: digits(0, 6), mnemonic: 'MOD-X75-DID', help: 'DID of the X.75 modem (empty: no external access)' },
  { pattern: 'modem.x75.channels', cls: 'system', kind: int(1, X75_MAX_CHANNELS), mnemonic: 'MOD-X75-CH', help: `B channels the X.75 modem serves at once, 1–${X75_MAX_CHANNELS} (one more caller gets BUSY)` },
  { pattern: 'callback.#.number', cls: 'system', kind: digits(0, 22), mnemonic: 'CB-NUM', help: 'callback number of the index (1–6)' },
  { pattern: 'callback.#.code', cls: 'system', secret: true, kind: digits(1, 6), mnemonic: 'CB-CODE', help: 'access code of the index, up to 6 digits' },
  { pattern: 'callback.#.x75', cls: 'system', kind: bool, mnemonic: 'CB-X75', help: 'call back over X.75 (yes) or the IMOD (no)' },
  { pattern: 'signaling.enabled', cls: 'system', kind: bool, mnemonic: 'ESIG-FLAG', help: 'error signaling on/off' },
  { pattern: 'signaling.interval', cls: 'system', kind: int(1, 15, 15), mnemonic: 'ESIG-INT', help: 'signaling interval in minutes, 1–15 (out of range → 15)' },
  { pattern: 'signaling.functest', cls: 'system', kind: bool, mnemonic: 'ESIG-FT', help: 'automatic function test on/off' },
  { pattern: 'signaling.functest-days', cls: 'system', kind: int(1, 7), mnemonic: 'ESIG-FTD', help: 'function test every 1–7 days' },
  { pattern: 'signaling.functest-spread', cls: 'system', kind: int(0, 1440), mnemonic: 'ESIG-FTS', help: 'first function test up to this many minutes after its day, by system id (0: on the day)' },
  { pattern: 'dtmf.passive', cls: 'system', kind: bool, mnemonic: 'DTMF-PASS', help: 'passive DTMF remote administration allowed' },
  { pattern: 'dtmf.active', cls: 'system', kind: bool, mnemonic: 'DTMF-ACT', help: 'active DTMF remote administration allowed' },
  { pattern: 'dtmf.password', cls: 'system', secret: true, kind: digits(6, 6), mnemonic: 'DTMF-PWD', help: '6-digit password to enable DTMF remote administration' },
  // LAN option: encrypted check-ins with the service centre over UDP (spec §5.1, §5.2).
  { pattern: 'lan.enabled', cls: 'system', kind: bool, mnemonic: 'LAN-FLAG', help: 'LAN option: check in with the centre over UDP on/off' },
  { pattern: 'lan.centre', cls: 'system', kind: { type: 'host-port' }, mnemonic: 'LAN-CENTRE', help: 'the centre\'s check-in address, HOST:PORT' },
  { pattern: 'lan.interval', cls: 'system', kind: int(1, 60), mnemonic: 'LAN-INT', help: 'check-in interval in minutes, 1–60' },
  { pattern: 'lan.teleservice', cls: 'system', kind: bool, mnemonic: 'LAN-TS', help: 'LAN teleservice: the admin session on the LAN address, for the service network only, on/off' },
  { pattern: 'lan.service-network', cls: 'system', kind: { type: 'address-list' }, mnemonic: 'LAN-SVCNET', help: 'the provider\'s service network: addresses or CIDR networks (space separated) LAN teleservice accepts; empty: none' },
  { pattern: 'lan.key', cls: 'system', secret: true, sealed: true, kind: { type: 'key', bytes: 32 }, mnemonic: 'LAN-KEY', help: 'this PBX\'s 32-byte check-in key (base64, from "centre device add"); never shown' },
  // Pseudo objects: data only Assistant E Office changes.
  { pattern: 'c1.system-name', cls: 'system', kind: text(24), mnemonic: 'C1-01', help: 'system name shown on displays' },
  { pattern: 'c1.country', cls: 'system', kind: oneOf(...COUNTRIES), mnemonic: 'C1-02', help: 'country (its defaults come with "special country")' },
  { pattern: 'c1.language', cls: 'system', kind: oneOf(...LANGUAGES), mnemonic: 'C1-03', help: 'display language' },
  { pattern: 'c1.date-format', cls: 'system', kind: oneOf(...DATE_FORMATS), mnemonic: 'C1-04', help: 'date format of the display clock' },
  { pattern: 'c1.outside-prefix', cls: 'system', kind: digits(1, 2, false), mnemonic: 'C1-05', help: 'exchange-line access code dialled before external numbers' },
  { pattern: 'c2.ring-timeout', cls: 'system', kind: int(5, 180), mnemonic: 'C2-01', help: 'ring timeout, seconds' },
  { pattern: 'c2.recall-timeout', cls: 'system', kind: int(5, 180), mnemonic: 'C2-02', help: 'recall timeout, seconds' },
  { pattern: 'c3.s0.#.mode', cls: 'system', kind: oneOf('p2mp', 'p2p'), mnemonic: 'C3-01', help: 'S0 bus mode' },
  { pattern: 'c5.rule.#', cls: 'system', kind: text(20), mnemonic: 'C5-01', help: 'dial evaluation rule' },
  { pattern: 'c6.enabled', cls: 'system', kind: bool, mnemonic: 'C6-01', help: 'daylight saving switch' },
  { pattern: 'c7.route.#.name', cls: 'system', kind: text(16), mnemonic: 'C7-01', help: 'route name' },
  { pattern: 'c8.door.#.station', cls: 'system', kind: digits(0, 6), mnemonic: 'C8-01', help: 'door opener station' },
  { pattern: 'c9.ucd.#.flag', cls: 'system', kind: bool, mnemonic: 'C9-01', help: 'UCD group flag' },
  { pattern: 'c10.counters-cleared', cls: 'system', kind: int(0, 1_000_000), mnemonic: 'C10-01', help: 'how often system counters were cleared' },
  // Charges.
  { pattern: 'charge.unit-price', cls: 'charge', kind: int(0, 100_000), mnemonic: 'CHG-PRICE', help: 'price per charge unit, 1/1000 currency' },
  { pattern: 'charge.currency', cls: 'charge', kind: oneOf('EUR', 'DEM', 'CHF', 'ATS'), mnemonic: 'CHG-CUR', help: 'currency' },
  { pattern: 'charge.counter.#', cls: 'charge', amhost: true, kind: int(0, 99_999_999), mnemonic: 'CHG-CNT', help: 'charge counter of a station' },
  { pattern: 'charge.output.baud', cls: 'charge-interface', kind: oneOf('1200', '2400', '4800', '9600', '19200'), mnemonic: 'CHG-OUT', help: 'output device interface rate' },
  // Development-reserved parameters.
  { pattern: 'dev.trace-mask', cls: 'development', kind: int(0, 65535), mnemonic: 'DEV-TRACE', help: 'firmware trace mask' },
  { pattern: 'dev.watchdog', cls: 'development', kind: bool, mnemonic: 'DEV-WDOG', help: 'hardware watchdog' },
];

interface CompiledSpec {
  spec: KdsItemSpec;
  parts: string[];
}

const COMPILED: CompiledSpec[] = KDS_SCHEMA.map((spec) => ({ spec, parts: spec.pattern.split('.') }));

export interface ResolvedItem {
  spec: KdsItemSpec;
  /** The numbers that matched `#`, in order (the addressing parameters). */
  address: string[];
}

export function resolveItem(path: string): ResolvedItem | undefined {
  const parts = path.split('.');
  for (const { spec, parts: pat } of COMPILED) {
    if (pat.length !== parts.length) continue;
    const address: string[] = [];
    let ok = true;
    for (let i = 0; i < pat.length && ok; i++) {
      if (pat[i] === '#') {
        if (/^\d{1,6}$/.test(parts[i])) address.push(parts[i]);
        else ok = false;
      } else if (pat[i] !== parts[i]) ok = false;
    }
    if (ok) return { spec, address };
  }
  return undefined;
}

/** The result of checking a value: the stored form, or an error text. */
export type Checked = { ok: true; value: string; note?: string } | { ok: false; error: string };

const YES = new Set(['yes', 'y', 'on', 'true', '1', 'ja']);
const NO = new Set(['no', 'n', 'off', 'false', '0', 'nein']);

/**
 * Check a value against its kind; `rules` reads address lists (the PBX's
 * injected port) — without it only an empty list is accepted.
 */
export function checkValue(kind: ValueKind, raw: string, rules?: AddressRules): Checked {
  switch (kind.type) {
    case 'address-list': {
      if (raw.trim() === '') return { ok: true, value: '' };
      if (!rules) return { ok: false, error: 'this PBX has no LAN option to check network addresses with' };
      return rules.canonicalList(raw);
    }
    case 'text': {
      if ([...raw].length > kind.max) return { ok: false, error: `at most ${kind.max} characters` };
      if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, error: 'control characters are not allowed' };
      return { ok: true, value: raw };
    }
    case 'digits': {
      if (raw === '' && kind.empty !== false && kind.min === 0) return { ok: true, value: '' };
      if (!/^\d*$/.test(raw)) return { ok: false, error: 'digits only' };
      if (raw.length < kind.min || raw.length > kind.max) {
        return { ok: false, error: kind.min === kind.max ? `exactly ${kind.min} digits` : `${kind.min}–${kind.max} digits` };
      }
      return { ok: true, value: raw };
    }
    case 'int': {
      if (!/^-?\d{1,10}$/.test(raw)) return { ok: false, error: 'a whole number' };
      const n = Number(raw);
      if (n >= kind.min && n <= kind.max) return { ok: true, value: String(n) };
      if (typeof kind.outOfRange === 'number') {
        return { ok: true, value: String(kind.outOfRange), note: `${n} is outside ${kind.min}–${kind.max}; the default ${kind.outOfRange} was set` };
      }
      return { ok: false, error: `${kind.min}–${kind.max}` };
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (YES.has(v)) return { ok: true, value: 'yes' };
      if (NO.has(v)) return { ok: true, value: 'no' };
      return { ok: false, error: 'yes or no' };
    }
    case 'enum': {
      const hit = kind.values.find((v) => v.toLowerCase() === raw.toLowerCase());
      return hit ? { ok: true, value: hit } : { ok: false, error: `one of ${kind.values.join(', ')}` };
    }
    case 'host-port': {
      if (raw === '') return { ok: true, value: '' };
      const m = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(raw);
      return m && Number(m[1]) >= 1 && Number(m[1]) <= 65535 ? { ok: true, value: raw } : { ok: false, error: 'HOST:PORT with a port 1–65535 (IPv6 as [ADDR]:PORT)' };
    }
    case 'key': {
      const ok = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) && raw.length % 4 === 0 && Buffer.from(raw, 'base64').length === kind.bytes;
      return ok ? { ok: true, value: raw } : { ok: false, error: `${kind.bytes} bytes in base64 (${Math.ceil(kind.bytes / 3) * 4} characters)` };
    }
  }
}
