import { createServer, type Server, type Socket } from 'node:net';
import type { DceLines, LineEndpoint } from '../../core/line-endpoint.js';
import { LineEndpointBase, lineBytes } from '../../core/line-endpoint-base.js';
import { StateMachine, type TransitionTable } from '../../core/state-machine.js';
import { silentLogger, type Logger } from '../logger.js';
import { ComPortServer } from './com-port-server.js';
import { IAC, OPT_BINARY, OPT_COM_PORT, OPT_ECHO, OPT_SGA, TelnetSession } from './telnet-session.js';

/**
 * How a connection decides between raw bytes and Telnet:
 * - `auto`: Telnet if the client's very first byte is IAC (Telnet clients
 *   that negotiate, pyserial `rfc2217://`), raw otherwise. We never speak
 *   first, so a raw client never sees a negotiation byte.
 * - `always`: we offer Telnet options as soon as the client connects (for
 *   Telnet clients that wait for the server, e.g. `telnet host port`).
 * - `never`: bytes pass untouched both ways, 0xFF included.
 */
export type TelnetMode = 'auto' | 'always' | 'never';

export interface TcpLineServerOptions {
  /** Address to listen on; default 127.0.0.1 so nothing is exposed by accident. */
  host?: string;
  /** Port; 0 picks a free one (read it back from `port`). */
  port: number;
  telnet?: TelnetMode;
  /** Clients beyond this number get a one-line message and are disconnected. Default: no limit. */
  maxClients?: number;
  logger?: Logger;
  /** One call per accepted client. */
  onConnection(endpoint: LineEndpoint): void;
}

export interface TcpLineServer {
  readonly host: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** "tcp 127.0.0.1:2323" */
  readonly description: string;
  readonly clientCount: number;
  /** Stop listening and close every client (each fires its onClose). */
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';

/** The lines a fresh connection reports until the device says otherwise: powered, not connected. */
const INITIAL_LINES: DceLines = { dcd: false, ri: false, dsr: true, cts: true };

/** Options we perform / let the client perform; anything else is refused. */
const LOCAL_OPTIONS = [OPT_BINARY, OPT_ECHO, OPT_SGA, OPT_COM_PORT];
const REMOTE_OPTIONS = [OPT_BINARY, OPT_SGA, OPT_COM_PORT];

/**
 * What a connection speaks, decided once.
 *
 * ```
 *   Undecided ── first byte IAC, or TelnetMode 'always' ──▶ Telnet
 *       │
 *       └─────── any other first byte ─────────────────────▶ Raw
 * ```
 * TelnetMode 'never' starts in Raw.
 */
enum ConnectionMode {
  Undecided = 'undecided',
  Raw = 'raw',
  Telnet = 'telnet',
}

/** The moves of the diagram above; any other is a bug and throws. */
const MODE_MOVES: TransitionTable<ConnectionMode> = {
  [ConnectionMode.Undecided]: [ConnectionMode.Raw, ConnectionMode.Telnet],
  [ConnectionMode.Raw]: [],
  [ConnectionMode.Telnet]: [],
};

/** One accepted client as a LineEndpoint. */
class TcpLineEndpoint extends LineEndpointBase {
  readonly description: string;
  readonly #mode: StateMachine<ConnectionMode>;
  #telnet: TelnetSession | undefined;
  #comPort: ComPortServer | undefined;
  #lines: DceLines = { ...INITIAL_LINES };
  /** Output held while an RFC 2217 client has suspended our sending. */
  #held: Uint8Array[] | undefined;

