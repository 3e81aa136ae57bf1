import type { LineEndpoint } from '../../core/line-endpoint.js';
import { connectLine } from '../adapters/connect-line.js';
import { connectLan, parseProviderRoute } from '../adapters/lan-connect.js';
import { StreamLine } from '../adapters/stream-line.js';
import type { DeviceAccess } from '../database/maintenance-access.js';
import type { VisitLines } from './session-visitor.js';

/** How long a LAN teleservice connect may take before the PBX counts as unreachable. */
const LAN_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The visit lines of a centre process: LAN teleservice over TCP by the
 * device's provider route (direct, from a bound address, or inside the
 * provider's network namespace), and the centre's modems by their line
 * specs (a modem's DTE on TCP, a pty or a serial device) — each modem used
 * by one visit at a time, given back when its line closes. A visit that
 * finds every modem in use waits for the next one given back: windows of
 * several plans (or time zones) open at once share the centre's modems.
 */
export class NetworkVisitLines implements VisitLines {
  readonly #free: string[];
  /** Visits waiting for a modem, first come first served. */
  readonly #waiting: Array<(spec: string) => void> = [];
  /** How many modems the centre has: the runner's bound on modem visits at once. */
  readonly modemCount: number;

  constructor(modems: readonly string[]) {
    this.#free = [...modems];
    this.modemCount = modems.length;
  }

  async lan(_deviceId: string, lan: NonNullable<DeviceAccess['lan']>): Promise<LineEndpoint> {
    return connectLan(lan.host, lan.port, parseProviderRoute(lan.route), LAN_CONNECT_TIMEOUT_MS);
  }

  async modem(): Promise<LineEndpoint> {
    if (this.modemCount === 0) throw new Error('the centre has no modem for visits');
    const spec = this.#free.shift() ?? (await new Promise<string>((resolve) => this.#waiting.push(resolve)));
    try {
      const line = new StreamLine(await connectLine(spec), `centre modem ${spec}`);
      line.onClose(() => this.#giveBack(spec));
      return line;
    } catch (err) {
      this.#giveBack(spec);
      throw err;
    }
  }

  #giveBack(spec: string): void {
    const next = this.#waiting.shift();
    if (next) next(spec);
    else this.#free.push(spec);
  }
}
