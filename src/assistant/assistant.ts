import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Duplex, Writable } from 'node:stream';
import { armorFrame, FrameType } from '../../firmware-sim/armored-frame.js';
import type { KdsImage } from '../../firmware-sim/kds.js';
import type { UserRecord } from '../../firmware-sim/user-table.js';
import { KdsFileError, openKdsFile, saveKdsFile } from '../storage/kds-file.js';
import { SessionClient, SessionError, type Reply } from '../clients/session-client.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { ioReason, isSystemError } from '../io-reason.js';
import type { Credentials } from './assistant-link.js';
import { diffKds } from './kds-diff.js';
import { Progress } from './progress.js';
import { tokenize } from '../../firmware-sim/command-tokens.js';

/** Lines of armor written per chunk: small enough for a smooth progress display, large enough to be quick. */
const CHUNK_LINES = 32;

/** Commands the assistant handles itself (files on the technician's PC), in `help` form. */
export const LOCAL_COMMANDS: ReadonlyArray<[string, string]> = [
  ['kds read <file>', 'read the whole KDS and user table from the PBX; save it encrypted with your password'],
  ['kds write <file>', 'write a saved KDS into the PBX (read-modify-write or regeneration; the PBX user table is kept)'],
  ['kds diff <a> <b>', 'compare two saved KDS files (offline; both open with your name and password)'],
  ['aps load <file>', 'load an APS image (docs/aps-image.md) into the PBX; it restarts with it'],
];

/** Argument counts of the PC-side commands, keyed by their first two words. */
const LOCAL_ARITY: Readonly<Record<string, number>> = Object.fromEntries(LOCAL_COMMANDS.map(([usage]) => {
  const words = usage.split(' ');
  return [`${words[0]} ${words[1]}`, words.length - 2];
}));

/**
 * What is wrong with a command line before anything is sent: empty, control
 * characters (a piped ^D or NUL), an unterminated quote, a PC-side command
 * without its file. A PBX would not answer such a line the way a script
 * expects (it waits for a frame that never comes), so it is refused here.
 */
export function lineProblem(line: string): string | undefined {
  if (line.trim() === '') return 'empty command';
  if (/[\u0000-\u001f\u007f]/.test(line)) return `control character ${JSON.stringify(/[\u0000-\u001f\u007f]/.exec(line)![0])} in the command`;
  const words = tokenize(line);
  if (typeof words === 'string') return words;
  const key = `${words[0]?.toLowerCase()} ${words[1]?.toLowerCase()}`;
  const arity = LOCAL_ARITY[key];
  if (arity !== undefined && words.length - 2 !== arity) return `usage: ${LOCAL_COMMANDS.find(([u]) => u.startsWith(key))![0]}`;
  return undefined;
}

export interface AssistantIo {
  /** Replies (stdout). */
  out: Writable;
  /** Progress and status (stderr). */
  err: Writable & { isTTY?: boolean };
}

/**
 * The technician's side of a session: passes session commands through and
 * adds the PC-side commands (KDS files, APS images). With no link it works
 * offline (only `kds diff`).
 */
export class Assistant {
  constructor(
    readonly link: { client: SessionClient; stream: Duplex } | undefined,
    readonly creds: Credentials,
    readonly io: AssistantIo,
  ) {}

  /** Run one line; resolves with the reply (local commands make one up). */
  async run(line: string): Promise<Reply> {
    const problem = lineProblem(line);
    if (problem) return { ok: false, code: 400, message: problem, lines: [] };
    const words = tokenize(line) as string[];
    const [a, b] = [words[0]?.toLowerCase(), words[1]?.toLowerCase()];
    const args = words.slice(2);
    try {
      if (a === 'kds' && b === 'diff') return this.#kdsDiff(args);
      if (a === 'kds' && b === 'read') return await this.#kdsRead(args);
      if (a === 'kds' && b === 'write') return await this.#kdsWrite(args);
      if (a === 'aps' && b === 'load') return await this.#apsLoad(args);
      if (a === 'help' && words.length === 1) {
        const r = await this.#client().command(line);
        return { ...r, lines: [...r.lines, ...LOCAL_COMMANDS.map(([u, h]) => `${u.padEnd(40)} ${h} (assistant)`)] };
      }
      return await this.#client().command(line);
    } catch (err) {
      if (err instanceof ExitError) throw err;
      if (err instanceof KdsFileError) return { ok: false, code: 422, message: err.message, lines: [] };
      if (err instanceof SessionError && err.reply) return err.reply;
      if (err instanceof SessionError) throw new ExitError(`connection lost: ${err.message}`, EXIT.connection);
      if (isSystemError(err)) return { ok: false, code: 400, message: `${err.path ? `${err.path}: ` : ''}${ioReason(err)}`, lines: [] };
      throw err;
    }
  }

