import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenOnUnixSocket } from './unix-socket-listener.js';

/** One answer of a control request: the first word of the reply line is OK or ERROR <code>. */
export type ControlReply = { ok: true; text: string } | { ok: false; code: number; text: string };

/** Takes the words of one request line; may be async (a reload binds nothing, but a future request might). */
export type ControlHandler = (words: string[]) => ControlReply | Promise<ControlReply>;

/** A request line longer than this is refused: every request is a few words. */
const MAX_REQUEST = 256;
/** How long a client waits for the running process to answer. */
export const CONTROL_TIMEOUT_MS = 10_000;

/**
 * The local control channel of a running process (a lab): a Unix-domain
 * socket, readable only by its owner, that takes one request line
 * (`reload HSIM-0001`) and answers one reply line (`OK …` or
 * `ERROR <code> …`), then closes. `hicom-sim pbx reload` is its client.
 */
export class ControlSocket {
  readonly path: string;
  readonly #server: Server;

  private constructor(path: string, server: Server) {
    this.path = path;
    this.#server = server;
  }

  /**
   * Listen on `path`. A socket file left by a process that died is
   * replaced; one that still answers means another process owns it, and
   * that is an error.
   */
  static async listen(path: string, handler: ControlHandler): Promise<ControlSocket> {
    const server = createServer((socket) => serve(socket, handler));
    await listenOnUnixSocket(server, path, `${path} (the lab's control socket)`);
    return new ControlSocket(path, server);
  }

  async close(): Promise<void> {
    await new Promise<void>((done) => this.#server.close(() => done()));
  }
}

function serve(socket: Socket, handler: ControlHandler): void {
  let buffered = '';
  const reply = (r: ControlReply): void => {
    socket.end(r.ok ? `OK ${r.text}\n` : `ERROR ${r.code} ${r.text}\n`);
  };
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    const end = buffered.indexOf('\n');
    if (end < 0) {
      if (buffered.length > MAX_REQUEST) reply({ ok: false, code: 400, text: `request longer than ${MAX_REQUEST} characters` });
      return;
    }
    socket.removeAllListeners('data');
    const words = buffered.slice(0, end).trim().split(/\s+/).filter((w) => w !== '');
    Promise.resolve()
      .then(() => handler(words))
      .then(reply, (err: unknown) => reply({ ok: false, code: 500, text: (err as Error).message }));
  });
}

/**
 * Send one request to the process listening on `path` and return its
 * reply. Rejects with a clear message when nothing listens there.
 */
export function controlRequest(path: string, request: string, timeoutMs = CONTROL_TIMEOUT_MS): Promise<ControlReply> {
  return new Promise((done, fail) => {
    const socket = connect(path);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new Error(`${path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${request}\n`));
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'no running lab listens there' : err.message;
      fail(new Error(`${path}: ${why}`));
    });
    socket.once('close', () => {
      clearTimeout(timer);
      const line = answer.split('\n')[0] ?? '';
      const m = /^(?:OK (.*)|ERROR (\d+) (.*))$/.exec(line);
      if (!m) return fail(new Error(`${path}: not a control reply: ${JSON.stringify(line)}`));
      done(m[1] !== undefined ? { ok: true, text: m[1] } : { ok: false, code: Number(m[2]), text: m[3] });
    });
  });
}
