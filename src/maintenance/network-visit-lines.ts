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
 * by one visit at a time, given back when its line closes.
 */
export class NetworkVisitLines implements VisitLines {
  readonly #free: string[];
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
    const spec = this.#free.shift();
    if (spec === undefined) throw new Error('every centre modem is in use');
    try {
      const line = new StreamLine(await connectLine(spec), `centre modem ${spec}`);
      line.onClose(() => this.#free.push(spec));
      return line;
    } catch (err) {
      this.#free.push(spec);
      throw err;
    }
  }
}
