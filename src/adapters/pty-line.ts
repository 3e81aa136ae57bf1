import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DceLines } from '../../core/line-endpoint.js';
import { LineEndpointBase } from '../../core/line-endpoint-base.js';
import { silentLogger, type Logger } from '../logger.js';
import { SerialLine } from './serial-line.js';

/**
 * A virtual serial port for users: `socat` joins two ptys; the user opens
 * the link at `path` (minicom, picocom, pyserial), we open the other one
 * through SerialLine. Modem lines are absent on ptys (serialport's ioctls
 * fail there; SerialLine then carries data only).
 *
 * The user may close and reopen `path` as often as they like: socat keeps
 * running while our side stays open, and bytes written while nobody has
 * `path` open are discarded by the pty, as on an unplugged cable.
 *
 * socat is stopped and both links removed on `close()`, when socat dies,
 * and when the process exits.
 */

export interface PtyLineOptions {
  /** Where the user-side link is created, e.g. /tmp/hicom-admin. */
  path: string;
  /** socat executable; default "socat" from PATH. */
  socat?: string;
  /** How long socat may take to set up both ptys. Default 5000 ms. */
  startTimeoutMs?: number;
  logger?: Logger;
}

const DEFAULT_START_TIMEOUT_MS = 5000;
/** What `socat -d -d` prints once both ends are open. */
const SOCAT_READY = 'starting data transfer loop';
/** socat's address syntax gives these a meaning inside an option value. */
const UNSAFE_PATH = /[,!]/;

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
    readonly serial: SerialLine,
    readonly socat: ChildProcess,
    readonly socatExited: Promise<void>,
    private readonly internalDir: string,
    readonly logger: Logger,
  ) {
    super();
    this.description = `pty ${path}`;
    this.#cleanup = () => this.#release();
    onProcessExit(this.#cleanup);
    serial.onData((bytes) => this.emitData(bytes));
    serial.onControl((lines) => this.emitControl(lines));
    serial.onClose(() => this.close());
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
    const internalDir = mkdtempSync(join(tmpdir(), 'hicom-sim-pty-'));
    const internal = join(internalDir, 'dce');
    const socat = spawn(
      options.socat ?? 'socat',
      ['-d', '-d', `PTY,link=${path},raw,echo=0`, `PTY,link=${internal},raw,echo=0`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<void>((done) => {
      socat.once('close', () => done());
      socat.once('error', () => done()); // spawn failed: no 'close' is promised
    });
    try {
      await waitReady(socat, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
      const serial = await SerialLine.open({ path: internal, logger });
      socat.stderr?.resume(); // keep draining socat's notices so it never blocks on a full pipe
      logger.info({ path }, 'virtual serial port ready');
      return new PtyLine(path, serial, socat, exited, internalDir, logger);
    } catch (err) {
      socat.kill();
      await exited;
      rmSync(internalDir, { recursive: true, force: true });
      removeStaleLink(path);
      throw err;
    }
  }

  write(data: Uint8Array | string): void {
    this.serial.write(data);
  }

  override setLines(lines: Partial<DceLines>): void {
    this.serial.setLines(lines);
  }

  close(): void {
    // The serial side's close comes back here: do the work once, and tell the listeners last.
    if (this.#closing) return;
    this.#closing = true;
    this.serial.close();
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
    rmSync(this.internalDir, { recursive: true, force: true });
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

function waitReady(socat: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let log = '';
    const timer = setTimeout(() => finish(new Error(`socat did not set up the ptys within ${timeoutMs} ms: ${log.trim()}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (log.includes(SOCAT_READY)) finish();
    };
    const onError = (err: NodeJS.ErrnoException): void =>
      finish(err.code === 'ENOENT' ? new Error('socat not found: install socat (Debian: apt-get install socat) to use pty: lines') : err);
    const onExit = (code: number | null): void => {
      const why = log.split('\n').filter((l) => / [EF] /.test(l)).join('; ') || log.trim();
      finish(new Error(`socat exited (code ${code}) before the ptys were ready: ${why}`));
    };
    function finish(err?: Error): void {
      clearTimeout(timer);
      socat.stderr?.off('data', onData);
      socat.off('error', onError);
      socat.off('exit', onExit);
      if (err) reject(err);
      else resolveReady();
    }
    socat.stderr?.on('data', onData);
    socat.once('error', onError);
    socat.once('exit', onExit);
  });
}
