import { connect, type Socket } from 'node:net';
import { LineEndpointBase, lineBytes } from '../../core/line-endpoint-base.js';
import type { ConnectFailure, TcpConnector } from '../../core/tcp-connector.js';
import { silentLogger, type Logger } from '../logger.js';
import { IAC, OPT_BINARY, OPT_ECHO, OPT_SGA, TelnetSession } from './telnet-session.js';

/**
 * The outgoing TCP connections of bridge mode (docs/bridge.md): a modem
 * dials a host, this connects to it. A host that opens with a Telnet
 * command (its first byte IAC, as BBSs do) is answered as tcpser answers
 * it: as a Telnet client that agrees to binary, suppress-go-ahead and the
 * host's echo, reports terminal type VT100, its speed and an 80×24 window,
 * and refuses the rest; IAC is then escaped and unescaped on the way.
 * Any other host gets the bytes as they are.
 */

/** Options we perform when the host asks (DO → WILL). */
const OPT_TTYPE = 24; // RFC 1091
const OPT_NAWS = 31; // RFC 1073
const OPT_TSPEED = 32; // RFC 1079
const OPT_XDISPLOC = 35; // RFC 1096
const OPT_ENVIRON = 36; // RFC 1408
const OPT_NEW_ENVIRON = 39; // RFC 1572
const LOCAL_OPTIONS = [OPT_BINARY, OPT_SGA, OPT_TTYPE, OPT_NAWS, OPT_TSPEED, OPT_XDISPLOC, OPT_ENVIRON, OPT_NEW_ENVIRON];
/** Options we let the host perform (WILL → DO). */
const REMOTE_OPTIONS = [OPT_BINARY, OPT_SGA, OPT_ECHO];
/** Subnegotiation verbs (RFC 1091 and the others alike). */
const SB_IS = 0;
const SB_SEND = 1;
/** What we say we are, as tcpser does. */
export const TERMINAL_TYPE = 'VT100';
const WINDOW = { columns: 80, rows: 24 };

/** Connection errors that mean the host is there but refuses: BUSY. Every other one: unreachable. */
const REFUSED = new Set(['ECONNREFUSED']);

export interface TcpClientOptions {
  /** Reported to a Telnet host that asks for the terminal speed. */
  rateBps: number;
  logger?: Logger;
}

class TcpClientLine extends LineEndpointBase {
  readonly description: string;
  #telnet: TelnetSession | undefined;
  #decided = false;

  constructor(
    private readonly socket: Socket,
    host: string,
    port: number,
    private readonly options: TcpClientOptions,
  ) {
    super();
    this.description = `tcp ${host}:${port}`;
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => this.#receive(b));
    socket.on('close', () => this.markClosed());
  }

  write(data: Uint8Array | string): void {
    if (this.closed) return;
    const bytes = lineBytes(data);
    if (bytes.length === 0) return;
    if (this.#telnet) this.#telnet.send(bytes);
    else this.socket.write(bytes);
  }

  close(): void {
    if (this.closed) return;
    this.socket.end(() => this.socket.destroy());
    this.markClosed();
  }

  #receive(b: Buffer): void {
    if (!this.#decided) {
      this.#decided = true;
      if (b[0] === IAC) this.#startTelnet();
    }
    if (this.#telnet) this.#telnet.receive(b);
    else this.emitData(b);
  }

  #startTelnet(): void {
    this.options.logger?.debug({ host: this.description }, 'bridge: the host speaks telnet');
    const telnet = new TelnetSession(
      {
        data: (bytes) => this.emitData(bytes),
        transmit: (bytes) => this.socket.write(bytes),
        subnegotiation: (option, payload) => {
          if (payload[0] !== SB_SEND) return;
          const answer = option === OPT_TTYPE ? TERMINAL_TYPE : option === OPT_TSPEED ? `${this.options.rateBps},${this.options.rateBps}` : '';
          if (option === OPT_TTYPE || option === OPT_TSPEED || option === OPT_XDISPLOC || option === OPT_ENVIRON || option === OPT_NEW_ENVIRON) {
            telnet.sendSubnegotiation(option, Uint8Array.from([SB_IS, ...Buffer.from(answer, 'latin1')]));
          }
        },
        optionChanged: (option, side, enabled) => {
          if (option === OPT_NAWS && side === 'local' && enabled) {
            telnet.sendSubnegotiation(OPT_NAWS, Uint8Array.of(0, WINDOW.columns, 0, WINDOW.rows));
          }
        },
      },
      { local: LOCAL_OPTIONS, remote: REMOTE_OPTIONS },
    );
    this.#telnet = telnet;
    // 8-bit clean both ways, so file transfers work (RFC 856), as tcpser asks for it.
    telnet.request(OPT_BINARY, 'local');
    telnet.request(OPT_BINARY, 'remote');
  }
}

/** The connector the lab gives the internet gateway: real TCP, with the Telnet handling above. */
export function tcpConnector(options: TcpClientOptions): TcpConnector {
  const logger = options.logger ?? silentLogger;
  return {
    connect(host, port, events) {
      let cancelled = false;
      const socket = connect({ host, port });
      const onError = (err: NodeJS.ErrnoException): void => {
        if (cancelled) return;
        const reason: ConnectFailure = REFUSED.has(err.code ?? '') ? 'refused' : 'unreachable';
        logger.info({ host, port, err: err.code ?? err.message, reason }, 'bridge: no connection');
        events.failed(reason);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        // A reset later is an ended line (onClose), never a crash.
        socket.on('error', (err) => logger.debug({ host, port, err: err.message }, 'bridge: socket error'));
        if (cancelled) return void socket.destroy();
        logger.info({ host, port }, 'bridge: connected');
        events.connected(new TcpClientLine(socket, host, port, options));
      });
      return {
        cancel: () => {
          if (cancelled) return;
          cancelled = true;
          if (socket.connecting) socket.destroy();
        },
      };
    },
  };
}
