import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Lab } from '../lab/lab.js';
import { silentLogger, type Logger } from '../logger.js';
import type { ClockDriver } from './clock-driver.js';
import { iso } from './control-commands.js';
import { ControlConnection, type ConnectionLimits } from './control-connection.js';
import { describeAddress, type ControlAddress } from './control-address.js';
import { listenOnUnixSocket } from '../adapters/unix-socket-listener.js';

/** Protocol name and version in the greeting (docs/control.md); the minor grows with compatible additions. */
export const CONTROL_PROTOCOL = 'hicom-control';
export const CONTROL_VERSION = { major: 1, minor: 0 } as const;

/** Clients at once; one more is told `too-many-clients` and closed. */
export const MAX_CLIENTS = 128;
export const DEFAULT_LIMITS: ConnectionLimits = {
  maxLineBytes: 64 * 1024,
  maxBacklogBytes: 4 * 1024 * 1024,
};

export interface ControlServerOptions {
  lab: Lab;
  clock: ClockDriver;
  address: ControlAddress;
  /** Set when clients must authenticate; undefined for loopback and unix sockets without a token file. */
  token?: string;
  stopLab(reason: string): void;
  logger?: Logger;
  limits?: Partial<ConnectionLimits>;
}

/** A new control token: 32 random bytes, base64url (43 characters). */
export function newControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compare in constant time (over digests, so lengths leak nothing either). */
function sameToken(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The control port of a running lab (`hicom-sim lab --control`): one
 * listener, a ControlConnection per client, the lab's events fanned out to
 * the subscribers. docs/control.md is its contract.
 */
export class ControlServer {
  readonly #server: Server;
  readonly #clients = new Set<ControlConnection>();
  readonly #options: ControlServerOptions;
  readonly #log: Logger;
  readonly #offEvents: () => void;
  #next = 1;

  private constructor(server: Server, options: ControlServerOptions) {
    this.#server = server;
    this.#options = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'control' });
    this.#offEvents = options.lab.events.on((e) => {
      for (const c of this.#clients) c.event(e);
    });
    server.on('connection', (socket) => this.#accept(socket));
  }

  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    const server = createServer();
    const { address } = options;
    // Only its owner may drive the lab through a unix socket.
    if (address.kind === 'unix') await listenOnUnixSocket(server, address.path, `--control unix:${address.path}`);
    else {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(address.port, address.host, resolve);
      });
    }
    return new ControlServer(server, options);
  }

  /** Where it listens, with the port the system chose for `tcp:HOST:0`. */
  get description(): string {
    const a = this.#options.address;
    if (a.kind === 'unix') return describeAddress(a);
    return describeAddress({ ...a, port: (this.#server.address() as AddressInfo).port });
  }

  get clients(): number {
    return this.#clients.size;
  }

  #accept(socket: Socket): void {
    const { lab, clock, stopLab } = this.#options;
    const name = `control#${this.#next++}`;
    const connection = new ControlConnection(socket, {
      context: { lab, clock, stopLab },
      greeting: () => ({
        protocol: CONTROL_PROTOCOL,
        version: CONTROL_VERSION,
        capabilities: ['events', 'run-until', ...(clock.mode === 'virtual' ? ['virtual-time'] : [])],
        auth: this.#options.token === undefined ? 'none' : 'token',
        clock: clock.mode,
        time: iso(clock.time()),
      }),
      auth: { required: this.#options.token !== undefined, check: (t) => this.#options.token !== undefined && sameToken(t, this.#options.token) },
      limits: { ...DEFAULT_LIMITS, ...this.#options.limits },
      logger: this.#log,
    }, name);
    if (this.#clients.size >= MAX_CLIENTS) {
      this.#log.warn({ clients: this.#clients.size }, 'control client refused: too many clients');
      connection.refuse('too-many-clients', `at most ${MAX_CLIENTS} control clients at once`);
      return;
    }
    this.#clients.add(connection);
    socket.on('close', () => this.#clients.delete(connection));
    this.#log.info({ client: name }, 'control client connected');
    connection.greet();
  }

  /** Stop listening and close every client (after the events already sent, such as lab.stopping). */
  async close(): Promise<void> {
    this.#offEvents();
    for (const c of this.#clients) c.end();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