  constructor(
    readonly socket: Socket,
    mode: TelnetMode,
    readonly logger: Logger,
  ) {
    super();
    this.description = `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#mode = new StateMachine(`connection ${this.description}`, MODE_MOVES, mode === 'never' ? ConnectionMode.Raw : ConnectionMode.Undecided);
    socket.setNoDelay(true);
    socket.on('data', (buf: Buffer) => this.#receive(buf));
    socket.on('error', (err) => logger.debug({ err: err.message }, 'client socket error'));
    socket.on('close', () => this.#fireClose());
    if (mode === 'always') {
      this.#startTelnet();
      this.#offerOptions();
    }
  }

  write(data: Uint8Array | string): void {
    if (this.closed) return;
    const bytes = lineBytes(data);
    if (bytes.length === 0) return;
    if (this.#held) this.#held.push(Uint8Array.from(bytes));
    else this.#transmitData(bytes);
  }

  override setLines(lines: Partial<DceLines>): void {
    this.#lines = { ...this.#lines, ...lines };
    this.#comPort?.setLines(this.#lines);
  }

  close(): void {
    if (this.closed) return;
    // Let queued output reach the client, then drop the connection even if the client keeps its side open.
    this.socket.end(() => this.socket.destroy());
    this.#fireClose();
  }

  #receive(buf: Buffer): void {
    if (this.closed) return;
    if (this.#mode.state === ConnectionMode.Undecided) {
      if (buf[0] === IAC) {
        this.#startTelnet();
        this.#telnet!.receive(buf);
        this.#offerOptions();
        return;
      }
      this.#mode.transition(ConnectionMode.Raw);
    }
    if (this.#telnet) this.#telnet.receive(buf);
    else this.#deliver(buf);
  }

  #startTelnet(): void {
    this.#mode.transition(ConnectionMode.Telnet);
    this.logger.debug({ client: this.description }, 'client speaks telnet');
    this.#telnet = new TelnetSession(
      {
        data: (bytes) => this.#deliver(bytes),
        transmit: (bytes) => this.socket.write(bytes),
        subnegotiation: (option, payload) => {
          if (option === OPT_COM_PORT) this.#comPort?.handle(payload);
        },
        optionChanged: (option, _side, enabled) => {
          if (option === OPT_COM_PORT && enabled) this.#comPortAgreed();
        },
      },
      { local: LOCAL_OPTIONS, remote: REMOTE_OPTIONS },
    );
  }

  /** Character-at-a-time, 8-bit clean: what a terminal on a serial line gets. Sent after the client's own requests are answered, so nothing is asked twice. */
  #offerOptions(): void {
    const t = this.#telnet!;
    t.request(OPT_ECHO, 'local');
    t.request(OPT_SGA, 'local');
    t.request(OPT_SGA, 'remote');
    t.request(OPT_BINARY, 'local');
    t.request(OPT_BINARY, 'remote');
  }

  #comPortAgreed(): void {
    if (!this.#comPort) {
      this.logger.debug({ client: this.description }, 'rfc2217 com-port control on');
      this.#comPort = new ComPortServer(
        {
          send: (payload) => this.#telnet!.sendSubnegotiation(OPT_COM_PORT, payload),
          control: (lines) => this.emitControl({ ...lines }),
          flow: (suspended) => this.#flow(suspended),
        },
        this.#lines,
        this.logger,
      );
    }
    this.#comPort.start();
  }

  #flow(suspended: boolean): void {
    if (suspended) {
      this.#held ??= [];
      return;
    }
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const chunk of held) this.#transmitData(chunk);
  }

  #transmitData(bytes: Uint8Array): void {
    if (this.#telnet) this.#telnet.send(bytes);
    else this.socket.write(bytes);
  }

  #deliver(bytes: Uint8Array): void {
    this.emitData(bytes);
  }

  #fireClose(): void {
    if (this.closed) return;
    this.#held = undefined;
    this.markClosed();
  }
}

/**
 * Listen for TCP clients, each becoming a LineEndpoint (raw, Telnet or
 * Telnet + RFC 2217; see `TelnetMode`). Resolves once listening.
 */
export async function listenTcpLines(options: TcpLineServerOptions): Promise<TcpLineServer> {
  const host = options.host ?? DEFAULT_HOST;
  const mode = options.telnet ?? 'auto';
  const logger = options.logger ?? silentLogger;
  const max = options.maxClients ?? Infinity;
  const clients = new Set<TcpLineEndpoint>();

  const server: Server = createServer((socket) => {
    if (clients.size >= max) {
      logger.info({ client: `${socket.remoteAddress}:${socket.remotePort}`, max }, 'client refused: all connections in use');
      socket.on('error', () => undefined); // the refused client may reset; nothing to do
      socket.end(`hicom-sim: all ${max} connections in use, try again later\r\n`, () => socket.destroy());
      return;
    }
    const endpoint = new TcpLineEndpoint(socket, mode, logger);
    clients.add(endpoint);
    endpoint.onClose(() => {
      clients.delete(endpoint);
      logger.info({ client: endpoint.description }, 'client disconnected');
    });
    logger.info({ client: endpoint.description }, 'client connected');
    options.onConnection(endpoint);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err: err.message }, 'tcp listener error'));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    host,
    port,
    description: `tcp ${shownHost}:${port}`,
    get clientCount() {
      return clients.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of [...clients]) {
          c.close();
          c.socket.destroy();
        }
      }),
  };
}
