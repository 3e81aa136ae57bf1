import { InvalidArgumentError } from 'commander';
import { parseLineSpec } from '../adapters/line-spec.js';

/**
 * Parsers for option values, checked when the command line is read (before
 * any module of the command loads); commander turns a refusal into
 * "option '--x <v>' argument 'y' is invalid. <reason>", which the error
 * funnel prints as one line with exit code 2.
 */

/** A number from `min` to `max` (a whole one unless `fraction`); "", "1e400", "0x10" and friends are refused. */
export function numberIn(min: number, max: number, options: { fraction?: boolean } = {}): (text: string) => number {
  const pattern = options.fraction ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
  return (text) => {
    const v = Number(text);
    if (!pattern.test(text.trim()) || !Number.isFinite(v) || v < min || v > max) {
      throw new InvalidArgumentError(`It must be a ${options.fraction ? 'number' : 'whole number'} from ${min} to ${max}.`);
    }
    return v;
  };
}

/** One of a fixed set of digits strings, e.g. a 5-digit PIN. */
export function digits(count: string, pattern: RegExp): (text: string) => string {
  return (text) => {
    if (!pattern.test(text)) throw new InvalidArgumentError(`It must be ${count}.`);
    return text;
  };
}

/** A line to connect to (tcp:HOST:PORT, serial:DEVICE[@BAUD], pty:PATH), checked before anything loads or connects. */
export function lineSpec(text: string): string {
  try {
    parseLineSpec(text, 'connect');
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
  return text;
}

/** Collect a repeatable option into an array. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** What `centre device add|update --tz` takes to give a device back the plan's time zone. */
export const PLAN_TIME_ZONE = 'plan';
