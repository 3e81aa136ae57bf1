/**
 * What a key depot keeps in flash besides its queue: the settings the
 * centre sets through commands (PINs, interval), what it has run of them,
 * and its clock offset. Stored as one JSON snapshot (snapshot-store.ts);
 * a snapshot that does not read back as a config gives the defaults and
 * says so, it never stops the depot.
 */
import { isPinHash, MAX_INTERVAL_S, MIN_INTERVAL_S } from '../../core/check-in-body.js';
import { DEFAULT_CHECK_IN_INTERVAL_MS } from '../check-in-client.js';
import type { DepotUser } from './pin-table.js';

export type CommandResult = 'done' | 'refused' | 'unsupported';

export interface DepotConfig {
  version: 1;
  intervalS: number;
  users: DepotUser[];
  /** Highest command id run; a command at or below it is never run again. */
  lastCommand: number;
  /** Outcomes of the most recent commands, to report again if the centre asks again. */
  results: Array<{ id: number; result: CommandResult; detail: string }>;
  /** Device clock = injected clock + this (set from a nak's serverTime). */
  clockOffsetMs: number;
}

/** How many command outcomes the depot remembers. */
export const REMEMBERED_RESULTS = 16;

export function defaultDepotConfig(): DepotConfig {
  return { version: 1, intervalS: DEFAULT_CHECK_IN_INTERVAL_MS / 1000, users: [], lastCommand: 0, results: [], clockOffsetMs: 0 };
}

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function isUser(u: unknown): u is DepotUser {
  if (typeof u !== 'object' || u === null) return false;
  const { name, hash, compartments } = u as Record<string, unknown>;
  return typeof name === 'string' && typeof hash === 'string' && isPinHash(hash)
    && (compartments === undefined || compartments === null || (Array.isArray(compartments) && compartments.every((c) => isInt(c, 1, 255))));
}

export function encodeDepotConfig(c: DepotConfig): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(c));
}

/** The config in `bytes`, or undefined if they are not one. */
export function decodeDepotConfig(bytes: Uint8Array): DepotConfig | undefined {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const c = v as Record<string, unknown>;
  if (c.version !== 1 || !isInt(c.intervalS, MIN_INTERVAL_S, MAX_INTERVAL_S) || !isInt(c.lastCommand, 0, 0xffff_ffff) || !isInt(c.clockOffsetMs, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) return undefined;
  if (!Array.isArray(c.users) || !c.users.every(isUser) || !Array.isArray(c.results)) return undefined;
  const results = (c.results as unknown[]).filter((r): r is DepotConfig['results'][number] => typeof r === 'object' && r !== null && isInt((r as { id: unknown }).id, 0, 0xffff_ffff));
  const users = (c.users as DepotUser[]).map((u) => ({ name: u.name, hash: u.hash, compartments: u.compartments ?? undefined }));
  return { version: 1, intervalS: c.intervalS, users, lastCommand: c.lastCommand, results, clockOffsetMs: c.clockOffsetMs };
}