  #client(): SessionClient {
    if (!this.link) throw new ExitError('offline: connect with --connect or --modem for PBX commands (offline only "kds diff" works)', EXIT.usage);
    return this.link.client;
  }

  #kdsDiff(args: string[]): Reply {
    const [a, b] = args.map((f) => openKdsFile(f, this.creds.name, this.creds.password).content.image);
    const lines = diffKds(a, b);
    return { ok: true, code: 0, message: `${lines.length} items differ`, lines: [...lines, `${lines.length} items differ`] };
  }

  async #kdsRead(args: string[]): Promise<Reply> {
    const client = this.#client();
    const read = await client.command('kds read');
    if (!read.ok) return read;
    const image = JSON.parse(SessionClient.frameFrom(read, FrameType.Kds).toString('utf8')) as KdsImage;
    const usersReply = await client.command('kds users');
    if (!usersReply.ok) return usersReply;
    const users = JSON.parse(SessionClient.frameFrom(usersReply, FrameType.Kds).toString('utf8')) as UserRecord[];
    saveKdsFile(args[0], { format: 'hicom-kds-file', version: 1, savedBy: this.creds.name, savedAt: Date.now(), image, users }, this.creds.password);
    const msg = `${args[0]}: KDS of ${image.systemId} (${Object.keys(image.items).length} items, generation ${image.baseGeneration}, ${users.length} users) saved encrypted`;
    return { ok: true, code: 0, message: msg, lines: [msg] };
  }

  async #kdsWrite(args: string[]): Promise<Reply> {
    const { content } = openKdsFile(args[0], this.creds.name, this.creds.password);
    // Only the image travels: the PBX's own user table is never overwritten (spec §3.7).
    return this.#upload('kds write', FrameType.Kds, Buffer.from(JSON.stringify(content.image), 'utf8'), `KDS ${args[0]}`);
  }

  async #apsLoad(args: string[]): Promise<Reply> {
    return this.#upload('aps load', FrameType.Aps, readFileSync(args[0]), `APS ${args[0]}`);
  }

  /**
   * Run a command that asks for a frame and send it in chunks with
   * backpressure, showing progress. The PBX applies a frame only when it is
   * whole and its CRC is right, so a line break part-way leaves nothing
   * half-written: send the file again after reconnecting.
   */
  async #upload(command: string, type: FrameType, payload: Buffer, label: string): Promise<Reply> {
    const { client, stream } = this.link ?? { client: this.#client(), stream: undefined as never };
    client.write(`${command}\r`);
    const first = await client.expect(/SEND FRAME\r?\n|(OK|ERROR \d{3} [^\r\n]*)\r?\n/);
    const status = /(ERROR (\d{3}) ([^\r\n]*))\r?\n$/.exec(first);
    if (status) return { ok: false, code: Number(status[2]), message: status[3], lines: [] };
    const lines = armorFrame(type, payload);
    const total = lines.reduce((n, l) => n + l.length + 1, 0);
    const progress = new Progress(label, total, this.io.err);
    let sent = 0;
    for (let i = 0; i < lines.length; i += CHUNK_LINES) {
      if (client.closed) break;
      const chunk = lines.slice(i, i + CHUNK_LINES).map((l) => `${l}\r`).join('');
      sent += chunk.length;
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
      progress.update(sent);
    }
    progress.finish();
    return client.reply();
  }
}
