import { Circle } from '../../firmware-sim/circles.js';
import { armorFrame, FRAME_HEADER, FrameType } from '../../firmware-sim/armored-frame.js';
import type { KdsImage } from '../../firmware-sim/kds.js';
import type { Pbx } from '../../firmware-sim/pbx.js';
import { LogAppendError, MemoryProtocolLog, type LogEntry, type LogRecord, type ProtocolLog } from '../../firmware-sim/protocol-log.js';
import { addUser, type UserSpec } from './add-user.js';
import { firstLogin, makePbx, AdminTerminal, type HarnessOptions } from './pbx-harness.js';

/**
 * Fixtures for the firmware-core tests (test/firmware/): PBXs with users in
 * chosen circles, logged-in terminals, and a protocol log that can be made
 * to fail on demand.
 */

/** The user created by the first login in every fixture. */
export const SERV: UserSpec = { name: 'serv', circle: Circle.SystemMaintenance, password: 'servpw' };

/** One user per circle, user administration first so user administration survives. */
export const ONE_PER_CIRCLE: readonly UserSpec[] = [
  { name: 'ua', circle: Circle.UserAdministration, password: 'uapw' },
  { name: 'rev', circle: Circle.Revision, password: 'revpw' },
  { name: 'pnkm', circle: Circle.Administration, password: 'pnkmpw' },
  { name: 'gebuehr', circle: Circle.ChargeAccounting, password: 'gebpw' },
  { name: 'dev', circle: Circle.Development, password: 'devpw' },
];

/** A terminal on `pbx` already logged in (asserts nothing; callers check `actor`). */
export function loginAs(pbx: Pbx, user: Pick<UserSpec, 'name' | 'password'>, options: ConstructorParameters<typeof AdminTerminal>[1] = {}): AdminTerminal {
  const term = new AdminTerminal(pbx, options);
  term.login(user.name, user.password);
  return term;
}

/**
 * A PBX after the first login (user "serv"), with `users` created: the
 * first by serv, the rest by the first (a user administrator) when serv
 * lost the right to create users. Returns the serv terminal, still logged in.
 */
export function pbxWithUsers(users: readonly UserSpec[] = [], options: HarnessOptions = {}): ReturnType<typeof makePbx> & { serv: AdminTerminal } {
  const made = makePbx(options);
  const serv = new AdminTerminal(made.pbx);
  firstLogin(serv, SERV.name, SERV.password);
  let admin = serv;
  for (const u of users) {
    const status = addUser(admin, u);
    if (status !== 'OK') throw new Error(`fixture: user add ${u.name} by ${admin.session.actor?.user}: ${status}`);
    if (admin === serv && u.circle === Circle.UserAdministration) admin = loginAs(made.pbx, u);
  }
  return { ...made, serv };
}

/**
 * A ProtocolLog that forwards to a MemoryProtocolLog until `failing` is set;
 * then every append throws LogAppendError, as a full or broken FMC would.
 */
export class FailingLog implements ProtocolLog {
  readonly inner = new MemoryProtocolLog();
  failing = false;

  get available(): boolean {
    return this.inner.available;
  }

  append(record: LogRecord): LogEntry | undefined {
    if (this.failing) throw new LogAppendError('FMC write failed (test)');
    return this.inner.append(record);
  }

  read(fromSeq?: number, limit?: number): LogEntry[] {
    return this.inner.read(fromSeq, limit);
  }

  deleteUpTo(seq: number, mark: Parameters<ProtocolLog['deleteUpTo']>[1]): number {
    return this.inner.deleteUpTo(seq, mark);
  }

  archiveMark(): ReturnType<ProtocolLog['archiveMark']> {
    return this.inner.archiveMark();
  }

  fill(): number {
    return this.inner.fill();
  }

  lastSeq(): number {
    return this.inner.lastSeq();
  }
}

/** The protocol log after sequence number `after`, one "user circle (format) command" string an entry. */
export function logLines(log: ProtocolLog, after = 0): string[] {
  return log.read(after + 1).map((e) => `${e.user} ${e.circle} (${e.format}) ${e.command}`);
}

/** `kds read` on `term`, decoded. */
export function readImage(term: AdminTerminal): KdsImage {
  const { lines } = term.cmd('kds read');
  const b64 = lines.slice(lines.findIndex((l) => l.startsWith('BEGIN KDS ')) + 1, lines.indexOf('END')).join('');
  return JSON.parse(Buffer.from(b64, 'base64').subarray(FRAME_HEADER, -4).toString('utf8')) as KdsImage;
}

/** `kds write` with `lines` as the frame; the final status. */
export function writeLines(term: AdminTerminal, lines: string[]): string {
  const first = term.cmd('kds write');
  if (first.status) return first.status;
  let status = '';
  for (const l of lines) {
    status = term.cmd(l).status;
    if (status) break;
  }
  return status;
}

/** The armored lines of a KDS image. */
export const frameOf = (image: KdsImage): string[] => armorFrame(FrameType.Kds, Buffer.from(JSON.stringify(image), 'utf8'));

