import { readFileSync } from 'node:fs';
import { DEVICE_ID_PATTERN, KEY_BYTES } from '../../core/check-in-telegram.js';
import { DEVICE_KINDS, type DeviceKind } from '../../core/device-kind.js';

/**
 * The device keys file (docs/fleet.md): one device a line, `ID KIND KEY`,
 * KEY the base64 that `hicom-sim centre device add ID --kind KIND` printed;
 * `#` starts a comment, blank lines are ignored. A file holding only a key
 * (what `centre device add … > d.key` leaves) is read too, as the key of a
 * device whose id the caller knows.
 */

export interface DeviceKey {
  id: string;
  kind: DeviceKind;
  key: Uint8Array;
}

export class DeviceKeysError extends Error {
  override name = 'DeviceKeysError';
}

/** A 32-byte key from its base64, or an error text. */
export function parseDeviceKey(text: string): Uint8Array | string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return 'not base64';
  const key = Buffer.from(text, 'base64');
  return key.length === KEY_BYTES ? new Uint8Array(key) : `${key.length} bytes, a key has ${KEY_BYTES}`;
}

/** Parse the text of a keys file; `where` names it in errors ("keys.txt"). */
export function parseDeviceKeys(text: string, where: string): DeviceKey[] {
  const out: DeviceKey[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const at = `${where}:${i + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 3) throw new DeviceKeysError(`${at}: expected "ID KIND KEY", got ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    const [id, kind, keyText] = fields;
    if (!DEVICE_ID_PATTERN.test(id)) throw new DeviceKeysError(`${at}: device id "${id}" is not 1–32 of A–Z a–z 0–9 . _ -`);
    if (!DEVICE_KINDS.includes(kind as DeviceKind)) throw new DeviceKeysError(`${at}: kind "${kind}" is not ${DEVICE_KINDS.join(' or ')}`);
    const key = parseDeviceKey(keyText);
    if (typeof key === 'string') throw new DeviceKeysError(`${at}: the key of ${id} is ${key}`);
    if (seen.has(id)) throw new DeviceKeysError(`${at}: device ${id} is listed twice`);
    seen.add(id);
    out.push({ id, kind: kind as DeviceKind, key });
  });
  return out;
}

export function readDeviceKeys(path: string): DeviceKey[] {
  return parseDeviceKeys(readText(path), path);
}

/** The key of device `id` from `path`: a keys file with a line for it, or a file holding one key alone. */
export function readDeviceKey(path: string, id: string): Uint8Array {
  const text = readText(path);
  const lines = text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
  if (lines.length === 1 && !/\s/.test(lines[0])) {
    const key = parseDeviceKey(lines[0]);
    if (typeof key === 'string') throw new DeviceKeysError(`${path}: the key is ${key}`);
    return key;
  }
  const hit = parseDeviceKeys(text, path).find((k) => k.id === id);
  if (!hit) throw new DeviceKeysError(`${path}: no key for device ${id}`);
  return hit.key;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new DeviceKeysError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** One line of a keys file. */
export function formatDeviceKey(k: DeviceKey): string {
  return `${k.id} ${k.kind} ${Buffer.from(k.key).toString('base64')}`;
}
