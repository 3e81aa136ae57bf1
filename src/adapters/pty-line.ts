import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { lstatSync, statSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { LineEndpointBase, lineBytes } from '../../core/line-endpoint-base.js';
import { silentLogger, type Logger } from '../logger.js';

/**
 * A virtual serial port for users: `socat` makes a pty and links it at
 * `path`, where the user opens it (minicom, picocom, pyserial); the other
 * end of socat is its own stdin and stdout, two pipes to this process.
 * Modem lines are absent on a pty.
 *
 * Pipes, not a second pty: this process always reads its end, so the data
 * path cannot stall however the user's program drives its side (a pty pair
 * read through serialport could: with both directions full, its poller
 * waits for writability alone and reads nothing, and so does the far end).
 * And socat sees its stdin close when this process dies, however it dies,
 * so no socat outlives the lab.
 *
 * The user may close and reopen `path` as often as they like: socat keeps
 * running while our side stays open, and bytes written while nobody has
 * `path` open are discarded by the pty, as on an unplugged cable.
 *
 * socat is stopped and the link removed on `close()`, when socat dies,
 * and when the process exits.
 */

export interface PtyLineOptions {
  /** Where the user-side link is created, e.g. /tmp/hicom-admin. */
  path: string;
  /** socat executable; default "socat" from PATH. */
  socat?: string;
  /** How long socat may take to set up the pty. Default 5000 ms. */
  startTimeoutMs?: number;
  logger?: Logger;
}

const DEFAULT_START_TIMEOUT_MS = 5000;
/** What `socat -d -d` prints once both ends are open. */
const SOCAT_READY = 'starting data transfer loop';
/** socat's address syntax gives these a meaning inside an option value. */
const UNSAFE_PATH = /[,!]/;
/**
 * socat's transfer block (its -b option; 8192 by default): one read of the
 * pty or of the pipe moves at most this much, so a larger block means fewer
 * turns per MiB in socat and here. 64 KiB is a pipe's capacity on Linux.
 */
const SOCAT_BLOCK_BYTES = 65_536;

type Socat = ChildProcessByStdio<Writable, Readable, Readable>;

/** Cleanups still to run if the process exits with ptys open. */
const live = new Set<() => void>();
let exitHookInstalled = false;

function onProcessExit(cleanup: () => void): void {
  live.add(cleanup);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of [...live]) c();
  });
}

export class PtyLine extends LineEndpointBase {
  readonly description: string;
  readonly #cleanup: () => void;
  #closing = false;

  private constructor(
    /** The user-side link. */
    readonly path: string,
    readonly socat: Socat,
    readonly socatExited: Promise<void>,
    readonly logger: Logger,
  ) {
    super();
    this.description = `pty ${path}`;
    this.#cleanup = () => this.#release();
    onProcessExit(this.#cleanup);
    socat.stdout.on('data', (bytes: Buffer) => this.emitData(bytes));
    // A broken pipe means socat is going; its exit closes the line.
    socat.stdin.on('error', (err) => logger.debug({ err: err.message }, 'socat stdin'));
    socat.once('exit', (code, signal) => {
      if (!this.#closing) logger.warn({ code, signal, path }, 'socat ended; the virtual port is gone');
      this.close();
    });
  }

  /** Create the virtual port; rejects with a clear message if socat is missing or cannot set it up. */
  static async open(options: PtyLineOptions): Promise<PtyLine> {
    const logger = (options.logger ?? silentLogger).child({ line: `pty ${options.path}` });
    const path = resolve(options.path);
    if (UNSAFE_PATH.test(path)) throw new Error(`pty path ${path} must not contain "," or "!" (socat address syntax)`);
    removeStaleLink(path);
    const socat = spawn(
      options.socat ?? 'socat',
      ['-d', '-d', '-b', String(SOCAT_BLOCK_BYTES), `PTY,link=${path},raw,echo=0`, 'STDIO'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((done) => {
      socat.once('close', () => done());
      socat.once('error', () => done()); // spawn failed: no 'close' is promised
    });
    try {
      await waitReady(socat, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
      socat.stderr.resume(); // keep draining socat's notices so it never blocks on a full pipe
      logger.info({ path }, 'virtual serial port ready');
      return new PtyLine(path, socat, exited, logger);
    } catch (err) {
      socat.kill();
      await exited;
      removeStaleLink(path);
      throw err;
    }
  }

  write(data: Uint8Array | string): void {
    if (this.closed || !this.socat.stdin.writable) return;
    const bytes = lineBytes(data);
    if (bytes.length > 0) this.socat.stdin.write(bytes);
  }

  close(): void {
    // socat's exit comes back here: do the work once, and tell the listeners last.
    if (this.#closing) return;
    this.#closing = true;
    this.#release();
    this.markClosed();
  }

  /** Close and wait until socat has gone. */
  async dispose(): Promise<void> {
    this.close();
    await this.socatExited;
  }

  #release(): void {
    live.delete(this.#cleanup);
    if (this.socat.exitCode === null && this.socat.signalCode === null) this.socat.kill();
    // socat removes its link on a clean exit; do it ourselves in case it could not.
    try {
      if (lstatSync(this.path).isSymbolicLink()) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

/** A link left by a crashed run points nowhere: remove it. A live one belongs to someone else. */
function removeStaleLink(path: string): void {
  let link;
  try {
    link = lstatSync(path);
  } catch {
    return;
  }
  if (!link.isSymbolicLink()) throw new Error(`${path} exists and is not a link from an earlier run; choose another path`);
  try {
    statSync(path);
  } catch {
    unlinkSync(path);
    return;
  }
  throw new Error(`${path} is already in use (a live pty link); choose another path or stop the other program`);
}

function waitReady(socat: Socat, timeoutMs: number): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let log = '';
    const timer = setTimeout(() => finish(new Error(`socat did not set up the ptys within ${timeoutMs} ms: ${log.trim()}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (log.includes(SOCAT_READY)) finish();
    };
    const onError = (err: NodeJS.ErrnoException): void =>
      finish(err.code === 'ENOENT' ? new Error('socat not found: install socat (Debian: apt-get install socat) to use pty: lines') : err);
    // 'close', not 'exit': a socat that fails at once can exit before its last stderr chunk is read, and the error must quote it.
    const onClose = (code: number | null): void => {
      const why = log.split('\n').filter((l) => / [EF] /.test(l)).join('; ') || log.trim();
      finish(new Error(`socat exited (code ${code}) before the ptys were ready: ${why}`));
    };
    function finish(err?: Error): void {
      clearTimeout(timer);
      socat.stderr.off('data', onData);
      socat.off('error', onError);
      socat.off('close', onClose);
      if (err) reject(err);
      else resolveReady();
    }
    socat.stderr.on('data', onData);
    socat.once('error', onError);
    socat.once('close', onClose);
  });
}
